#include "smematch/sme_size.h"

#include <algorithm>

namespace smematch {
namespace {

// Upper bounds (inclusive) of micro, small and medium, Ministerial Regulation B.E. 2562.
struct Bounds {
  int64_t employees[3];
  double revenue_thb[3];
};
constexpr Bounds kManufacturing{{5, 50, 200}, {1.8e6, 100e6, 500e6}};
constexpr Bounds kTradeServices{{5, 30, 100}, {1.8e6, 50e6, 300e6}};

const Bounds& BoundsFor(SmeSector sector) {
  return sector == SmeSector::kManufacturing ? kManufacturing : kTradeServices;
}

}  // namespace

SmeSize SizeByEmployees(SmeSector sector, int64_t employees) {
  const Bounds& b = BoundsFor(sector);
  for (int i = 0; i < 3; ++i) {
    if (employees <= b.employees[i]) return static_cast<SmeSize>(i);
  }
  return SmeSize::kLarge;
}

SmeSize SizeByRevenue(SmeSector sector, double annual_revenue_thb) {
  const Bounds& b = BoundsFor(sector);
  for (int i = 0; i < 3; ++i) {
    if (annual_revenue_thb <= b.revenue_thb[i]) return static_cast<SmeSize>(i);
  }
  return SmeSize::kLarge;
}

std::optional<SmeSize> ClassifySmeSize(SmeSector sector, std::optional<int64_t> employees,
                                       std::optional<double> annual_revenue_thb,
                                       SizeTieBreak tie_break) {
  if (!employees && !annual_revenue_thb) return std::nullopt;
  if (!annual_revenue_thb) return SizeByEmployees(sector, *employees);
  SmeSize by_revenue = SizeByRevenue(sector, *annual_revenue_thb);
  if (!employees || tie_break == SizeTieBreak::kRevenuePrevails) return by_revenue;
  return std::max(by_revenue, SizeByEmployees(sector, *employees));
}

std::string_view SmeSizeName(SmeSize size) {
  switch (size) {
    case SmeSize::kMicro: return "micro";
    case SmeSize::kSmall: return "small";
    case SmeSize::kMedium: return "medium";
    case SmeSize::kLarge: return "large";
  }
  return "large";
}

std::span<const EnumLabel> SmeSizeLabels() {
  static constexpr EnumLabel kLabels[] = {
      {"micro", "วิสาหกิจรายย่อย", "micro enterprise"},
      {"small", "วิสาหกิจขนาดย่อม", "small enterprise"},
      {"medium", "วิสาหกิจขนาดกลาง", "medium enterprise"},
      {"large", "กิจการขนาดใหญ่ (ไม่ใช่ SME)", "large enterprise (not an SME)"},
  };
  return kLabels;
}

std::optional<SizeTieBreak> ParseSizeTieBreak(std::string_view name) {
  if (name == "revenue_prevails") return SizeTieBreak::kRevenuePrevails;
  if (name == "higher_of_two") return SizeTieBreak::kHigherOfTwo;
  return std::nullopt;
}

}  // namespace smematch
