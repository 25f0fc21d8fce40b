#include "smematch/date.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace smematch {
namespace {

TEST(Date, ParsesIsoDate) {
  Result<Date> d = Date::Parse("2026-03-15");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->year, 2026);
  EXPECT_EQ(d->month, 3);
  EXPECT_EQ(d->day, 15);
}

TEST(Date, ParsesLeapDayOfLeapYear) {
  Result<Date> d = Date::Parse("2024-02-29");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->month, 2);
  EXPECT_EQ(d->day, 29);
  // 2000 is a leap year (divisible by 400).
  EXPECT_TRUE(Date::Parse("2000-02-29").ok());
}

TEST(Date, RejectsDaysThatDoNotExist) {
  for (const char* text : {"2026-02-30", "2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01",
                           "2026-00-10", "2026-01-00", "2026-01-32"}) {
    Result<Date> d = Date::Parse(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(d.status().message().find(text), std::string::npos) << d.status().message();
  }
}

TEST(Date, RejectsOtherShapesQuotingTheText) {
  for (const char* text : {"2026-1-5", "2026-01-5", "26-01-05", "2026/01/05", "20260105",
                           "2026-01-05 ", " 2026-01-05", "2026-01-05T00:00", "", "abcd-ef-gh",
                           "2026-+1-05", "٢٠٢٦-01-05"}) {
    Result<Date> d = Date::Parse(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(d.status().message().find("YYYY-MM-DD"), std::string::npos) << d.status().message();
    EXPECT_NE(d.status().message().find("\"" + std::string(text) + "\""), std::string::npos)
        << d.status().message();
  }
}

TEST(Date, FiscalYearStartsOnFirstOfOctober) {
  EXPECT_EQ((Date{2025, 9, 30}).FiscalYear(), 2025);
  EXPECT_EQ((Date{2025, 10, 1}).FiscalYear(), 2026);
  EXPECT_EQ((Date{2025, 12, 31}).FiscalYear(), 2026);
  EXPECT_EQ((Date{2026, 1, 1}).FiscalYear(), 2026);
  EXPECT_EQ((Date{2026, 9, 30}).FiscalYear(), 2026);
  EXPECT_EQ((Date{2026, 10, 1}).FiscalYear(), 2027);
}

TEST(Date, ToStringPadsWithZeros) {
  EXPECT_EQ((Date{2026, 1, 5}).ToString(), "2026-01-05");
  EXPECT_EQ((Date{2025, 10, 31}).ToString(), "2025-10-31");
  EXPECT_EQ((Date{999, 1, 1}).ToString(), "0999-01-01");
}

TEST(Date, ToStringRoundTripsThroughParse) {
  for (const char* text : {"2024-02-29", "2025-10-01", "1970-01-01", "2099-12-31"}) {
    Result<Date> d = Date::Parse(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(d->ToString(), text);
  }
}

TEST(Date, OrdersByYearThenMonthThenDay) {
  Date a{2025, 12, 31}, b{2026, 1, 1}, c{2026, 1, 2}, d{2026, 2, 1};
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(c, d);
  EXPECT_GT(d, a);
  EXPECT_EQ(b, (Date{2026, 1, 1}));
  EXPECT_NE(b, c);
  EXPECT_LE(b, b);
  // Day 31 of an earlier month is before day 1 of a later one.
  EXPECT_LT((Date{2026, 1, 31}), (Date{2026, 2, 1}));
  std::vector<Date> v = {d, a, c, b};
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<Date>{a, b, c, d}));
}

TEST(Date, TodayInBangkokIsAValidDate) {
  Date today = Date::TodayInBangkok();
  Result<Date> again = Date::Parse(today.ToString());
  ASSERT_TRUE(again.ok()) << today.ToString();
  EXPECT_EQ(*again, today);
  EXPECT_GE(today.year, 2025);
}

}  // namespace
}  // namespace smematch
