// MatchRuntime: one matching script (mentor fit or channel readiness) loaded into one
// LuaSandbox, with the partners (mentors or channels) it scores. Used by MatchRules::Load (to
// check and describe the script) and by each scoring thread. Not thread-safe; one per thread.
#ifndef SMEMATCH_ENGINE_SRC_LUA_MATCH_RUNTIME_H_
#define SMEMATCH_ENGINE_SRC_LUA_MATCH_RUNTIME_H_

#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "lua/lua_sandbox.h"
#include "smematch/matching.h"
#include "smematch/profile.h"
#include "smematch/registry.h"
#include "smematch/rule_set.h"

namespace smematch {

class MatchRuntime {
 public:
  explicit MatchRuntime(const RuleLimits& limits);
  MatchRuntime(const MatchRuntime&) = delete;
  MatchRuntime& operator=(const MatchRuntime&) = delete;

  // Loads the matching prelude and `script` for `kind`. Returns kInvalidArgument listing every
  // error, one per line ("path:line: message"), or kResourceExhausted if the script's top level
  // broke its budget.
  Status Load(MatchKind kind, const RuleSet::File& script, const ProvinceTable& provinces);

  // Returns what the script declared (plain data).
  Result<nlohmann::json> Describe();

  // Hands the partners to the script, as `m` (index i here = index i in the span).
  Status SetMentors(std::span<const Mentor> mentors, const ProvinceTable& provinces);
  Status SetChannels(std::span<const Channel> channels, const ProvinceTable& provinces);

  // Makes `profile` the enterprise `e`. `profile` must outlive the calls that follow.
  Status SetEnterprise(const EnterpriseProfile& profile, const ProvinceTable& provinces);

  // Scores the current enterprise against every partner in `candidates`. out[k] >= 0 is the
  // fit; -(i + 1) means constraint i failed first; kPairError means the script raised or ran
  // out of budget for that pair (its status is appended to `errors` with k).
  static constexpr int64_t kPairError = std::numeric_limits<int64_t>::min();
  Status ScoreAll(std::span<const int> candidates, std::vector<int64_t>* out,
                  std::vector<std::pair<int, Status>>* errors);

  // Explains the pair (current enterprise, `partner`): every failing constraint index into
  // `*failed`, every part's score into `*parts` (empty when a part could not be scored because
  // a constraint failed). Returns the script's error for this pair, if any.
  Status Explain(int partner, std::vector<int>* failed, std::vector<int64_t>* parts);

  LuaSandbox& sandbox() { return sandbox_; }

 private:
  static int FillEnterprise(lua_State* L);

  Status ScoreRange(int first, int last);

  LuaSandbox sandbox_;
  const EnterpriseProfile* enterprise_ = nullptr;
  const ProvinceTable* provinces_ = nullptr;
  int parts_ = 0;
};

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_LUA_MATCH_RUNTIME_H_
