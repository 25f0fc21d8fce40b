// RuleRuntime: a rule set loaded into one LuaSandbox, the engine side of the prelude.
// Used by RuleSet::Load (to check and describe the scripts) and by each Screener (to
// evaluate). Not thread-safe; one per thread.
#ifndef SMEMATCH_ENGINE_SRC_LUA_RULE_RUNTIME_H_
#define SMEMATCH_ENGINE_SRC_LUA_RULE_RUNTIME_H_

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "condition.h"
#include "lua/lua_sandbox.h"
#include "smematch/profile.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"

namespace smematch {

class ReasonRenderer;

class RuleRuntime {
 public:
  explicit RuleRuntime(const RuleLimits& limits);
  ~RuleRuntime();
  RuleRuntime(const RuleRuntime&) = delete;
  RuleRuntime& operator=(const RuleRuntime&) = delete;

  // Loads the prelude, the province facts and every .lua file of `files` ("settings.lua"
  // first, then programs in order). Returns kInvalidArgument listing every error found, one
  // per line, or kResourceExhausted if a script's top level broke its budget.
  Status Load(const std::vector<RuleSet::File>& files, const ProvinceTable& provinces);

  // Returns {"settings": {...}, "programs": [...]} as the scripts declared them.
  Result<nlohmann::json> Describe();

  // Sets the `as_of` date scripts see as c.as_of / c.fiscal_year.
  Status SetAsOf(const Date& as_of);

  // Chooses the program versions ScreenSelected evaluates, in this order.
  Status Select(const std::vector<const ProgramInfo*>& programs);

  // The fast path: makes `profile` the applicant and evaluates every selected program in one
  // protected call, writing one Decision each (no reasons). A rule that raises or runs out of
  // budget gives its Decision Outcome::kError; the others are still decided. Returns an
  // error only if the applicant could not be set at all.
  Status ScreenSelected(const EnterpriseProfile& profile, std::vector<Decision>* out);

  // Makes `profile` the applicant scripts see as `e` (for Explain). `profile` must outlive
  // the evaluations that follow.
  Status SetApplicant(const EnterpriseProfile& profile);

  // Evaluates `program` for the current applicant into `*out` with the reason of every
  // criterion and the benefit.
  void Explain(const ProgramInfo& program, Decision* out);

  LuaSandbox& sandbox() { return sandbox_; }

 private:
  static int FillApplicant(lua_State* L);
  static int FillContext(lua_State* L);
  static int NativeLazyField(lua_State* L);
  static int NativeIdentifierKind(lua_State* L);
  static int NativeBindApplicant(lua_State* L);
  static int NativeParticipated(lua_State* L);
  static int NativeManDaysUsed(lua_State* L);
  static int NativeCheckDate(lua_State* L);
  static int NativeInstructionBudget(lua_State* L);
  static int NativeCompileCondition(lua_State* L);

  Status ReadExplanation(const ProgramInfo& program, int engine, Decision* out);
  Status ScreenSelectedOnce(const EnterpriseProfile& profile, std::vector<Decision>* out);

  LuaSandbox sandbox_;
  std::unique_ptr<ReasonRenderer> reasons_;  // explain path: compiled reason templates
  const EnterpriseProfile* applicant_ = nullptr;
  Date as_of_;
  SizeTieBreak tie_break_ = SizeTieBreak::kRevenuePrevails;
  std::vector<const ProgramInfo*> selected_;
  // How the fast path decides each selected program: its criteria written as conditions (by
  // position), whether it has tests written as functions, and per applicant the conditions'
  // results and the engine.fast mode.
  struct Plan {
    std::vector<std::pair<size_t, const Condition*>> conditions;
    bool lua_tests = false;
    bool scores = false;  // has a score or group function
    uint64_t failed = 0, undecided = 0, fields = 0;
    lua_Integer mode = 2;
  };
  std::vector<Plan> plans_;
  const ProvinceTable* provinces_ = nullptr;
  ConditionApplicant condition_applicant_;
  char as_of_text_[16] = "";
  std::vector<Status> program_errors_;
  int top_ = 0;  // stack height after Load: the fixed slots below
};

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_LUA_RULE_RUNTIME_H_
