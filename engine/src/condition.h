// Condition: a criterion test written as one Lua expression (`test = "e.years_operating >=
// p.min_years_operating"`), compiled once per rule set and evaluated in C++ on the profile,
// without entering the Lua VM. The same text is also compiled as a Lua function
// (`function(e, p, c) return <text> end`) for the explain path; both must decide alike, which
// tests/engine/condition_test.cc checks on a generated population.
//
// The subset (docs/rules.md, "Conditions"): literals (numbers, strings, true, false, nil);
// e.<field>, e.certifications.<id>, e.needs.<dimension>, p.<parameter>, c.fiscal_year,
// c.fiscal_year_be, c.as_of; the helpers sme_size(e), max_need(e), total_need(e),
// certification_count(e), participated(e, program, from_fy, to_fy), man_days_used(e, program,
// fiscal_year), one_of(value, p.<list>), province(code).<fact>, identifier_kind(value),
// clamp(x, lo, hi); operators `and or not == ~= < <= > >= + - * /` and parentheses. Anything
// else is a compile error that says so: such a test is written as a function instead.
//
// Semantics are Lua's: `and`/`or` return an operand, only nil and false are false, reading an
// absent field gives nil and records the field as missing, comparing or adding nil raises.
// Where the evaluator is not certain to match Lua (a string in arithmetic, an ordered string
// comparison, a number beyond ±2^53 where Lua's integers wrap), it answers kAskLua and the
// caller runs the Lua function. The Lua function sees the engine's helpers only, never a
// script's own definitions, so both mean the same.
// Thread-safe once compiled (Evaluate is const and keeps no state).
#ifndef SMEMATCH_ENGINE_SRC_CONDITION_H_
#define SMEMATCH_ENGINE_SRC_CONDITION_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile.h"
#include "smematch/provinces.h"
#include "smematch/rule_set.h"
#include "smematch/sme_size.h"
#include "smematch/status.h"

namespace smematch {

// What conditions read of one applicant: the profile and what is derived from it once.
struct ConditionApplicant {
  const EnterpriseProfile* profile = nullptr;
  const Province* province = nullptr;  // the profile's province, nullptr if absent or unknown
  std::optional<SmeSize> size;         // per the rule set's tie-break setting
  uint64_t size_missing = 0;           // field bits whose absence leaves the size unknown
  int fiscal_year = 0;                 // c.fiscal_year (Gregorian; fiscal year 2026 = Oct 2025–Sep 2026)
  std::string_view as_of;              // c.as_of, "YYYY-MM-DD"

  // Fills everything but fiscal_year and as_of from `p`.
  void Set(const EnterpriseProfile& p, const ProvinceTable& provinces, SizeTieBreak tie_break);
};

enum class ConditionResult : uint8_t {
  kPass,       // the expression is true (not nil, not false)
  kFail,       // false, and no field it read was missing
  kUndecided,  // false or raised, after reading a missing field: needs information
  kAskLua,     // Lua must decide (a raise without missing data: Lua reports the rule's error)
};

class Condition {
 public:
  // Compiles `text` against the parameters of its program. kInvalidArgument with a message
  // that names the problem and its column ("column 12: unknown profile field 'employes'").
  static Result<Condition> Compile(std::string_view text, std::span<const ParameterInfo> params);

  // Evaluates for `a`; sets *missing to the bits (1 << ProfileField) of the absent fields read.
  ConditionResult Evaluate(const ConditionApplicant& a, uint64_t* missing) const;

  const std::string& text() const { return text_; }

  Condition(Condition&&) = default;
  Condition& operator=(Condition&&) = default;
  Condition(const Condition&) = delete;  // constants view strings_
  Condition& operator=(const Condition&) = delete;

  // A value during evaluation: Lua's nil, boolean, number, string, or a table (e.needs,
  // e.certifications: truthy, and only indexed).
  struct Value {
    enum class Type : uint8_t { kNil, kBool, kNumber, kString, kTable };
    Type type = Type::kNil;
    bool boolean = false;
    bool is_integer = false;  // a Lua integer (`integer` exact, `number` its conversion)
    bool interned = false;    // `string` points into the engine's label ids (condition.cc)
    int64_t integer = 0;
    double number = 0;
    std::string_view string;
  };

  enum class Op : uint8_t {
    kConst, kField, kCertification, kNeed, kFiscalYear, kFiscalYearBe, kAsOf,
    kSmeSize, kMaxNeed, kTotalNeed, kCertCount, kParticipated, kManDaysUsed,
    kOneOf, kProvinceFact, kIdentifierKind, kClamp,
    kNot, kNegate, kAnd, kOr, kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv,
  };
  struct Node {
    Op op = Op::kConst;
    uint8_t arg = 0;              // field, certification, dimension or province fact
    int32_t a = -1, b = -1, c = -1;  // operand nodes
    int32_t index = -1;           // constant, string or list index
  };

 private:
  Condition() = default;
  class Parser;
  class Evaluator;

  std::string text_;
  std::vector<Node> nodes_;
  std::vector<Value> constants_;
  std::deque<std::string> strings_;  // text of string constants (stable: Values view them)
  std::vector<std::vector<Value>> lists_;               // list parameters of one_of
  int root_ = 0;
};

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_CONDITION_H_
