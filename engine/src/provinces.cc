#include "smematch/provinces.h"

#include <algorithm>

#include "csv_reader.h"

namespace smematch {

std::span<const EnumLabel> RegionLabels() {
  static constexpr EnumLabel kLabels[] = {
      {"North", "ภาคเหนือ", "North"},         {"Northeast", "ภาคตะวันออกเฉียงเหนือ", "Northeast"},
      {"Central", "ภาคกลาง", "Central"},       {"East", "ภาคตะวันออก", "East"},
      {"West", "ภาคตะวันตก", "West"},          {"South", "ภาคใต้", "South"},
  };
  return kLabels;
}

Result<ProvinceTable> ProvinceTable::Parse(std::string_view csv_text) {
  CsvReader reader;
  std::vector<std::vector<std::string>> rows;
  Status status = reader.ReadAll(csv_text, &rows);
  if (!status.ok()) return status;
  if (rows.empty()) return InvalidArgumentError("provinces.csv: empty");
  const std::vector<std::string>& header = rows[0];
  const char* wanted[] = {"iso_code", "name_th", "name_en", "region_6", "region_nesdb",
                          "diprom_center_provisional", "upper_north_8"};
  int col[7];
  for (int i = 0; i < 7; ++i) {
    auto it = std::find(header.begin(), header.end(), wanted[i]);
    if (it == header.end()) {
      return InvalidArgumentError(std::string("provinces.csv: missing column '") + wanted[i] + "'");
    }
    col[i] = static_cast<int>(it - header.begin());
  }
  ProvinceTable table;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() == 1 && row[0].empty()) continue;
    if (row.size() != header.size()) {
      return InvalidArgumentError("provinces.csv: row " + std::to_string(r + 1) + " has " +
                                  std::to_string(row.size()) + " cells, header has " +
                                  std::to_string(header.size()));
    }
    const std::string& flag = row[col[6]];
    if (flag != "yes" && flag != "no") {
      return InvalidArgumentError("provinces.csv: row " + std::to_string(r + 1) +
                                  ", column upper_north_8: expected yes or no, got \"" + flag + "\"");
    }
    table.provinces_.push_back(Province{row[col[0]], row[col[1]], row[col[2]], row[col[3]],
                                        row[col[4]], row[col[5]], flag == "yes"});
  }
  std::sort(table.provinces_.begin(), table.provinces_.end(),
            [](const Province& a, const Province& b) { return a.iso_code < b.iso_code; });
  for (size_t i = 1; i < table.provinces_.size(); ++i) {
    if (table.provinces_[i].iso_code == table.provinces_[i - 1].iso_code) {
      return InvalidArgumentError("provinces.csv: duplicate iso_code " + table.provinces_[i].iso_code);
    }
  }
  for (size_t i = 0; i < table.provinces_.size(); ++i) {
    int n = TwoDigitCode(table.provinces_[i].iso_code);
    if (n >= 0) table.by_number_[static_cast<size_t>(n)] = static_cast<uint16_t>(i + 1);
  }
  return table;
}

// Returns NN of a code "TH-NN" (two digits), or -1.
int ProvinceTable::TwoDigitCode(std::string_view code) {
  if (code.size() != 5 || code.substr(0, 3) != "TH-") return -1;
  const char a = code[3], b = code[4];
  if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
  return (a - '0') * 10 + (b - '0');
}

const Province* ProvinceTable::Find(std::string_view iso_code) const {
  // Every ISO 3166-2:TH province code is "TH-" and two digits: one array lookup. Other codes
  // (Pattaya's "TH-S", or whatever a data file holds) by binary search.
  if (int n = TwoDigitCode(iso_code); n >= 0) {
    const uint16_t i = by_number_[static_cast<size_t>(n)];
    return i == 0 ? nullptr : &provinces_[i - 1u];
  }
  auto it = std::lower_bound(provinces_.begin(), provinces_.end(), iso_code,
                             [](const Province& p, std::string_view code) { return p.iso_code < code; });
  if (it == provinces_.end() || it->iso_code != iso_code) return nullptr;
  return &*it;
}

}  // namespace smematch
