#include "smematch/sme_size.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace smematch {
namespace {

constexpr SmeSector kMfg = SmeSector::kManufacturing;
constexpr SmeSector kTrade = SmeSector::kTradeServices;

// Ministerial Regulation B.E. 2562 (FACTS.md §2): the bound is the last value of a size.
TEST(SmeSize, ManufacturingEmployeeBoundsAreInclusive) {
  EXPECT_EQ(SizeByEmployees(kMfg, 0), SmeSize::kMicro);
  EXPECT_EQ(SizeByEmployees(kMfg, 5), SmeSize::kMicro);
  EXPECT_EQ(SizeByEmployees(kMfg, 6), SmeSize::kSmall);
  EXPECT_EQ(SizeByEmployees(kMfg, 50), SmeSize::kSmall);
  EXPECT_EQ(SizeByEmployees(kMfg, 51), SmeSize::kMedium);
  EXPECT_EQ(SizeByEmployees(kMfg, 200), SmeSize::kMedium);
  EXPECT_EQ(SizeByEmployees(kMfg, 201), SmeSize::kLarge);
}

TEST(SmeSize, TradeServicesEmployeeBoundsAreInclusive) {
  EXPECT_EQ(SizeByEmployees(kTrade, 0), SmeSize::kMicro);
  EXPECT_EQ(SizeByEmployees(kTrade, 5), SmeSize::kMicro);
  EXPECT_EQ(SizeByEmployees(kTrade, 6), SmeSize::kSmall);
  EXPECT_EQ(SizeByEmployees(kTrade, 30), SmeSize::kSmall);
  EXPECT_EQ(SizeByEmployees(kTrade, 31), SmeSize::kMedium);
  EXPECT_EQ(SizeByEmployees(kTrade, 100), SmeSize::kMedium);
  EXPECT_EQ(SizeByEmployees(kTrade, 101), SmeSize::kLarge);
}

TEST(SmeSize, ManufacturingRevenueBoundsAreInclusive) {
  EXPECT_EQ(SizeByRevenue(kMfg, 0), SmeSize::kMicro);
  EXPECT_EQ(SizeByRevenue(kMfg, 1'800'000), SmeSize::kMicro);
  EXPECT_EQ(SizeByRevenue(kMfg, 1'800'001), SmeSize::kSmall);
  EXPECT_EQ(SizeByRevenue(kMfg, 100'000'000), SmeSize::kSmall);
  EXPECT_EQ(SizeByRevenue(kMfg, 100'000'001), SmeSize::kMedium);
  EXPECT_EQ(SizeByRevenue(kMfg, 500'000'000), SmeSize::kMedium);
  EXPECT_EQ(SizeByRevenue(kMfg, 500'000'001), SmeSize::kLarge);
}

TEST(SmeSize, TradeServicesRevenueBoundsAreInclusive) {
  EXPECT_EQ(SizeByRevenue(kTrade, 0), SmeSize::kMicro);
  EXPECT_EQ(SizeByRevenue(kTrade, 1'800'000), SmeSize::kMicro);
  EXPECT_EQ(SizeByRevenue(kTrade, 1'800'001), SmeSize::kSmall);
  EXPECT_EQ(SizeByRevenue(kTrade, 50'000'000), SmeSize::kSmall);
  EXPECT_EQ(SizeByRevenue(kTrade, 50'000'001), SmeSize::kMedium);
  EXPECT_EQ(SizeByRevenue(kTrade, 300'000'000), SmeSize::kMedium);
  EXPECT_EQ(SizeByRevenue(kTrade, 300'000'001), SmeSize::kLarge);
}

TEST(SmeSize, RevenueJustAboveBoundIsNextSize) {
  // A fraction of a baht over the bound is already the next size.
  EXPECT_EQ(SizeByRevenue(kMfg, 1'800'000.5), SmeSize::kSmall);
  EXPECT_EQ(SizeByRevenue(kTrade, 50'000'000.01), SmeSize::kMedium);
}

TEST(SmeSize, ClassifyAtEveryBoundWithBothMeasuresAgreeing) {
  struct Row {
    SmeSector sector;
    int64_t employees;
    double revenue;
    SmeSize want;
  };
  const Row rows[] = {
      {kMfg, 5, 1'800'000, SmeSize::kMicro},       {kMfg, 6, 1'800'001, SmeSize::kSmall},
      {kMfg, 50, 100e6, SmeSize::kSmall},          {kMfg, 51, 100e6 + 1, SmeSize::kMedium},
      {kMfg, 200, 500e6, SmeSize::kMedium},        {kMfg, 201, 500e6 + 1, SmeSize::kLarge},
      {kTrade, 5, 1'800'000, SmeSize::kMicro},     {kTrade, 6, 1'800'001, SmeSize::kSmall},
      {kTrade, 30, 50e6, SmeSize::kSmall},         {kTrade, 31, 50e6 + 1, SmeSize::kMedium},
      {kTrade, 100, 300e6, SmeSize::kMedium},      {kTrade, 101, 300e6 + 1, SmeSize::kLarge},
  };
  for (const Row& r : rows) {
    for (SizeTieBreak tb : {SizeTieBreak::kRevenuePrevails, SizeTieBreak::kHigherOfTwo}) {
      EXPECT_EQ(ClassifySmeSize(r.sector, r.employees, r.revenue, tb), r.want)
          << "employees " << r.employees << " revenue " << r.revenue << " tie-break "
          << static_cast<int>(tb);
    }
  }
}

TEST(SmeSize, RevenuePrevailsWhenMeasuresDisagree) {
  // 300 employees say large; revenue 1.5 M says micro: revenue decides.
  EXPECT_EQ(ClassifySmeSize(kMfg, 300, 1'500'000, SizeTieBreak::kRevenuePrevails),
            SmeSize::kMicro);
  // 3 employees say micro; revenue 60 M says medium (trade).
  EXPECT_EQ(ClassifySmeSize(kTrade, 3, 60'000'000, SizeTieBreak::kRevenuePrevails),
            SmeSize::kMedium);
}

TEST(SmeSize, HigherOfTwoTakesTheLargerSize) {
  EXPECT_EQ(ClassifySmeSize(kMfg, 300, 1'500'000, SizeTieBreak::kHigherOfTwo), SmeSize::kLarge);
  EXPECT_EQ(ClassifySmeSize(kTrade, 3, 60'000'000, SizeTieBreak::kHigherOfTwo),
            SmeSize::kMedium);
  // Employees 31 (trade: medium) vs revenue 40 M (trade: small).
  EXPECT_EQ(ClassifySmeSize(kTrade, 31, 40'000'000, SizeTieBreak::kHigherOfTwo),
            SmeSize::kMedium);
  EXPECT_EQ(ClassifySmeSize(kTrade, 31, 40'000'000, SizeTieBreak::kRevenuePrevails),
            SmeSize::kSmall);
}

TEST(SmeSize, EmployeesDecideWhenRevenueUnknownInBothModes) {
  for (SizeTieBreak tb : {SizeTieBreak::kRevenuePrevails, SizeTieBreak::kHigherOfTwo}) {
    EXPECT_EQ(ClassifySmeSize(kMfg, 51, std::nullopt, tb), SmeSize::kMedium);
    EXPECT_EQ(ClassifySmeSize(kMfg, 201, std::nullopt, tb), SmeSize::kLarge);
    EXPECT_EQ(ClassifySmeSize(kTrade, 31, std::nullopt, tb), SmeSize::kMedium);
    EXPECT_EQ(ClassifySmeSize(kTrade, 5, std::nullopt, tb), SmeSize::kMicro);
  }
}

TEST(SmeSize, RevenueDecidesWhenEmployeesUnknownInBothModes) {
  for (SizeTieBreak tb : {SizeTieBreak::kRevenuePrevails, SizeTieBreak::kHigherOfTwo}) {
    EXPECT_EQ(ClassifySmeSize(kMfg, std::nullopt, 100'000'001, tb), SmeSize::kMedium);
    EXPECT_EQ(ClassifySmeSize(kTrade, std::nullopt, 1'800'000, tb), SmeSize::kMicro);
    EXPECT_EQ(ClassifySmeSize(kTrade, std::nullopt, 300'000'001, tb), SmeSize::kLarge);
  }
}

TEST(SmeSize, BothMeasuresMissingIsNullopt) {
  EXPECT_EQ(ClassifySmeSize(kMfg, std::nullopt, std::nullopt, SizeTieBreak::kRevenuePrevails),
            std::nullopt);
  EXPECT_EQ(ClassifySmeSize(kTrade, std::nullopt, std::nullopt, SizeTieBreak::kHigherOfTwo),
            std::nullopt);
}

TEST(SmeSize, SizeNames) {
  EXPECT_EQ(SmeSizeName(SmeSize::kMicro), "micro");
  EXPECT_EQ(SmeSizeName(SmeSize::kSmall), "small");
  EXPECT_EQ(SmeSizeName(SmeSize::kMedium), "medium");
  EXPECT_EQ(SmeSizeName(SmeSize::kLarge), "large");
}

TEST(SmeSize, LabelsAreIndexedBySizeAndNamedLikeSmeSizeName) {
  auto labels = SmeSizeLabels();
  ASSERT_EQ(labels.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    auto size = static_cast<SmeSize>(i);
    EXPECT_EQ(labels[i].id, SmeSizeName(size));
    EXPECT_FALSE(labels[i].th.empty());
    EXPECT_FALSE(labels[i].en.empty());
  }
}

TEST(SmeSize, ParseSizeTieBreak) {
  EXPECT_EQ(ParseSizeTieBreak("revenue_prevails"), SizeTieBreak::kRevenuePrevails);
  EXPECT_EQ(ParseSizeTieBreak("higher_of_two"), SizeTieBreak::kHigherOfTwo);
  EXPECT_EQ(ParseSizeTieBreak(""), std::nullopt);
  EXPECT_EQ(ParseSizeTieBreak("Revenue_Prevails"), std::nullopt);
  EXPECT_EQ(ParseSizeTieBreak("higher"), std::nullopt);
}

}  // namespace
}  // namespace smematch
