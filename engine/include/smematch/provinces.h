// The 77 first-level divisions of Thailand (76 provinces + Bangkok), loaded from the rule set's
// data/provinces.csv (copied from shared/domain/provinces.csv). The DIPROM center column is a
// placeholder [assumed] that policy staff edit. Immutable after Load; thread-safe to read.
#ifndef SMEMATCH_PROVINCES_H_
#define SMEMATCH_PROVINCES_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile.h"
#include "smematch/status.h"

namespace smematch {

struct Province {
  std::string iso_code;        // ISO 3166-2:TH, e.g. "TH-50"
  std::string name_th;
  std::string name_en;
  std::string region;          // 6-region geographic grouping: "North", "Northeast", ...
  std::string region_nesdb;    // NESDB statistical region
  std::string diprom_center;   // [assumed] provisional DIPROM center, e.g. "1", "9?", "HQ?"
  bool upper_north = false;    // one of the 8 upper-northern provinces (seed 001)
};

// Thai and English names of the 6 geographic regions; id is the region as in Province::region.
std::span<const EnumLabel> RegionLabels();

class ProvinceTable {
 public:
  // Parses the CSV text of provinces.csv (header row required). Returns kInvalidArgument naming
  // the row and column of the first malformed line.
  static Result<ProvinceTable> Parse(std::string_view csv_text);

  // Returns the province with `iso_code`, or nullptr.
  const Province* Find(std::string_view iso_code) const;
  const std::vector<Province>& all() const { return provinces_; }

 private:
  static int TwoDigitCode(std::string_view code);

  std::vector<Province> provinces_;  // sorted by iso_code
  std::array<uint16_t, 100> by_number_{};  // 1 + index in provinces_ of "TH-NN"; 0: none
};

}  // namespace smematch

#endif  // SMEMATCH_PROVINCES_H_
