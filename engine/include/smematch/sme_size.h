// SME size classification per Ministerial Regulation B.E. 2562 (2019) defining SMEs
// (sources: OSMEP "SMEs definition"; SME D Bank; FACTS.md §2). Upper bounds are inclusive.
// The thresholds are law, not policy, so they live here; how employees and revenue are
// reconciled when they disagree is a setting of the rule set. Thread-safe.
#ifndef SMEMATCH_SME_SIZE_H_
#define SMEMATCH_SME_SIZE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "smematch/profile.h"

namespace smematch {

enum class SmeSize : uint8_t { kMicro, kSmall, kMedium, kLarge };

// Which measure decides when employees and revenue point to different sizes.
enum class SizeTieBreak : uint8_t {
  kRevenuePrevails,  // Thai text quoted by SME D Bank; employees decide only if revenue unknown
  kHigherOfTwo,      // OSMEP English page: "whichever is higher"
};

// Returns the size by employees alone. `employees` in persons, ≥ 0.
SmeSize SizeByEmployees(SmeSector sector, int64_t employees);
// Returns the size by revenue alone. `annual_revenue_thb` in THB per year, ≥ 0.
SmeSize SizeByRevenue(SmeSector sector, double annual_revenue_thb);

// Classifies an enterprise. Either measure may be missing; returns nullopt if both are.
std::optional<SmeSize> ClassifySmeSize(SmeSector sector, std::optional<int64_t> employees,
                                       std::optional<double> annual_revenue_thb,
                                       SizeTieBreak tie_break);

std::string_view SmeSizeName(SmeSize size);  // "micro", "small", "medium", "large"
// Thai and English labels indexed by SmeSize (id = SmeSizeName).
std::span<const EnumLabel> SmeSizeLabels();
std::optional<SizeTieBreak> ParseSizeTieBreak(std::string_view name);  // "revenue_prevails", "higher_of_two"

}  // namespace smematch

#endif  // SMEMATCH_SME_SIZE_H_
