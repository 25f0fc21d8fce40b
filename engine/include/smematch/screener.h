// Screener: decides, program by program, whether one enterprise is eligible and why.
// A Screener owns one sandboxed Lua state running a RuleSet: it is NOT thread-safe; create one
// per thread (creation compiles the scripts, ~1 ms). Decisions are pure functions of the
// profile, the rule set and the `as_of` date.
#ifndef SMEMATCH_SCREENER_H_
#define SMEMATCH_SCREENER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "smematch/date.h"
#include "smematch/profile.h"
#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch {

enum class Outcome : uint8_t {
  kEligible,
  kIneligible,          // at least one criterion failed on the data given
  kNeedsInformation,    // no criterion failed, but some could not be decided: see missing_fields
  kError,               // the rules could not decide (script error or budget exceeded): see error
};
std::string_view OutcomeName(Outcome outcome);  // "eligible", "ineligible", "needs_information", "error"

enum class CriterionOutcome : uint8_t { kPass, kFail, kNeedsInformation };
std::string_view CriterionOutcomeName(CriterionOutcome outcome);  // "pass", "fail", "needs_information"

struct CriterionResult {
  CriterionOutcome outcome = CriterionOutcome::kPass;
  uint64_t missing_fields = 0;  // ProfileField bit set
  LocalizedText reason;         // filled-in reason text
};

struct Benefit {
  LocalizedText text;
  nlohmann::json values;  // e.g. {"man_days_left": 3}
};

struct Decision {
  const ProgramInfo* program = nullptr;
  Outcome outcome = Outcome::kError;
  uint64_t failed = 0;          // bit i: criterion i failed
  uint64_t undecided = 0;       // bit i: criterion i needs information
  uint64_t missing_fields = 0;  // ProfileField bit set, over all criteria
  std::optional<double> score;  // 0–100, eligible only, when the program declares one
  std::string_view group;       // STAR_SME group id (points into program->groups), eligible only
  Status error;                 // when outcome == kError: kResourceExhausted or kInternal
  // Filled only when ScreenOptions::explain is set:
  std::vector<CriterionResult> criteria;  // one per program->criteria
  std::optional<Benefit> benefit;         // eligible only
};

struct ScreenOptions {
  std::vector<std::string> programs;  // program ids; empty = every program
  Date as_of = Date::TodayInBangkok();
  bool explain = true;                // fill reasons, per-criterion results and benefit
};

class Screener {
 public:
  // Creates a Lua state and loads `rules` into it. Errors as RuleSet::Load (they cannot
  // normally happen for a RuleSet that loaded).
  static Result<std::unique_ptr<Screener>> Create(std::shared_ptr<const RuleSet> rules);
  ~Screener();
  Screener(const Screener&) = delete;
  Screener& operator=(const Screener&) = delete;

  // Screens `profile` for the programs in `options`, writing one Decision per program to
  // `*decisions` (resized; reusing its storage). Returns kNotFound for an unknown program id
  // and kFailedPrecondition when a program has no version effective on `options.as_of`;
  // a rule that fails for this profile gives a Decision with Outcome::kError, not an error here.
  Status Screen(const EnterpriseProfile& profile, const ScreenOptions& options,
                std::vector<Decision>* decisions);

  const RuleSet& rules() const;

  // Counters since creation, for metrics.
  struct Stats {
    uint64_t decisions = 0;
    uint64_t rule_errors = 0;
    uint64_t budget_kills = 0;  // instruction or memory budget exceeded
    uint64_t replays = 0;       // screenings redone counting every instruction (see design.md)
  };
  const Stats& stats() const;

 private:
  struct Impl;
  explicit Screener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace smematch

#endif  // SMEMATCH_SCREENER_H_
