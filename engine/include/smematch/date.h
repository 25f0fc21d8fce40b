// Calendar dates (proleptic Gregorian) and the Thai government fiscal year, which starts on
// 1 October: FY 2026 runs from 2025-10-01 to 2026-09-30 (B.E. 2569). Value type, thread-safe.
#ifndef SMEMATCH_DATE_H_
#define SMEMATCH_DATE_H_

#include <compare>
#include <string>
#include <string_view>

#include "smematch/status.h"

namespace smematch {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  // Parses "YYYY-MM-DD". Returns kInvalidArgument for another shape or a day that does not exist.
  static Result<Date> Parse(std::string_view text);
  // Returns today's date in Asia/Bangkok (UTC+7, no daylight saving).
  static Date TodayInBangkok();

  std::string ToString() const;  // "YYYY-MM-DD"
  // Returns the Gregorian year in which this date's Thai fiscal year ends.
  int FiscalYear() const { return month >= 10 ? year + 1 : year; }

  friend auto operator<=>(const Date&, const Date&) = default;
};

}  // namespace smematch

#endif  // SMEMATCH_DATE_H_
