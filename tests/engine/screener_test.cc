// Tests of Screener: outcomes, the needs-information semantics (missing data is never a silent
// fail nor a rule error), reasons and benefits, and that explain does not change decisions.
#include "smematch/screener.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile.h"
#include "smematch/profile_io.h"
#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch {
namespace {

// Returns success if `text` contains `needle` (gmock is not linked into engine_tests).
::testing::AssertionResult Contains(const std::string& text, const std::string& needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\"\ndoes not contain \"" << needle << "\"";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& ProvincesCsv() {
  static const std::string csv = ReadFile(SMEMATCH_SOURCE_DIR "/rules/data/provinces.csv");
  return csv;
}

Date D(const char* text) { return *Date::Parse(text); }

// Joins `lines` with newlines: line i of the script is lines[i - 1].
std::string Lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

uint64_t Bit(ProfileField f) { return uint64_t{1} << static_cast<int>(f); }

// A criterion whose test is `function(e, p, c) <body> end`, all on one line.
std::string Criterion(const std::string& id, const std::string& body) {
  return "criterion \"" + id + "\" { th = \"เกณฑ์ " + id + "\", en = \"criterion " + id + "\", " +
         "fail = { th = \"ไม่ผ่าน " + id + "\", en = \"failed " + id + "\" }, " +
         "test = function(e, p, c) " + body + " end }\n";
}

// A program script: lines 1–2 declare program `id`, then one line per criterion.
std::string Program(const std::string& id, const std::vector<std::string>& criteria) {
  std::string s = "program { id = \"" + id + "\", version = \"1\", effective_from = \"2025-10-01\",\n" +
                  "  name = { th = \"โครงการ " + id + "\", en = \"program " + id + "\" } }\n";
  for (const std::string& c : criteria) s += c;
  return s;
}

// Loads the rule set of `files` (plus the province data) and creates a Screener for it.
struct Fixture {
  std::shared_ptr<const RuleSet> rules;
  std::unique_ptr<Screener> screener;
};

Fixture Load(std::vector<RuleSet::File> files) {
  Fixture f;
  files.push_back({"rules/data/provinces.csv", ProvincesCsv()});
  auto rules = RuleSet::FromFiles(std::move(files));
  if (!rules.ok()) {
    ADD_FAILURE() << "rule set refused: " << rules.status().ToString();
    return f;
  }
  f.rules = *rules;
  auto screener = Screener::Create(f.rules);
  if (!screener.ok()) {
    ADD_FAILURE() << "screener refused: " << screener.status().ToString();
    return f;
  }
  f.screener = std::move(*screener);
  return f;
}

Fixture LoadShipped() {
  Fixture f;
  auto rules = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  if (!rules.ok()) {
    ADD_FAILURE() << "shipped rules refused: " << rules.status().ToString();
    return f;
  }
  f.rules = *rules;
  auto screener = Screener::Create(f.rules);
  if (!screener.ok()) {
    ADD_FAILURE() << "screener refused: " << screener.status().ToString();
    return f;
  }
  f.screener = std::move(*screener);
  return f;
}

// A complete applicant that the shipped rules find eligible for BSC and STAR_SME.
EnterpriseProfile Applicant() {
  EnterpriseProfile p;
  p.id = "T-1";
  p.name = "วิสาหกิจชุมชนกาแฟทดสอบ";
  p.legal_form = LegalForm::kCommunityEnterprise;
  p.sector = SmeSector::kManufacturing;
  p.industry = Industry::kCoffeeTea;
  p.province = "TH-50";
  p.employees = 42;
  p.annual_revenue_thb = 12'500'000;
  p.years_operating = 9;
  p.members = 30;
  p.certifications = (1u << static_cast<int>(Certification::kFda)) |
                     (1u << static_cast<int>(Certification::kGmp));
  p.otop_stars = 4;
  p.digital_readiness = 3;
  p.needs = std::array<int, kDimensionCount>{2, 4, 3, 2, 3};
  p.own_farm_produce = true;
  p.vat_registered = true;
  p.gs1_barcode = true;
  p.monthly_capacity_units = 9000;
  p.shelf_life_days = 365;
  return p;
}

ScreenOptions Options(bool explain, const char* as_of = "2026-03-01") {
  ScreenOptions o;
  o.as_of = D(as_of);
  o.explain = explain;
  return o;
}

// Screens `p` with `f` and returns the decisions (empty, with a failure, if Screen fails).
std::vector<Decision> Screen(Fixture& f, const EnterpriseProfile& p, const ScreenOptions& o) {
  std::vector<Decision> d;
  if (f.screener == nullptr) return d;
  Status s = f.screener->Screen(p, o, &d);
  if (!s.ok()) {
    ADD_FAILURE() << "Screen failed: " << s.ToString();
    d.clear();
  }
  return d;
}

std::vector<std::string> Names(uint64_t mask) {
  std::vector<std::string> out;
  for (std::string_view n : FieldNames(mask)) out.emplace_back(n);
  return out;
}

const std::vector<std::string> kMembersOnly = {"members"};

// ---------------------------------------------------------------------------------------------
// Needs information

TEST(Screener, MissingFieldMakesNeedsInformation) {
  Fixture f = Load({{"rules/programs/x.lua",
                     Program("X", {Criterion("members", "return e.members ~= nil and e.members >= 7"),
                                   Criterion("staff", "return e.employees == 42")})}});
  EnterpriseProfile p = Applicant();
  p.members.reset();
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    std::vector<Decision> d = Screen(f, p, Options(explain));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].outcome, Outcome::kNeedsInformation) << d[0].error.ToString();
    EXPECT_EQ(d[0].failed, 0u);
    EXPECT_EQ(d[0].undecided, 0b01u);
    EXPECT_EQ(Names(d[0].missing_fields), kMembersOnly);
    EXPECT_EQ(d[0].missing_fields, Bit(ProfileField::kMembers));
    if (explain) {
      ASSERT_EQ(d[0].criteria.size(), 2u);
      EXPECT_EQ(d[0].criteria[0].outcome, CriterionOutcome::kNeedsInformation);
      EXPECT_EQ(d[0].criteria[0].missing_fields, Bit(ProfileField::kMembers));
      EXPECT_TRUE(Contains(d[0].criteria[0].reason.en, "needs information"));
      EXPECT_FALSE(d[0].criteria[0].reason.th.empty());
      EXPECT_EQ(d[0].criteria[1].outcome, CriterionOutcome::kPass);
      EXPECT_EQ(d[0].criteria[1].missing_fields, 0u);
      EXPECT_FALSE(d[0].benefit.has_value());
    }
  }
}

TEST(Screener, FailingCriterionWinsOverMissingData) {
  // In both orders, and with the missing-data criterion raising or returning false.
  const std::string fails = Criterion("staff", "return e.employees < 10");
  for (const std::string& missing : {Criterion("members", "return e.members ~= nil and e.members >= 7"),
                                     Criterion("members", "return e.members >= 7")}) {
    for (bool failing_first : {true, false}) {
      Fixture f = Load({{"rules/programs/x.lua",
                         Program("X", failing_first ? std::vector{fails, missing}
                                                    : std::vector{missing, fails})}});
      EnterpriseProfile p = Applicant();
      p.members.reset();
      for (bool explain : {true, false}) {
        SCOPED_TRACE(missing + (failing_first ? " failing first" : " failing last") +
                     (explain ? ", explain" : ", no explain"));
        std::vector<Decision> d = Screen(f, p, Options(explain));
        ASSERT_EQ(d.size(), 1u);
        EXPECT_EQ(d[0].outcome, Outcome::kIneligible) << d[0].error.ToString();
        EXPECT_EQ(d[0].failed, failing_first ? 0b01u : 0b10u);
        EXPECT_EQ(d[0].undecided, failing_first ? 0b10u : 0b01u);
        EXPECT_EQ(Names(d[0].missing_fields), kMembersOnly);
      }
    }
  }
}

TEST(Screener, TestThatHandlesNilItselfPasses) {
  Fixture f = Load({{"rules/programs/x.lua",
                     Program("X", {Criterion("members", "return e.members == nil or e.members >= 7")})}});
  EnterpriseProfile p = Applicant();
  p.members.reset();
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    std::vector<Decision> d = Screen(f, p, Options(explain));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].outcome, Outcome::kEligible) << d[0].error.ToString();
    EXPECT_EQ(d[0].undecided, 0u);
    EXPECT_EQ(d[0].missing_fields, 0u);
    if (explain) {
      ASSERT_EQ(d[0].criteria.size(), 1u);
      EXPECT_EQ(d[0].criteria[0].outcome, CriterionOutcome::kPass);
      EXPECT_EQ(d[0].criteria[0].missing_fields, 0u);
    }
  }
}

TEST(Screener, TestRaisingAfterReadingAMissingFieldNeedsInformation) {
  // `e.members >= 7` with members absent compares nil with a number: missing data, not a bug.
  // AAA raises in its first criterion, BBB in its last; CCC, after them, is screened as usual.
  Fixture f = Load({{"rules/programs/a.lua",
                     Program("AAA", {Criterion("members", "return e.members >= 7"),
                                     Criterion("staff", "return e.employees == 42")})},
                    {"rules/programs/b.lua",
                     Program("BBB", {Criterion("staff", "return e.employees == 42"),
                                     Criterion("members", "return e.members >= 7")})},
                    {"rules/programs/c.lua", Program("CCC", {Criterion("staff", "return e.employees == 42")})}});
  EnterpriseProfile p = Applicant();
  p.members.reset();
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    std::vector<Decision> d = Screen(f, p, Options(explain));
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].outcome, Outcome::kNeedsInformation) << d[0].error.ToString();
    EXPECT_EQ(d[0].undecided, 0b01u);
    EXPECT_EQ(d[0].failed, 0u);
    EXPECT_EQ(Names(d[0].missing_fields), kMembersOnly);
    EXPECT_EQ(d[1].outcome, Outcome::kNeedsInformation) << d[1].error.ToString();
    EXPECT_EQ(d[1].undecided, 0b10u);
    EXPECT_EQ(Names(d[1].missing_fields), kMembersOnly);
    EXPECT_EQ(d[2].outcome, Outcome::kEligible) << d[2].error.ToString();
    EXPECT_EQ(d[2].missing_fields, 0u);
  }
  // With the field given, the same tests decide.
  p.members = 5;
  std::vector<Decision> d = Screen(f, p, Options(false));
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].outcome, Outcome::kIneligible);
  EXPECT_EQ(d[0].missing_fields, 0u);
  EXPECT_EQ(d[1].outcome, Outcome::kIneligible);
}

TEST(Screener, MissingFieldsOfSeveralCriteriaAreJoined) {
  Fixture f = Load({{"rules/programs/x.lua",
                     Program("X", {Criterion("members", "return e.members >= 7"),
                                   Criterion("shelf", "return (e.shelf_life_days or 0) > 30 and e.vat_registered")})}});
  EnterpriseProfile p = Applicant();
  p.members.reset();
  p.shelf_life_days.reset();
  p.vat_registered.reset();
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    std::vector<Decision> d = Screen(f, p, Options(explain));
    ASSERT_EQ(d.size(), 1u);
    // shelf_life_days was read and absent: criterion 2 returned false with a missing field.
    EXPECT_EQ(d[0].outcome, Outcome::kNeedsInformation) << d[0].error.ToString();
    EXPECT_EQ(d[0].undecided, 0b11u);
    EXPECT_EQ(Names(d[0].missing_fields), (std::vector<std::string>{"members", "shelf_life_days"}));
  }
}

TEST(Screener, NoDataCarriesOverBetweenApplicants) {
  // Each criterion passes only if the field is given; the second applicant gives none of them.
  Fixture f = Load({{"rules/programs/x.lua",
                     Program("X", {Criterion("identifier", "return e.identifier ~= nil"),
                                   Criterion("members", "return e.members ~= nil"),
                                   Criterion("needs", "return e.needs ~= nil and e.needs.marketing >= 0"),
                                   Criterion("fda", "return e.certifications.fda"),
                                   Criterion("history", "return participated(e, 'BSC')")})}});
  EnterpriseProfile full = Applicant();
  full.identifier = "0505558004121";
  full.participation = {{"BSC", 2026, 1}};
  EnterpriseProfile bare;
  bare.id = "T-2";
  bare.name = "ร้านทดสอบ";
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    std::vector<Decision> d = Screen(f, full, Options(explain));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].outcome, Outcome::kEligible) << d[0].error.ToString();
    d = Screen(f, bare, Options(explain));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].failed, 0b11000u);  // no certification, no participation: known facts
    EXPECT_EQ(d[0].undecided, 0b00111u);
    EXPECT_EQ(Names(d[0].missing_fields),
              (std::vector<std::string>{"identifier", "members", "needs"}));
  }
}

TEST(Screener, RuntimeBugIsAnInternalErrorWithScriptLine) {
  // Line 3 is the criterion: a nil arithmetic with every field present is the rule's bug.
  Fixture f = Load({{"rules/programs/a.lua",
                     Program("AAA", {Criterion("bug", "local x = nil return x + 1 > 0")})},
                    {"rules/programs/b.lua", Program("BBB", {Criterion("staff", "return e.employees == 42")})}});
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    std::vector<Decision> d = Screen(f, Applicant(), Options(explain));
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].outcome, Outcome::kError);
    EXPECT_EQ(d[0].error.code(), StatusCode::kInternal) << d[0].error.ToString();
    EXPECT_TRUE(Contains(d[0].error.message(), "rules/programs/a.lua:3: attempt to perform arithmetic on a nil value"));
    EXPECT_EQ(d[0].failed, 0u);
    EXPECT_EQ(d[0].undecided, 0u);
    EXPECT_EQ(d[0].missing_fields, 0u);
    EXPECT_TRUE(d[0].criteria.empty());
    EXPECT_EQ(d[1].outcome, Outcome::kEligible) << d[1].error.ToString();
  }
  EXPECT_EQ(f.screener->stats().decisions, 4u);
  EXPECT_EQ(f.screener->stats().rule_errors, 2u);
  EXPECT_EQ(f.screener->stats().budget_kills, 0u);
}

TEST(Screener, RuntimeBugAfterAnotherCriterionLacksDataIsStillAnError) {
  // Criterion 1 needs information; criterion 2 has a bug. The bug must not be hidden.
  Fixture f = Load({{"rules/programs/x.lua",
                     Program("X", {Criterion("members", "return e.members >= 7"),
                                   Criterion("bug", "return e.employees + nil > 0")})}});
  EnterpriseProfile p = Applicant();
  p.members.reset();
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    std::vector<Decision> d = Screen(f, p, Options(explain));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].outcome, Outcome::kError);
    EXPECT_EQ(d[0].error.code(), StatusCode::kInternal) << d[0].error.ToString();
    EXPECT_TRUE(Contains(d[0].error.message(), "rules/programs/x.lua:4:"));
  }
}

TEST(Screener, ScoreOutOfRangeIsARuleError) {
  std::string script = Program("X", {Criterion("ok", "return true")}) +
                       "score(function(e) return 150 end)\n";
  Fixture f = Load({{"rules/programs/x.lua", script}});
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    std::vector<Decision> d = Screen(f, Applicant(), Options(explain));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].outcome, Outcome::kError);
    EXPECT_EQ(d[0].error.code(), StatusCode::kInternal) << d[0].error.ToString();
    EXPECT_TRUE(Contains(d[0].error.message(), "rules/programs/x.lua: score function returned 150"));
    EXPECT_FALSE(d[0].score.has_value());
  }
}

// ---------------------------------------------------------------------------------------------
// Options

TEST(Screener, ContextFollowsAsOf) {
  std::string script = Lines({
      "program { id = \"FY\", version = \"1\", effective_from = \"2025-10-01\",",
      "  name = { th = \"ปีงบประมาณ\", en = \"fiscal year\" } }",
      "criterion \"fy\" { th = \"ปีงบ\", en = \"fiscal year\",",
      "  test = function(e, p, c) return c.fiscal_year == 2027 end,",
      "  pass = { th = \"ปีงบประมาณ {c.fiscal_year_be}\", en = \"FY {c.fiscal_year} ({c.fiscal_year_be}) as of {c.as_of}\" },",
      "  fail = { th = \"ปีงบประมาณ {c.fiscal_year_be}\", en = \"FY {c.fiscal_year} as of {c.as_of}\" } }",
  });
  Fixture f = Load({{"rules/programs/fy.lua", script}});
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    // The Thai fiscal year starts on 1 October: 2026-11-21 is in FY 2027, 2026-09-30 in FY 2026.
    // The same Screener goes back and forth between dates.
    for (const char* as_of : {"2026-11-21", "2026-09-30", "2026-10-01", "2026-09-30"}) {
      SCOPED_TRACE(as_of);
      std::vector<Decision> d = Screen(f, Applicant(), Options(explain, as_of));
      ASSERT_EQ(d.size(), 1u);
      const bool fy2027 = D(as_of).FiscalYear() == 2027;
      EXPECT_EQ(d[0].outcome, fy2027 ? Outcome::kEligible : Outcome::kIneligible)
          << d[0].error.ToString();
      if (explain) {
        ASSERT_EQ(d[0].criteria.size(), 1u);
        EXPECT_EQ(d[0].criteria[0].reason.en,
                  fy2027 ? "FY 2027 (2570) as of " + std::string(as_of) : "FY 2026 as of " + std::string(as_of));
        EXPECT_EQ(d[0].criteria[0].reason.th, fy2027 ? "ปีงบประมาณ 2570" : "ปีงบประมาณ 2569");
      }
    }
  }
}

TEST(Screener, UnknownProgramIsNotFound) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  ScreenOptions o = Options(true);
  o.programs = {"BSC", "NOPE"};
  std::vector<Decision> d;
  Status s = f.screener->Screen(Applicant(), o, &d);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "NOPE"));
}

TEST(Screener, AsOfBeforeEveryVersionIsFailedPrecondition) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  std::vector<Decision> d;
  Status s = f.screener->Screen(Applicant(), Options(true, "2025-09-30"), &d);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  // The Screener is still usable with a good date.
  s = f.screener->Screen(Applicant(), Options(true), &d);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(d.size(), 4u);
}

TEST(Screener, ProgramsOptionSelectsAndOrders) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  ScreenOptions o = Options(false);
  o.programs = {"STAR_SME", "BSC"};
  std::vector<Decision> d = Screen(f, Applicant(), o);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].program->id, "STAR_SME");
  EXPECT_EQ(d[1].program->id, "BSC");
  o.programs.clear();
  d = Screen(f, Applicant(), o);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].program->id, "BSC");
  EXPECT_EQ(d[3].program->id, "STAR_SME");
}

// ---------------------------------------------------------------------------------------------
// The shipped rules

const Decision* Find(const std::vector<Decision>& d, std::string_view id) {
  for (const Decision& x : d) {
    if (x.program != nullptr && x.program->id == id) return &x;
  }
  return nullptr;
}

TEST(Screener, ShippedRulesFindTheApplicantEligible) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  std::vector<Decision> d = Screen(f, Applicant(), Options(true));
  ASSERT_EQ(d.size(), 4u);
  for (const char* id : {"BSC", "STAR_SME"}) {
    const Decision* x = Find(d, id);
    ASSERT_NE(x, nullptr) << id;
    EXPECT_EQ(x->outcome, Outcome::kEligible) << id << ": " << x->error.ToString();
    ASSERT_TRUE(x->score.has_value()) << id;
    EXPECT_GE(*x->score, 0);
    EXPECT_LE(*x->score, 100);
  }
}

TEST(Screener, ReasonsHaveValuesFilledIn) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  EnterpriseProfile p = Applicant();
  p.legal_form = LegalForm::kJuristicPerson;
  p.identifier = "0505558004121";
  p.employees = 300;
  p.annual_revenue_thb = 620'000'000;
  std::vector<Decision> d = Screen(f, p, Options(true));
  const Decision* bsc = Find(d, "BSC");
  ASSERT_NE(bsc, nullptr);
  EXPECT_EQ(bsc->outcome, Outcome::kIneligible) << bsc->error.ToString();
  ASSERT_EQ(bsc->criteria.size(), bsc->program->criteria.size());
  ASSERT_EQ(bsc->program->criteria[0].id, "is_sme");
  EXPECT_EQ(bsc->failed, 0b1u);
  const CriterionResult& is_sme = bsc->criteria[0];
  EXPECT_EQ(is_sme.outcome, CriterionOutcome::kFail);
  for (const std::string* text : {&is_sme.reason.th, &is_sme.reason.en}) {
    EXPECT_TRUE(Contains(*text, "620")) << "revenue";
    EXPECT_TRUE(Contains(*text, "300")) << "employees";
  }
  EXPECT_TRUE(Contains(is_sme.reason.en, "large"));
  for (const Decision& x : d) {
    ASSERT_EQ(x.criteria.size(), x.program->criteria.size()) << x.program->id;
    for (size_t k = 0; k < x.criteria.size(); ++k) {
      SCOPED_TRACE(x.program->id + "." + x.program->criteria[k].id);
      const LocalizedText& r = x.criteria[k].reason;
      EXPECT_FALSE(r.th.empty());
      EXPECT_FALSE(r.en.empty());
      EXPECT_EQ(r.th.find('{'), std::string::npos) << r.th;
      EXPECT_EQ(r.en.find('{'), std::string::npos) << r.en;
      EXPECT_EQ(r.en.find("unknown"), std::string::npos) << r.en;
    }
  }
}

TEST(Screener, BscBenefitShowsManDaysLeftThisFiscalYear) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  EnterpriseProfile p = Applicant();
  // as_of 2026-11-21 is in fiscal year 2027; the 3 days of FY 2026 do not count.
  p.participation = {{"BSC", 2026, 3}, {"BSC", 2027, 1}, {"ITC", 2027, 2}};
  ScreenOptions o = Options(true, "2026-11-21");
  o.programs = {"BSC"};
  std::vector<Decision> d = Screen(f, p, o);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].outcome, Outcome::kEligible) << d[0].error.ToString();
  ASSERT_TRUE(d[0].benefit.has_value());
  EXPECT_EQ(d[0].benefit->values, nlohmann::json({{"man_days_left", 2}}));
  EXPECT_TRUE(d[0].benefit->values["man_days_left"].is_number_integer());
  EXPECT_TRUE(d[0].benefit->text.en.starts_with("2 ")) << d[0].benefit->text.en;
  EXPECT_TRUE(Contains(d[0].benefit->text.en, "2027"));
  EXPECT_TRUE(Contains(d[0].benefit->text.th, "2570"));
  EXPECT_TRUE(Contains(d[0].benefit->text.th, " 2 "));

  // All 3 days of FY 2027 used: not eligible, and no benefit.
  p.participation = {{"BSC", 2027, 3}};
  d = Screen(f, p, o);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].outcome, Outcome::kIneligible);
  EXPECT_FALSE(d[0].benefit.has_value());

  // The same participation, screened in FY 2026, leaves all 3 days.
  o.as_of = D("2026-09-30");
  d = Screen(f, p, o);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].outcome, Outcome::kEligible) << d[0].error.ToString();
  ASSERT_TRUE(d[0].benefit.has_value());
  EXPECT_EQ(d[0].benefit->values, nlohmann::json({{"man_days_left", 3}}));
}

TEST(Screener, ExplainFalseFillsNoReasons) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  std::vector<Decision> d = Screen(f, Applicant(), Options(false));
  ASSERT_EQ(d.size(), 4u);
  for (const Decision& x : d) {
    EXPECT_TRUE(x.criteria.empty()) << x.program->id;
    EXPECT_FALSE(x.benefit.has_value()) << x.program->id;
  }
}

TEST(Screener, StarSmeGroupIsADeclaredGroup) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  const std::set<std::string> groups = {"star", "general", "strong_potential"};
  for (bool explain : {true, false}) {
    std::vector<Decision> d = Screen(f, Applicant(), Options(explain));
    const Decision* star = Find(d, "STAR_SME");
    ASSERT_NE(star, nullptr);
    ASSERT_EQ(star->outcome, Outcome::kEligible) << star->error.ToString();
    EXPECT_TRUE(groups.contains(std::string(star->group))) << star->group;
    // BSC declares no groups.
    const Decision* bsc = Find(d, "BSC");
    ASSERT_NE(bsc, nullptr);
    EXPECT_TRUE(bsc->group.empty());
  }
}

struct DemoRecord {
  int line = 0;
  EnterpriseProfile profile;
};

// The valid records of data/demo/enterprises.jsonl (the deliberately invalid ones skipped).
std::vector<DemoRecord> DemoRecords(const RuleSet& rules) {
  std::vector<DemoRecord> out;
  std::istringstream in(ReadFile(SMEMATCH_SOURCE_DIR "/data/demo/enterprises.jsonl"));
  ProfileReader reader(&rules.provinces());
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    DemoRecord r;
    r.line = n;
    std::vector<FieldError> errors;
    if (reader.ParseJson(line, &r.profile, &errors).ok()) out.push_back(std::move(r));
  }
  return out;
}

TEST(Screener, ExplainDoesNotChangeDecisionsOnDemoData) {
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  std::vector<DemoRecord> records = DemoRecords(*f.rules);
  ASSERT_GE(records.size(), 40u);
  int compared = 0;
  for (const char* as_of : {"2026-03-01", "2026-11-21"}) {
    for (const DemoRecord& r : records) {
      SCOPED_TRACE("enterprises.jsonl:" + std::to_string(r.line) + " as of " + as_of);
      std::vector<Decision> plain = Screen(f, r.profile, Options(false, as_of));
      std::vector<Decision> full = Screen(f, r.profile, Options(true, as_of));
      ASSERT_EQ(plain.size(), 4u);
      ASSERT_EQ(full.size(), 4u);
      for (size_t j = 0; j < 4; ++j) {
        SCOPED_TRACE(full[j].program->id);
        EXPECT_EQ(plain[j].program, full[j].program);
        EXPECT_EQ(plain[j].outcome, full[j].outcome)
            << OutcomeName(plain[j].outcome) << " vs " << OutcomeName(full[j].outcome);
        EXPECT_EQ(plain[j].failed, full[j].failed);
        EXPECT_EQ(plain[j].undecided, full[j].undecided);
        EXPECT_EQ(plain[j].missing_fields, full[j].missing_fields);
        EXPECT_EQ(plain[j].score, full[j].score);
        EXPECT_EQ(plain[j].group, full[j].group);
        EXPECT_EQ(plain[j].error.code(), full[j].error.code());
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, static_cast<int>(2 * 4 * records.size()));
}

TEST(Screener, ShippedRulesDecideEveryDemoRecord) {
  // Valid profiles get eligible, ineligible or needs_information from the shipped rules; an
  // error would be a bug in a script. Every outcome occurs in the demo data.
  Fixture f = LoadShipped();
  ASSERT_NE(f.screener, nullptr);
  std::set<Outcome> seen;
  std::set<std::string> groups;
  for (const DemoRecord& r : DemoRecords(*f.rules)) {
    for (bool explain : {true, false}) {
      for (const Decision& d : Screen(f, r.profile, Options(explain))) {
        SCOPED_TRACE("enterprises.jsonl:" + std::to_string(r.line) + " " + d.program->id);
        EXPECT_NE(d.outcome, Outcome::kError) << d.error.ToString();
        seen.insert(d.outcome);
        if (d.outcome == Outcome::kNeedsInformation) {
          EXPECT_NE(d.missing_fields, 0u);
          EXPECT_NE(d.undecided, 0u);
          EXPECT_EQ(d.failed, 0u);
        }
        if (d.outcome == Outcome::kEligible && d.program->has_score) {
          ASSERT_TRUE(d.score.has_value());
          EXPECT_GE(*d.score, 0);
          EXPECT_LE(*d.score, 100);
        }
        if (d.outcome == Outcome::kEligible && d.program->id == "STAR_SME") groups.insert(std::string(d.group));
        if (d.outcome != Outcome::kEligible) {
          EXPECT_FALSE(d.score.has_value());
          EXPECT_TRUE(d.group.empty());
        }
      }
    }
  }
  EXPECT_EQ(seen, (std::set<Outcome>{Outcome::kEligible, Outcome::kIneligible, Outcome::kNeedsInformation}));
  EXPECT_FALSE(groups.empty());
  for (const std::string& g : groups) {
    EXPECT_TRUE(g == "star" || g == "general" || g == "strong_potential") << g;
  }
}

}  // namespace
}  // namespace smematch
