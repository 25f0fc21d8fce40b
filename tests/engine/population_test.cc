#include "smematch/population.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "smematch/identifier.h"
#include "smematch/profile_io.h"
#include "smematch/provinces.h"
#include "smematch/sme_size.h"

namespace smematch {
namespace {

using nlohmann::json;

// The repository root: SMEMATCH_SOURCE_DIR when the build defines it, else two levels above
// this file (tests/engine/).
std::filesystem::path SourceDir() {
#ifdef SMEMATCH_SOURCE_DIR
  return SMEMATCH_SOURCE_DIR;
#else
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
#endif
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& MixText() {
  static const std::string text = ReadFile(SourceDir() / "data" / "population_mix.json");
  return text;
}

// Returns the shipped mix, or nullptr if it does not parse (ParsesTheShippedMix says why).
const PopulationMix* Mix() {
  static const std::optional<PopulationMix> mix = []() -> std::optional<PopulationMix> {
    Result<PopulationMix> r = ParsePopulationMix(MixText());
    if (!r.ok()) return std::nullopt;
    return std::move(r).value();
  }();
  return mix ? &*mix : nullptr;
}

std::string ToJson(const EnterpriseProfile& p) {
  std::string s;
  AppendProfileJson(p, &s);
  return s;
}

// The 8 upper-northern provinces of seed 001 (shared/domain/provinces.csv, upper_north_8).
const std::set<std::string> kUpperNorth = {"TH-50", "TH-51", "TH-52", "TH-54",
                                           "TH-55", "TH-56", "TH-57", "TH-58"};

TEST(PopulationMix, ParsesTheShippedMix) {
  ASSERT_FALSE(MixText().empty()) << "data/population_mix.json not found under " << SourceDir();
  Result<PopulationMix> r = ParsePopulationMix(MixText());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const PopulationMix& mix = *r;
  EXPECT_EQ(mix.total_enterprises, 3'200'000);  // FACTS.md §6
  EXPECT_EQ(mix.legal_form_weights[static_cast<int>(LegalForm::kCommunityEnterprise)], 82'888);
  EXPECT_EQ(mix.otop_producers, 93'414);
  EXPECT_EQ(mix.provinces.size(), 77u);
  double weights = 0;
  for (double w : mix.legal_form_weights) weights += w;
  EXPECT_EQ(weights, mix.total_enterprises);
}

// A copy of the shipped mix with one edit, re-serialised.
std::string Edited(const std::string& pointer, const json* value) {
  json j = json::parse(MixText(), nullptr, false);
  json::json_pointer ptr(pointer);
  if (value == nullptr) {
    j[ptr.parent_pointer()].erase(ptr.back());
  } else {
    j[ptr] = *value;
  }
  return j.dump();
}

TEST(PopulationMix, ErrorsNameTheBadKey) {
  ASSERT_NE(Mix(), nullptr);
  struct Case {
    std::string pointer;        // where to edit
    std::optional<json> value;  // nullopt: remove the key
    std::string expected;       // start of the error message after "population mix: "
  };
  const std::vector<Case> cases = {
      {"/legal_forms/individual", std::nullopt, "/legal_forms/individual: missing"},
      {"/legal_forms/individual/count", -5, "/legal_forms/individual/count: expected a number"},
      {"/legal_forms/sole_trader", json{{"count", 1}, {"source", "x"}},
       "/legal_forms/sole_trader: unknown legal form"},
      {"/certifications/fda/source", std::nullopt, "/certifications/fda/source: missing"},
      {"/certifications/fda/source", "", "/certifications/fda/source: expected a non-empty string"},
      {"/certifications/gmp/requires", "haccp",
       "/certifications/gmp/requires: expected a certification"},
      {"/size/extra", 1, "/size/extra: unknown key"},
      {"/size/upper_bounds/manufacturing/employees/1", 4,
       "/size/upper_bounds/manufacturing/employees/1: bounds must increase"},
      {"/provinces/TH-5", json{{"count", 10}, {"source", "x"}},
       "/provinces/TH-5: expected an ISO 3166-2:TH province code"},
      {"/industry_multipliers/0/provinces/0", "TH-99",
       "/industry_multipliers/0/provinces/0: unknown province"},
      {"/industry_weights/otop/coffee", 3, "/industry_weights/otop/coffee: unknown industry"},
      {"/identifiers/individual/patterns/9PPDDDDDDDDD", 1,
       "/identifiers/individual/patterns/9PPDDDDDDDDD: must start with a digit 0–8"},
      {"/identifiers/individual/patterns/1PPDDDD", 1,
       "/identifiers/individual/patterns/1PPDDDD: expected 12 characters"},
      {"/otop/stars_weights/values", json::array({1, 2}),
       "/otop/stars_weights/values: expected an array of 6"},
      {"/missing/name", 0.1, "/missing/name: a required field cannot be missing"},
      {"/missing/employes", 0.1, "/missing/employes: unknown profile field"},
      {"/participation/fiscal_years/2569", 0.1,
       "/participation/fiscal_years/2569: expected a Gregorian fiscal year"},
      {"/names/templates/individual/0", "ร้าน{shop}", "/names/templates/individual/0: placeholders"},
      {"/format", "v2", "/format: expected"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.pointer);
    Result<PopulationMix> r = ParsePopulationMix(Edited(c.pointer, c.value ? &*c.value : nullptr));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("population mix: " + c.expected, 0), 0u)
        << r.status().message();
  }
}

TEST(PopulationMix, MalformedJsonIsInvalidArgument) {
  Result<PopulationMix> r = ParsePopulationMix("{\"format\": ");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePopulationMix("[]").status().code(), StatusCode::kInvalidArgument);
}

TEST(PopulationGenerator, SameSeedSameProfiles) {
  ASSERT_NE(Mix(), nullptr);
  PopulationGenerator a(*Mix(), 42), b(*Mix(), 42);
  EnterpriseProfile pa, pb;
  for (uint64_t i : {0ull, 1ull, 2ull, 17ull, 999'999ull, 3'199'999ull, 1ull << 40}) {
    a.Generate(i, &pa);
    b.Generate(i, &pb);
    EXPECT_EQ(ToJson(pa), ToJson(pb)) << "index " << i;
  }
}

TEST(PopulationGenerator, IsAPureFunctionOfTheIndex) {
  ASSERT_NE(Mix(), nullptr);
  PopulationGenerator gen(*Mix(), 7);
  EnterpriseProfile reused, fresh;
  std::vector<std::string> forward;
  for (uint64_t i = 0; i < 500; ++i) {
    gen.Generate(i, &reused);  // reusing one profile must not leak state between calls
    forward.push_back(ToJson(reused));
  }
  for (uint64_t i = 500; i-- > 0;) {
    EnterpriseProfile p;
    gen.Generate(i, &p);
    EXPECT_EQ(ToJson(p), forward[i]) << "index " << i;
  }
  // Threads generating disjoint ranges see what one thread sees.
  std::vector<std::string> threaded(forward.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      EnterpriseProfile p;
      for (size_t i = t; i < threaded.size(); i += 4) {
        gen.Generate(i, &p);
        threaded[i] = ToJson(p);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(threaded, forward);
  gen.Generate(0, &fresh);
  EXPECT_EQ(fresh.id, "SYN-0000001");
  gen.Generate(12'345'677, &fresh);
  EXPECT_EQ(fresh.id, "SYN-12345678");
}

TEST(PopulationGenerator, DifferentSeedsDiffer) {
  ASSERT_NE(Mix(), nullptr);
  PopulationGenerator a(*Mix(), 1), b(*Mix(), 2);
  EnterpriseProfile pa, pb;
  int same = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    a.Generate(i, &pa);
    b.Generate(i, &pb);
    same += ToJson(pa) == ToJson(pb);
  }
  EXPECT_LT(same, 10);
}

// Statistics over 200,000 profiles, shared by the tests below.
struct Sample {
  static constexpr int kCount = 200'000;
  int64_t with_form = 0, community = 0, community_members_below_7 = 0;
  int64_t with_province = 0, upper_north = 0;
  int64_t sized = 0, micro_or_small = 0, large = 0;
  int64_t identifiers = 0, bad_identifiers = 0, wrong_kind = 0;
  int64_t community_with_identifier = 0;
  int64_t employees_missing = 0, both_size_measures_missing = 0;
  int64_t cm_profiles = 0, cm_coffee_tea = 0, bkk_profiles = 0, bkk_coffee_tea = 0;
  int64_t bsc_bad_man_days = 0, participations = 0;
  int64_t unreadable = 0;
  std::string first_unreadable;
};

const Sample& Stats() {
  static const Sample s = [] {
    Sample st;
    Result<ProvinceTable> table =
        ProvinceTable::Parse(ReadFile(SourceDir() / "rules" / "data" / "provinces.csv"));
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    ProfileReader reader(table.ok() ? &*table : nullptr);
    PopulationGenerator gen(*Mix(), 20260101);
    EnterpriseProfile p, back;
    std::vector<FieldError> errors;
    std::string json_text;
    for (int i = 0; i < Sample::kCount; ++i) {
      gen.Generate(i, &p);
      if (p.legal_form) {
        ++st.with_form;
        if (*p.legal_form == LegalForm::kCommunityEnterprise) {
          ++st.community;
          st.community_members_below_7 += p.members && *p.members < 7;
          st.community_with_identifier += p.identifier.has_value();
        }
      }
      if (p.province) {
        ++st.with_province;
        st.upper_north += kUpperNorth.contains(*p.province);
        bool coffee = p.industry == Industry::kCoffeeTea;
        if (*p.province == "TH-50") ++st.cm_profiles, st.cm_coffee_tea += coffee;
        if (*p.province == "TH-10") ++st.bkk_profiles, st.bkk_coffee_tea += coffee;
      }
      if (p.sector) {
        std::optional<SmeSize> size = ClassifySmeSize(*p.sector, p.employees, p.annual_revenue_thb,
                                                      SizeTieBreak::kRevenuePrevails);
        if (size && *size == SmeSize::kLarge) ++st.large;
        if (size && *size != SmeSize::kLarge) {
          ++st.sized;
          st.micro_or_small += *size == SmeSize::kMicro || *size == SmeSize::kSmall;
        }
      }
      if (p.identifier) {
        ++st.identifiers;
        st.bad_identifiers += !ValidateIdentifier(*p.identifier).ok();
        if (p.legal_form && ValidateIdentifier(*p.identifier).ok()) {
          IdentifierKind kind = ClassifyIdentifier(*p.identifier);
          if (*p.legal_form == LegalForm::kJuristicPerson) {
            st.wrong_kind += kind != IdentifierKind::kJuristicPerson;
          } else if (*p.legal_form == LegalForm::kIndividual) {
            st.wrong_kind += kind != IdentifierKind::kNationalId;
          }
        }
      }
      st.employees_missing += !p.employees;
      st.both_size_measures_missing += !p.employees && !p.annual_revenue_thb;
      for (const Participation& part : p.participation) {
        ++st.participations;
        if (part.program == "BSC") {
          st.bsc_bad_man_days += part.man_days_used < 1 || part.man_days_used > 3;
        }
      }
      // Every generated profile is valid input to the engine's reader.
      json_text.clear();
      AppendProfileJson(p, &json_text);
      if (!reader.ParseJson(json_text, &back, &errors).ok()) {
        if (st.unreadable++ == 0)
          st.first_unreadable = json_text + " -> " + JoinFieldErrors(errors);
      }
    }
    return st;
  }();
  return s;
}

TEST(PopulationGenerator, EveryIdentifierPassesTheCheckDigit) {
  ASSERT_NE(Mix(), nullptr);
  const Sample& s = Stats();
  EXPECT_GT(s.identifiers, Sample::kCount / 2);
  EXPECT_EQ(s.bad_identifiers, 0);
  EXPECT_EQ(s.wrong_kind, 0);  // juristic persons start with 0, individuals with 1–8
  // Community enterprises usually have no number (FACTS.md §3).
  EXPECT_LT(s.community_with_identifier * 2, s.community);
}

TEST(PopulationGenerator, MicroAndSmallAreOver99PercentOfSmes) {
  ASSERT_NE(Mix(), nullptr);
  const Sample& s = Stats();
  ASSERT_GT(s.sized, Sample::kCount * 9 / 10);
  EXPECT_GT(static_cast<double>(s.micro_or_small) / s.sized, 0.99);
  EXPECT_GT(s.large, 0);  // a few large firms, which screening must turn away
}

TEST(PopulationGenerator, CommunityEnterpriseShareFollowsTheMix) {
  ASSERT_NE(Mix(), nullptr);
  const Sample& s = Stats();
  const PopulationMix& mix = *Mix();
  double total = 0;
  for (double w : mix.legal_form_weights) total += w;
  const double expected =
      mix.legal_form_weights[static_cast<int>(LegalForm::kCommunityEnterprise)] / total;
  EXPECT_NEAR(expected, 82'888.0 / 3'200'000, 1e-9);  // FACTS.md §6
  // σ ≈ 0.036 percentage points at n = 200,000; allow about 5σ.
  EXPECT_NEAR(static_cast<double>(s.community) / s.with_form, expected, 0.0018);
  EXPECT_EQ(s.community_members_below_7, 0);  // form สวช.01 needs 7 members
}

TEST(PopulationGenerator, UpperNorthShareFollowsTheMix) {
  ASSERT_NE(Mix(), nullptr);
  const Sample& s = Stats();
  double total = 0, upper = 0;
  for (const auto& p : Mix()->provinces) {
    total += p.weight;
    if (kUpperNorth.contains(p.iso_code)) upper += p.weight;
  }
  EXPECT_NEAR(upper / total, 300'000.0 / 3'200'000, 1e-9);  // FACTS.md §6
  EXPECT_NEAR(static_cast<double>(s.upper_north) / s.with_province, upper / total, 0.004);
  // Seed 001: coffee and tea are a northern specialty, weighted up there by the mix.
  EXPECT_GT(static_cast<double>(s.cm_coffee_tea) / s.cm_profiles,
            2.0 * static_cast<double>(s.bkk_coffee_tea) / s.bkk_profiles);
}

TEST(PopulationGenerator, MissingFieldsFollowTheMix) {
  ASSERT_NE(Mix(), nullptr);
  const Sample& s = Stats();
  const double expected = Mix()->missing_share[static_cast<int>(ProfileField::kEmployees)];
  EXPECT_NEAR(static_cast<double>(s.employees_missing) / Sample::kCount, expected, 0.003);
  EXPECT_GT(s.both_size_measures_missing, 0);  // some need more information to be screened
}

TEST(PopulationGenerator, ParticipationUsesBscManDays) {
  ASSERT_NE(Mix(), nullptr);
  const Sample& s = Stats();
  EXPECT_GT(s.participations, 0);
  EXPECT_EQ(s.bsc_bad_man_days, 0);  // 1–3 of the 3 free man-days a year (seed 003)
}

TEST(PopulationGenerator, ProfilesAreValidEngineInput) {
  ASSERT_NE(Mix(), nullptr);
  const Sample& s = Stats();
  EXPECT_EQ(s.unreadable, 0) << s.first_unreadable;
}

}  // namespace
}  // namespace smematch
