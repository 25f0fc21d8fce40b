// EnterpriseProfile: one applicant to a DIPROM support program, as an officer records it.
// The JSON shape is documented in docs/enterprise-profile.md and docs/enterprise.schema.json;
// CSV uses the same field names as columns. Plain value type, thread-compatible.
#ifndef SMEMATCH_PROFILE_H_
#define SMEMATCH_PROFILE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace smematch {

// Legal form of the applicant. Community enterprises (วิสาหกิจชุมชน) register with the Department
// of Agricultural Extension and often have no 13-digit juristic number (FACTS.md §3).
enum class LegalForm : uint8_t {
  kJuristicPerson,       // "juristic_person": company or partnership registered with DBD
  kCommunityEnterprise,  // "community_enterprise": registered under the 2005 Act (form สวช.01)
  kIndividual,           // "individual": sole proprietor, natural person
  kFarmerGroup,          // "farmer_group": กลุ่มเกษตรกร
  kOtopProducer,         // "otop_producer": OTOP producer group not registered otherwise
};

// Sector of Ministerial Regulation B.E. 2562 (2019). Manufacturing includes agro-processing and
// community/household production; trade and services share one set of thresholds.
enum class SmeSector : uint8_t { kManufacturing, kTradeServices };

enum class Industry : uint8_t {
  kFood, kBeverage, kCoffeeTea, kHerbs, kAgroProcessing, kSouvenirCraft, kTextile,
  kFurnitureWood, kCosmetics, kMetalMachinery, kAutoParts, kElectronics, kPlasticsChemicals,
  kRetailWholesale, kTourismHospitality, kDigitalServices, kOtherServices,
};
inline constexpr int kIndustryCount = 17;

// Certifications and licences relevant to the programs and to modern-trade channels
// (FACTS.md §5). Stored as a bit set: bit i is Certification i.
enum class Certification : uint8_t {
  kFda,    // "fda": Thai FDA (อย.) food serial number
  kGmp,    // "gmp"
  kHaccp,  // "haccp"
  kTisi,   // "tisi": TISI industrial standard (มอก.)
  kTcps,   // "tcps": Thai Community Product Standard (มผช.)
  kHalal,  // "halal": CICOT Halal
};
inline constexpr int kCertificationCount = 6;

// The 5 STAR SME mentoring dimensions of seed 003, in this fixed order.
enum class MentoringDimension : uint8_t {
  kEntrepreneurship, kMarketing, kProductInnovation, kFinanceLegal, kDigital,
};
inline constexpr int kDimensionCount = 5;

// One past participation in a program. `fiscal_year` is the Gregorian year in which the Thai
// fiscal year ends (FY 2026 runs 1 Oct 2025 – 30 Sep 2026).
struct Participation {
  std::string program;          // program id, e.g. "BSC"
  int fiscal_year = 0;
  int man_days_used = 0;        // consulting man-days used (BSC); 0 where not applicable
};

// Every field an applicant may have. The order is the bit order of missing-field masks.
enum class ProfileField : uint8_t {
  kId, kIdentifier, kName, kLegalForm, kSector, kIndustry, kProvince, kEmployees,
  kAnnualRevenueThb, kYearsOperating, kMembers, kCertifications, kOtopStars, kDigitalReadiness,
  kNeeds, kOwnFarmProduce, kVatRegistered, kGs1Barcode, kMonthlyCapacityUnits, kShelfLifeDays,
  kParticipation,
};
inline constexpr int kProfileFieldCount = 21;

struct EnterpriseProfile {
  std::string id;                          // record id, unique within a batch (required)
  std::optional<std::string> identifier;   // 13-digit juristic person number or national ID
  std::string name;                        // required, Thai or English
  std::optional<LegalForm> legal_form;
  std::optional<SmeSector> sector;
  std::optional<Industry> industry;
  std::optional<std::string> province;     // ISO 3166-2:TH code, e.g. "TH-50"
  std::optional<int64_t> employees;        // persons, from employment records
  std::optional<double> annual_revenue_thb;  // THB per year, from financial statements
  std::optional<double> years_operating;   // years
  std::optional<int64_t> members;          // persons; for community enterprises and groups
  uint32_t certifications = 0;             // bit set of Certification; absent means none
  int otop_stars = 0;                      // OTOP Product Champion rating 1–5; 0 = not rated
  std::optional<int> digital_readiness;    // self-assessed, 0 (none) – 5 (advanced)
  // Self-assessed need on each mentoring dimension, 0 (none) – 5 (urgent), indexed by
  // MentoringDimension. Absent = not assessed.
  std::optional<std::array<int, kDimensionCount>> needs;
  std::optional<bool> own_farm_produce;    // processes produce it grows or raises itself
  std::optional<bool> vat_registered;
  std::optional<bool> gs1_barcode;         // has GS1 barcodes (Thai prefix 885)
  std::optional<int64_t> monthly_capacity_units;  // units it can supply per month
  std::optional<int> shelf_life_days;      // of its main product
  std::vector<Participation> participation;  // absent means none

  bool has(Certification c) const { return (certifications >> static_cast<int>(c)) & 1u; }
};

// Returns the field's JSON / CSV / Lua name ("annual_revenue_thb").
std::string_view FieldName(ProfileField field);
// Returns the field named `name`, or nullopt.
std::optional<ProfileField> FieldByName(std::string_view name);
// Returns the names of the fields set in `mask` (bit i = ProfileField i), in field order.
std::vector<std::string_view> FieldNames(uint64_t mask);

// Names of enum values as they appear in JSON, CSV and rule scripts, with Thai and English labels.
struct EnumLabel {
  std::string_view id;
  std::string_view th;
  std::string_view en;
};
std::span<const EnumLabel> LegalFormLabels();      // indexed by LegalForm
std::span<const EnumLabel> SectorLabels();         // indexed by SmeSector
std::span<const EnumLabel> IndustryLabels();       // indexed by Industry
std::span<const EnumLabel> CertificationLabels();  // indexed by Certification
std::span<const EnumLabel> DimensionLabels();      // indexed by MentoringDimension
std::span<const EnumLabel> FieldLabels();          // indexed by ProfileField; id = FieldName

// Returns the index of `id` in `labels`, or -1.
int EnumIndex(std::span<const EnumLabel> labels, std::string_view id);
// Returns the ids of `labels` joined by ", " (for "known: ..." in error messages).
std::string KnownIds(std::span<const EnumLabel> labels);

}  // namespace smematch

#endif  // SMEMATCH_PROFILE_H_
