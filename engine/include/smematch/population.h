// A synthetic national population of Thai enterprises, for benchmarks, load tests and demos.
// PopulationMix holds every parameter of the population, parsed from data/population_mix.json,
// where each number carries its source (a FACTS.md section, or [assumed]); nothing about the
// population is decided in C++. PopulationGenerator turns a mix and a seed into profiles.
// PopulationMix is a plain value type (thread-compatible). PopulationGenerator is immutable after
// construction and thread-safe: threads may call Generate on one instance concurrently.
#ifndef SMEMATCH_POPULATION_H_
#define SMEMATCH_POPULATION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile.h"
#include "smematch/status.h"

namespace smematch {

// The parameters of a synthetic population. Weights are relative (any non-negative scale);
// shares are probabilities in [0, 1]. Arrays indexed "by size" follow SmeSize (micro, small,
// medium, large); "by group" follow LegalForm, then kOtopGroup.
struct PopulationMix {
  static constexpr int kLegalForms = 5;  // values of LegalForm
  static constexpr int kGroups = 6;      // values of LegalForm, then kOtopGroup
  static constexpr int kOtopGroup = 5;   // every OTOP producer, whatever its legal form
  static constexpr int kSizes = 4;       // values of SmeSize
  static constexpr int kLevels = 6;      // points 0–5 of the self-assessment scales

  struct Range {  // inclusive
    double min = 0;
    double max = 0;
  };
  struct ProvinceWeight {
    std::string iso_code;  // "TH-50"
    double weight = 0;     // enterprises
  };
  // Scales industry weights in a set of provinces (regional specialisation).
  struct IndustryMultiplier {
    std::vector<std::string> provinces;
    std::array<double, kIndustryCount> multipliers{};  // 1 where the mix names none
  };
  struct IndustryInfo {
    SmeSector sector = SmeSector::kManufacturing;
    bool farm_based = false;               // may process its own farm produce
    std::optional<Range> shelf_life_days;  // absent: products without a shelf life
    std::vector<std::string> products;     // words for "{product}" in names, never empty
  };
  struct ProvinceMultiplier {
    std::vector<std::string> provinces;
    double multiplier = 1;
  };
  // P(certified) = rate × group multiplier × size multiplier × province multiplier, capped at 1,
  // for enterprises of the listed industries holding `requires` (if any); 0 otherwise.
  struct CertificationRule {
    double rate = 0;
    uint32_t industries = 0;  // bit i = Industry i
    std::array<double, kGroups> group_multipliers{};
    std::array<double, kSizes> size_multipliers{};
    std::vector<ProvinceMultiplier> province_multipliers;
    std::optional<Certification> requires_cert;
  };
  // A 12-character identifier pattern: digits are literal, "PP" is the province's two digits,
  // "D" any digit; the mod-11 check digit is appended.
  struct IdentifierPattern {
    std::string pattern;
    double weight = 0;
  };
  struct IdentifierRule {
    double share = 0;  // share of the legal form that has an identifier
    std::vector<IdentifierPattern> patterns;
  };
  struct ProgramWeight {
    std::string program;  // "BSC"
    double weight = 0;
    std::optional<Range> man_days;  // consulting man-days used; absent: 0
  };
  struct FiscalYearWeight {
    int fiscal_year = 0;  // Gregorian year in which the Thai fiscal year ends
    double weight = 0;
  };
  // Inclusive upper bounds of micro, small and medium (the SME definition), by SmeSector.
  struct SizeBounds {
    std::array<double, 3> employees{};
    std::array<double, 3> revenue_thb{};
  };

  double total_enterprises = 0;                          // the population's size
  std::array<double, kLegalForms> legal_form_weights{};  // enterprises, by LegalForm
  double otop_producers = 0;                             // enterprises that are OTOP producers
  std::array<double, kLegalForms> otop_share_by_legal_form{};  // sums to ≤ 1
  std::array<double, kLevels> otop_star_weights{};             // by stars, 0 = not rated
  std::vector<ProvinceWeight> provinces;                       // every province that can be drawn
  std::array<IndustryInfo, kIndustryCount> industries;
  std::array<std::array<double, kIndustryCount>, kGroups> industry_weights{};  // by group
  std::vector<IndustryMultiplier> industry_multipliers;
  std::array<SizeBounds, 2> size_bounds{};                             // by SmeSector
  Range employees_extremes;                                            // persons
  Range revenue_extremes;                                              // THB per year
  std::array<std::array<double, kSizes>, kLegalForms> size_weights{};  // by LegalForm, size
  double employee_size_mismatch_share = 0;
  std::array<std::optional<Range>, kLegalForms> members;  // persons; absent: no members field
  std::array<Range, kSizes> years_operating;              // years, by size
  std::array<CertificationRule, kCertificationCount> certifications;
  std::array<std::array<double, kLevels>, kSizes> digital_readiness_weights{};  // by size, level
  double needs_assessed_share = 0;
  std::array<std::array<double, kLevels>, kDimensionCount> need_weights{};  // by dimension, level
  std::array<double, kLegalForms> own_farm_produce_share{};  // in farm-based industries
  double vat_threshold_thb = 0;                              // THB per year
  double vat_share_above = 0;
  double vat_share_below = 0;
  std::array<double, kSizes> gs1_share_by_size{};  // manufacturers only
  Range unit_price_thb;                            // THB per unit, for monthly capacity
  std::array<IdentifierRule, kLegalForms> identifiers;
  double participation_share = 0;
  double second_participation_share = 0;
  std::vector<ProgramWeight> programs;
  std::vector<FiscalYearWeight> fiscal_years;
  std::array<double, kProfileFieldCount> missing_share{};            // by ProfileField
  std::array<std::vector<std::string>, kLegalForms> name_templates;  // {product} {place} {brand}
  std::vector<std::string> places;
  std::vector<std::string> brands;
};

// Parses the JSON text of population_mix.json. Every parameter is required and every object
// holding numbers must carry a non-empty "source". Returns kInvalidArgument whose message starts
// with the JSON pointer of the bad key ("/legal_forms/individual/count: ...").
Result<PopulationMix> ParsePopulationMix(std::string_view json_text);

// Generates the enterprises of a synthetic population. Deterministic: the same mix and seed give
// the same profiles on any platform (own PRNG and sampling; integer or IEEE-exact arithmetic at
// generation time, no std:: distributions and no libm). Thread-safe; cheap to copy.
class PopulationGenerator {
 public:
  // Precomputes sampling tables from `mix`, which must come from ParsePopulationMix.
  PopulationGenerator(const PopulationMix& mix, uint64_t seed);

  // Fills `*out` with enterprise number `index` (0-based) of the population, record id
  // "SYN-0000001" for index 0. A pure function of (mix, seed, index), so threads can generate
  // disjoint ranges. Reuses the capacity of `*out`'s strings and vectors: passing the same
  // profile again allocates nothing beyond names longer than any before.
  void Generate(uint64_t index, EnterpriseProfile* out) const;

 private:
  struct Tables;
  std::shared_ptr<const Tables> tables_;
  uint64_t seed_key_;
};

}  // namespace smematch

#endif  // SMEMATCH_POPULATION_H_
