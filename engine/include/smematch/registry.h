// Registries for matching: STAR SME business mentors and modern-trade channels, read from JSON
// (one array, or JSON Lines: one object per line) or CSV (UTF-8, a header row with the same
// field names; list cells separated by ';' or '|'; expertise as expertise_<dimension> columns).
// The shapes are documented in docs/matching.md. Every problem of a row is reported with its row
// number and field (JSON pointer such as "/expertise/marketing", or the CSV column); bad rows are
// reported and left out, good rows are kept. Plain value types and free functions:
// thread-compatible.
#ifndef SMEMATCH_REGISTRY_H_
#define SMEMATCH_REGISTRY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile.h"
#include "smematch/profile_io.h"
#include "smematch/provinces.h"
#include "smematch/status.h"

namespace smematch {

// Where a mentor works or a channel buys: a set of provinces, as indexes into
// ProvinceTable::all(). Written in registries as ISO 3166-2:TH codes ("TH-50"), region ids of the
// 6-region grouping ("North", "Northeast", "Central", "East", "West", "South") or "all".
struct ProvinceSet {
  std::array<uint64_t, 2> bits{};  // up to 128 provinces (77 today)
  bool Has(int province_index) const {
    return province_index >= 0 && province_index < 128 &&
           ((bits[province_index >> 6] >> (province_index & 63)) & 1u);
  }
  void Add(int province_index) { bits[province_index >> 6] |= uint64_t{1} << (province_index & 63); }
  int Count() const;
};

// One STAR SME business mentor (FACTS.md §1: the 5 mentoring dimensions of seed 003).
struct Mentor {
  std::string id;                                // unique in the registry
  std::string name;                              // Thai or English
  std::array<int, kDimensionCount> expertise{};  // level 0 (none) – 5 (expert), by MentoringDimension
  uint32_t industries = 0;                       // bit set of Industry
  bool all_industries = false;                   // "all" in industries: a generalist
  std::string home_province;                     // ISO 3166-2:TH
  std::vector<std::string> serves;               // as written: codes, regions or "all"
  ProvinceSet served;                            // resolved; the home province is always served
  std::vector<std::string> languages;            // ISO 639-1 codes, e.g. "th", "en", "zh"
  int capacity = 0;                              // enterprises at once, 0–1000
  bool active = true;
};

// Requirement ids a channel may list in `requires`: the certification ids of profile.h
// (fda, gmp, haccp, tisi, tcps, halal) and "gs1_barcode", "vat_registered".
inline constexpr uint32_t kRequiresGs1Barcode = 1u << 16;
inline constexpr uint32_t kRequiresVatRegistered = 1u << 17;

// One modern-trade channel or program (FACTS.md §5). Numeric minimums are [assumed]
// placeholders kept in the registry data, never in code.
struct Channel {
  std::string id;                      // unique in the registry, e.g. "CPALL-7ELEVEN-LOCAL"
  std::string chain;                   // e.g. "7-Eleven (CP All)"
  std::string program;                 // the chain's supplier program, e.g. "local SME shelf"
  uint32_t industries = 0;             // bit set of Industry accepted
  bool all_industries = false;
  uint32_t requires_mask = 0;          // bit i = Certification i; kRequiresGs1Barcode, kRequiresVatRegistered
  std::optional<int64_t> min_monthly_capacity_units;  // units per month [assumed]
  std::optional<int> min_shelf_life_days;              // days [assumed]
  std::vector<std::string> serves;     // as written
  ProvinceSet served;                  // resolved
  std::optional<int> slots;            // new suppliers this round; absent = unlimited
  bool active = true;
};

// One registry row that could not be read.
struct RegistryRowError {
  size_t row = 0;                  // 1-based: JSON array item, JSON Lines line, CSV data row
  std::string id;                  // when the row had a readable id
  std::vector<FieldError> errors;  // every problem of the row
};

template <typename T>
struct Registry {
  std::vector<T> items;                   // good rows, in input order
  std::vector<RegistryRowError> bad_rows; // in row order
};
using MentorRegistry = Registry<Mentor>;
using ChannelRegistry = Registry<Channel>;

enum class RegistryFormat { kJson, kJsonLines, kCsv };

// Reads a registry from `text` (a leading UTF-8 byte order mark is skipped). kJson accepts an
// array of objects (or, if the text does not start with '[', JSON Lines). Returns
// kInvalidArgument when the input cannot be read as a whole (malformed JSON array, CSV quoting,
// a CSV header with unknown or duplicate columns or without id); bad rows are in bad_rows.
Result<MentorRegistry> ReadMentors(std::string_view text, RegistryFormat format,
                                   const ProvinceTable& provinces);
Result<ChannelRegistry> ReadChannels(std::string_view text, RegistryFormat format,
                                     const ProvinceTable& provinces);

// Reads the file at `path`, the format chosen by its extension (.csv, .jsonl, else JSON).
// kNotFound when it cannot be read.
Result<MentorRegistry> ReadMentorsFile(const std::string& path, const ProvinceTable& provinces);
Result<ChannelRegistry> ReadChannelsFile(const std::string& path, const ProvinceTable& provinces);

// Reads every enterprise profile of `text` with ProfileReader (the reader `screen` uses): a JSON
// object or array (kJson), JSON Lines, or CSV (libcsv, header as in docs/enterprise-profile.md).
// Bad records are appended to `bad` (row and every field error) and left out. Returns
// kInvalidArgument when the input cannot be read as a whole (malformed JSON document, CSV
// quoting or header). For matching, which needs every enterprise in memory at once.
Result<std::vector<EnterpriseProfile>> ReadProfiles(std::string_view text, RegistryFormat format,
                                                    const ProvinceTable& provinces,
                                                    std::vector<RegistryRowError>* bad);

// Returns the requirement ids of `mask` in a fixed order (certifications, then gs1_barcode,
// vat_registered).
std::vector<std::string_view> RequirementIds(uint32_t mask);

}  // namespace smematch

#endif  // SMEMATCH_REGISTRY_H_
