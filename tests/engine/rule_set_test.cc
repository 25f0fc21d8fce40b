// Tests of RuleSet: loading the shipped rules, the rule-set hash, finding the effective program
// version, and refusing broken rule sets as a whole with every error as "path:line: message".
#include "smematch/rule_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "smematch/profile.h"
#include "smematch/screener.h"
#include "smematch/sme_size.h"
#include "smematch/status.h"
#include "engine_test_util.h"

namespace smematch {
namespace {

using test::Contains;
using test::ReadFile;
using test::ProvincesCsv;

Result<std::shared_ptr<const RuleSet>> Rules(std::vector<RuleSet::File> files) {
  files.push_back({"rules/data/provinces.csv", ProvincesCsv()});
  return RuleSet::FromFiles(std::move(files));
}

Date D(const char* text) { return *Date::Parse(text); }

// Joins `lines` with newlines: line i of the script is lines[i - 1].
std::string Lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

// A valid program script; tests break one line of it. Line numbers matter to the errors.
std::vector<std::string> Valid(const std::string& id = "X", const std::string& version = "1",
                               const std::string& from = "2025-10-01",
                               const std::string& to = "") {
  return {
      "program {",                                                                      // 1
      "  id = \"" + id + "\", version = \"" + version + "\", effective_from = \"" + from + "\"," +
          (to.empty() ? "" : " effective_to = \"" + to + "\","),                        // 2
      "  name = { th = \"ทดสอบ\", en = \"test\" },",                                      // 3
      "}",                                                                              // 4
      "parameter \"max_employees\" { value = 50, th = \"เกณฑ์\", en = \"limit\" }",           // 5
      "criterion \"small\" {",                                                          // 6
      "  th = \"กิจการเล็ก\", en = \"small\",",                                            // 7
      "  test = function(e, p) return e.employees <= p.max_employees end,",             // 8
      "  fail = { th = \"จ้างงาน {e.employees} คน\", en = \"{e.employees} employees\" },",  // 9
      "}",                                                                              // 10
  };
}

constexpr char kX[] = "rules/programs/x.lua";

// Expects the rule set of `files` to be refused with kInvalidArgument naming every `needles`.
void ExpectRefused(std::vector<RuleSet::File> files, const std::vector<std::string>& needles) {
  auto rules = Rules(std::move(files));
  ASSERT_FALSE(rules.ok()) << "the rule set loaded";
  EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument) << rules.status().ToString();
  for (const std::string& n : needles) EXPECT_TRUE(Contains(rules.status().message(), n));
}

void ExpectScriptRefused(const std::vector<std::string>& lines,
                         const std::vector<std::string>& needles) {
  ExpectRefused({{kX, Lines(lines)}}, needles);
}

// ---------------------------------------------------------------------------------------------
// The shipped rules

TEST(RuleSet, LoadsTheShippedRules) {
  auto rules = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  const RuleSet& r = **rules;
  EXPECT_EQ(r.program_ids(), (std::vector<std::string>{"BSC", "ITC", "SMART_FARMER", "STAR_SME"}));
  ASSERT_EQ(r.programs().size(), 4u);
  for (size_t i = 0; i < r.programs().size(); ++i) {
    const ProgramInfo& p = r.programs()[i];
    SCOPED_TRACE(p.id);
    EXPECT_EQ(p.index, static_cast<int>(i));
    EXPECT_TRUE(p.script.starts_with("rules/programs/")) << p.script;
    EXPECT_FALSE(p.name.th.empty());
    EXPECT_FALSE(p.name.en.empty());
    EXPECT_EQ(p.version, "2026.1");
    EXPECT_EQ(p.effective_from, D("2025-10-01"));
    EXPECT_FALSE(p.criteria.empty());
    for (const CriterionInfo& c : p.criteria) {
      EXPECT_GT(c.line, 0) << c.id;
      EXPECT_FALSE(c.fail.th.empty()) << c.id;
      EXPECT_FALSE(c.fail.en.empty()) << c.id;
    }
  }
  EXPECT_EQ(r.programs()[0].script, "rules/programs/bsc.lua");
  EXPECT_EQ(r.programs()[0].criteria[0].id, "is_sme");
  EXPECT_EQ(r.programs()[0].criteria[0].line, 38);
  EXPECT_EQ(r.size_tie_break(), SizeTieBreak::kRevenuePrevails);
  EXPECT_EQ(r.provinces().all().size(), 77u);
}

TEST(RuleSet, HashIsSha256) {
  auto rules = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  const std::string& h = (*rules)->hash();
  ASSERT_EQ(h.size(), 7u + 64u) << h;
  EXPECT_TRUE(h.starts_with("sha256:")) << h;
  EXPECT_TRUE(std::all_of(h.begin() + 7, h.end(),
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
      << h;
}

TEST(RuleSet, HashIsStableAcrossLoads) {
  auto a = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  auto b = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*a)->hash(), (*b)->hash());
  // The same files from memory, in another order, are the same rule set.
  std::vector<RuleSet::File> files = (*a)->files();
  std::reverse(files.begin(), files.end());
  auto c = RuleSet::FromFiles(files);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->hash(), (*a)->hash());
}

TEST(RuleSet, HashChangesWithOneByteOfAScript) {
  auto a = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  std::vector<RuleSet::File> files = (*a)->files();
  auto bsc = std::find_if(files.begin(), files.end(),
                          [](const RuleSet::File& f) { return f.path == "rules/programs/bsc.lua"; });
  ASSERT_NE(bsc, files.end());
  size_t at = bsc->text.find("initial business consulting");
  ASSERT_NE(at, std::string::npos);
  bsc->text[at] = 'I';  // in a comment: the rules still load, and mean the same
  auto b = RuleSet::FromFiles(files);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE((*b)->hash().starts_with("sha256:"));
  EXPECT_NE((*b)->hash(), (*a)->hash());
}

TEST(RuleSet, HashChangesWithTheProvinceData) {
  auto a = Rules({{kX, Lines(Valid())}});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  std::string csv = ProvincesCsv();
  size_t at = csv.find("Bangkok");
  ASSERT_NE(at, std::string::npos);
  csv[at] = 'b';
  auto b = RuleSet::FromFiles({{kX, Lines(Valid())}, {"rules/data/provinces.csv", csv}});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NE((*b)->hash(), (*a)->hash());
}

TEST(RuleSet, FindReturnsTheEffectiveVersion) {
  auto rules = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  auto bsc = (*rules)->Find("BSC", D("2026-03-01"));
  ASSERT_TRUE(bsc.ok()) << bsc.status().ToString();
  EXPECT_EQ((*bsc)->id, "BSC");
  EXPECT_EQ((*bsc)->version, "2026.1");
  EXPECT_TRUE((*rules)->Find("BSC", D("2025-10-01")).ok());
}

TEST(RuleSet, FindBeforeEffectiveFromIsFailedPrecondition) {
  auto rules = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  auto r = (*rules)->Find("BSC", D("2025-09-30"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "BSC"));
  EXPECT_TRUE(Contains(r.status().message(), "2025-09-30"));
}

TEST(RuleSet, FindUnknownProgramIsNotFound) {
  auto rules = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  auto r = (*rules)->Find("NOPE", D("2026-03-01"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_TRUE(Contains(r.status().message(), "unknown program 'NOPE'"));
  // Ids are exact: no case folding.
  EXPECT_EQ((*rules)->Find("bsc", D("2026-03-01")).status().code(), StatusCode::kNotFound);
}

TEST(RuleSet, FindChoosesBetweenConsecutiveVersions) {
  auto rules = Rules({{"rules/programs/x_v1.lua", Lines(Valid("X", "1", "2025-10-01", "2026-09-30"))},
                      {"rules/programs/x_v2.lua", Lines(Valid("X", "2", "2026-10-01"))}});
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ((*rules)->program_ids(), std::vector<std::string>{"X"});
  auto v1 = (*rules)->Find("X", D("2026-09-30"));
  auto v2 = (*rules)->Find("X", D("2026-10-01"));
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ((*v1)->version, "1");
  EXPECT_EQ((*v1)->effective_to, D("2026-09-30"));
  EXPECT_EQ((*v2)->version, "2");
  EXPECT_FALSE((*v2)->effective_to.has_value());
  EXPECT_EQ((*rules)->Find("X", D("2025-09-30")).status().code(), StatusCode::kFailedPrecondition);
}

TEST(RuleSet, LoadOfMissingDirectoryIsNotFound) {
  auto rules = RuleSet::Load(SMEMATCH_TESTDATA "/no_such_rules");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), StatusCode::kNotFound) << rules.status().ToString();
}

TEST(RuleSet, MissingProvinceDataIsNotFound) {
  auto rules = RuleSet::FromFiles({{kX, Lines(Valid())}});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), StatusCode::kNotFound) << rules.status().ToString();
  EXPECT_TRUE(Contains(rules.status().message(), "provinces.csv"));
}

TEST(RuleSet, ValidScaffoldLoads) {
  auto rules = Rules({{kX, Lines(Valid())}});
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ((*rules)->programs().size(), 1u);
  const ProgramInfo& p = (*rules)->programs()[0];
  EXPECT_EQ(p.script, kX);
  ASSERT_EQ(p.parameters.size(), 1u);
  EXPECT_EQ(p.parameters[0].name, "max_employees");
  EXPECT_EQ(p.parameters[0].type, "integer");
  EXPECT_EQ(p.parameters[0].value, 50);
  EXPECT_EQ(p.parameters[0].line, 5);
  ASSERT_EQ(p.criteria.size(), 1u);
  EXPECT_EQ(p.criteria[0].line, 6);
  EXPECT_EQ(p.criteria[0].pass.en, "small");  // the title, when no pass text is given
}

// ---------------------------------------------------------------------------------------------
// Broken rule sets: refused as a whole, every error "path:line: message"

TEST(RuleSet, SyntaxErrorNamesTheLine) {
  std::vector<std::string> s = Valid();
  s[7] = "  test = function(e, p) return e.employees <= end,";
  ExpectScriptRefused(s, {"rules/programs/x.lua:8:", "near 'end'"});
}

TEST(RuleSet, CriterionWithoutThaiFailTextIsRefused) {
  std::vector<std::string> s = Valid();
  s[8] = "  fail = { en = \"{e.employees} employees\" },";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small'.fail: missing the Thai text (th)"});
}

TEST(RuleSet, CriterionWithoutEnglishFailTextIsRefused) {
  std::vector<std::string> s = Valid();
  s[8] = "  fail = { th = \"จ้างงาน {e.employees} คน\", en = \"\" },";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small'.fail: missing the English text (en)"});
}

TEST(RuleSet, CriterionWithoutFailTextIsRefused) {
  std::vector<std::string> s = Valid();
  s[8] = "";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small'.fail: expected { th ="});
}

TEST(RuleSet, CriterionWithoutThaiTitleIsRefused) {
  std::vector<std::string> s = Valid();
  s[6] = "  en = \"small\",";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small': missing the Thai text (th)"});
}

TEST(RuleSet, ParameterOfWrongDeclaredTypeIsRefused) {
  std::vector<std::string> s = Valid();
  s[4] = "parameter \"max_employees\" { value = 2.5, type = \"integer\", th = \"เกณฑ์\", en = \"limit\" }";
  ExpectScriptRefused(s, {"rules/programs/x.lua:5: parameter 'max_employees': declared type integer "
                          "but the value is number"});
}

TEST(RuleSet, DuplicateCriterionIsRefused) {
  std::vector<std::string> s = Valid();
  s.push_back("criterion \"small\" {");  // 11
  s.push_back("  th = \"ซ้ำ\", en = \"again\", test = function() return true end,");
  s.push_back("  fail = { th = \"ไม่ผ่าน\", en = \"failed\" },");
  s.push_back("}");
  ExpectScriptRefused(s, {"rules/programs/x.lua:11: criterion 'small' declared twice"});
}

TEST(RuleSet, DuplicateParameterIsRefused) {
  std::vector<std::string> s = Valid();
  s.push_back("parameter \"max_employees\" { value = 60, th = \"เกณฑ์\", en = \"limit\" }");  // 11
  ExpectScriptRefused(s, {"rules/programs/x.lua:11: parameter 'max_employees' declared twice"});
}

TEST(RuleSet, UnknownCriterionKeyIsRefused) {
  std::vector<std::string> s = Valid();
  s[7] = "  tset = function(e, p) return e.employees <= p.max_employees end,";
  // Both the typo and its consequence are reported.
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small': unknown key(s) tset",
                          "rules/programs/x.lua:6: criterion 'small': test must be a function"});
}

TEST(RuleSet, UnknownProgramKeyIsRefused) {
  std::vector<std::string> s = Valid();
  s[2] = "  name = { th = \"ทดสอบ\", en = \"test\" }, efective_to = \"2026-09-30\",";
  ExpectScriptRefused(s, {"rules/programs/x.lua:1: program: unknown key(s) efective_to"});
}

TEST(RuleSet, PlaceholderOfUnknownFieldIsRefused) {
  std::vector<std::string> s = Valid();
  s[8] = "  fail = { th = \"จ้างงาน {e.employes} คน\", en = \"{e.employees} employees\" },";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small' fail.th: unknown placeholder "
                          "{e.employes}"});
}

TEST(RuleSet, PlaceholderOfUnknownParameterIsRefused) {
  std::vector<std::string> s = Valid();
  s[8] = "  fail = { th = \"จ้างงาน {e.employees} คน\", en = \"over {p.nope}\" },";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small' fail.en: unknown placeholder {p.nope}"});
}

TEST(RuleSet, PlaceholderInPassTextIsChecked) {
  std::vector<std::string> s = Valid();
  s[6] = "  th = \"กิจการเล็ก\", en = \"small\", pass = { th = \"ผ่าน\", en = \"{c.today}\" },";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small' pass.en: unknown placeholder {c.today}"});
}

TEST(RuleSet, PlaceholderOfValuesWithoutValuesFunctionIsRefused) {
  std::vector<std::string> s = Valid();
  s[8] = "  fail = { th = \"จ้างงาน {v.count} คน\", en = \"{e.employees} employees\" },";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small' fail.th: placeholder {v.count} "
                          "needs a values = function"});
}

TEST(RuleSet, UnknownFormatIsRefused) {
  std::vector<std::string> s = Valid();
  s[8] = "  fail = { th = \"จ้างงาน {e.employees} คน\", en = \"{e.employees|bogus} employees\" },";
  ExpectScriptRefused(s, {"rules/programs/x.lua:6: criterion 'small' fail.en: unknown format '|bogus' "
                          "in {e.employees|bogus}"});
}

TEST(RuleSet, ProgramWithoutCriteriaIsRefused) {
  std::vector<std::string> s = Valid();
  s.resize(5);
  ExpectScriptRefused(s, {"rules/programs/x.lua:1: no criterion declared"});
}

TEST(RuleSet, ScriptWithoutProgramIsRefused) {
  std::vector<std::string> s = Valid();
  for (int i = 0; i < 4; ++i) s[i] = "";
  ExpectScriptRefused(s, {"rules/programs/x.lua:1: no program { ... } declaration"});
}

TEST(RuleSet, ProgramDeclaredTwiceIsRefused) {
  std::vector<std::string> s = Valid();
  s.push_back("program { id = \"Y\", version = \"1\", effective_from = \"2025-10-01\", "
              "name = { th = \"ทดสอบ\", en = \"test\" } }");  // 11
  ExpectScriptRefused(s, {"rules/programs/x.lua:11: program { ... } declared twice"});
}

TEST(RuleSet, BadEffectiveDateIsRefused) {
  ExpectScriptRefused(Valid("X", "1", "2025-02-30"),
                      {"rules/programs/x.lua:1: program.effective_from: expected a date"});
  ExpectScriptRefused(Valid("X", "1", "2026-10-01", "2026-09-30"),
                      {"rules/programs/x.lua:1: program.effective_to is before effective_from"});
}

TEST(RuleSet, OverlappingVersionsAreRefused) {
  auto rules = Rules({{"rules/programs/x_v1.lua", Lines(Valid("X", "1", "2025-10-01"))},
                      {"rules/programs/x_v2.lua", Lines(Valid("X", "2", "2026-10-01"))}});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument) << rules.status().ToString();
  const std::string& m = rules.status().message();
  EXPECT_TRUE(Contains(m, "rules/programs/x_v2.lua:1: program X version 2"));
  EXPECT_TRUE(Contains(m, "overlaps version 1 in rules/programs/x_v1.lua"));
}

TEST(RuleSet, VersionsOverlappingByOneDayAreRefused) {
  auto rules = Rules({{"rules/programs/x_v1.lua", Lines(Valid("X", "1", "2025-10-01", "2026-10-01"))},
                      {"rules/programs/x_v2.lua", Lines(Valid("X", "2", "2026-10-01"))}});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument) << rules.status().ToString();
  EXPECT_TRUE(Contains(rules.status().message(), "version 2"));
  EXPECT_TRUE(Contains(rules.status().message(), "version 1"));
}

TEST(RuleSet, UnknownSettingIsRefused) {
  ExpectRefused({{"rules/settings.lua", Lines({"settings {",
                                               "  sme_size_tie_break = \"revenue_prevails\",",
                                               "  colour = \"blue\",",
                                               "}"})},
                 {kX, Lines(Valid())}},
                {"rules/settings.lua:1: settings: unknown setting 'colour'; known: sme_size_tie_break"});
}

TEST(RuleSet, UnknownSettingValueIsRefused) {
  ExpectRefused({{"rules/settings.lua", "settings { sme_size_tie_break = \"coin_flip\" }\n"},
                 {kX, Lines(Valid())}},
                {"rules/settings.lua:1: settings.sme_size_tie_break: unknown value 'coin_flip'"});
}

TEST(RuleSet, SettingsInsideAProgramScriptAreRefused) {
  std::vector<std::string> s = Valid();
  s.push_back("settings { sme_size_tie_break = \"higher_of_two\" }");  // 11
  ExpectScriptRefused(s, {"rules/programs/x.lua:11: settings { ... } belongs in settings.lua"});
}

TEST(RuleSet, ProgramInsideSettingsIsRefused) {
  ExpectRefused({{"rules/settings.lua", Lines({"settings { sme_size_tie_break = \"higher_of_two\" }",
                                               "criterion \"c\" { th = \"ก\", en = \"c\" }"})},
                 {kX, Lines(Valid())}},
                {"rules/settings.lua:2: criterion belongs in a program script under programs/"});
}

TEST(RuleSet, EveryBrokenScriptIsReported) {
  std::vector<std::string> a = Valid("A");
  a[7] = "  test = function(e, p) return e.employees <= end,";
  std::vector<std::string> b = Valid("B");
  b[8] = "  fail = { th = \"จ้างงาน {e.employees} คน\" },";
  std::vector<std::string> c = Valid("C");
  ExpectRefused({{"rules/programs/a.lua", Lines(a)},
                 {"rules/programs/b.lua", Lines(b)},
                 {"rules/programs/c.lua", Lines(c)}},
                {"rules/programs/a.lua:8:",
                 "rules/programs/b.lua:6: criterion 'small'.fail: missing the English text (en)"});
}

TEST(RuleSet, EveryErrorOfOneScriptIsReported) {
  std::vector<std::string> s = Valid();
  s[4] = "parameter \"max_employees\" { value = 2.5, type = \"integer\", th = \"เกณฑ์\", en = \"limit\" }";
  s[8] = "  fail = { th = \"จ้างงาน {e.employees} คน\", en = \"{e.employees|bogus} employees\" },";
  ExpectScriptRefused(s, {"rules/programs/x.lua:5: parameter 'max_employees'",
                          "rules/programs/x.lua:6: criterion 'small' fail.en: unknown format"});
}

TEST(RuleSet, BrokenDirectoryReportsEveryScript) {
  auto rules = RuleSet::Load(SMEMATCH_TESTDATA "/rules_two_broken");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument) << rules.status().ToString();
  EXPECT_TRUE(Contains(rules.status().message(), "rules_two_broken/programs/alpha.lua:9:"));
  EXPECT_TRUE(Contains(rules.status().message(),
                       "rules_two_broken/programs/beta.lua:6: criterion 'small' declared twice"));
}

// ---------------------------------------------------------------------------------------------
// Settings

// A program whose one criterion always passes and whose pass reason is "size <sme_size(e)>".
std::string SizeScript() {
  return Lines({
      "program { id = \"SIZE\", version = \"1\", effective_from = \"2025-10-01\",",
      "  name = { th = \"ขนาด\", en = \"size\" } }",
      "criterion \"size\" { th = \"ขนาด\", en = \"size\",",
      "  test = function(e) return true end,",
      "  values = function(e) return { size = sme_size(e) } end,",
      "  pass = { th = \"ขนาด {v.size}\", en = \"size {v.size}\" },",
      "  fail = { th = \"ไม่ผ่าน\", en = \"failed\" } }",
  });
}

// Returns the SME size the script sees for a manufacturer with 60 employees (medium) and a
// revenue of 20 M THB (small), as the pass reason "size <size>".
std::string SizeSeen(const std::shared_ptr<const RuleSet>& rules) {
  auto screener = Screener::Create(rules);
  if (!screener.ok()) return "screener: " + screener.status().ToString();
  EnterpriseProfile p;
  p.id = "S-1";
  p.name = "โรงงานทดสอบ";
  p.sector = SmeSector::kManufacturing;
  p.employees = 60;
  p.annual_revenue_thb = 20'000'000;
  ScreenOptions o;
  o.as_of = D("2026-03-01");
  std::vector<Decision> d;
  Status s = (*screener)->Screen(p, o, &d);
  if (!s.ok()) return "screen: " + s.ToString();
  if (d.size() != 1 || d[0].criteria.size() != 1) return "unexpected decisions";
  return d[0].criteria[0].reason.en;
}

TEST(RuleSet, TieBreakDefaultsToRevenuePrevails) {
  auto rules = Rules({{"rules/programs/size.lua", SizeScript()}});
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ((*rules)->size_tie_break(), SizeTieBreak::kRevenuePrevails);
  EXPECT_EQ(SizeSeen(*rules), "size small");
}

TEST(RuleSet, TieBreakSettingChangesTheSizeScriptsSee) {
  auto revenue = Rules({{"rules/settings.lua", "settings { sme_size_tie_break = \"revenue_prevails\" }\n"},
                        {"rules/programs/size.lua", SizeScript()}});
  auto higher = Rules({{"rules/settings.lua", "settings { sme_size_tie_break = \"higher_of_two\" }\n"},
                       {"rules/programs/size.lua", SizeScript()}});
  ASSERT_TRUE(revenue.ok()) << revenue.status().ToString();
  ASSERT_TRUE(higher.ok()) << higher.status().ToString();
  EXPECT_EQ((*revenue)->size_tie_break(), SizeTieBreak::kRevenuePrevails);
  EXPECT_EQ((*higher)->size_tie_break(), SizeTieBreak::kHigherOfTwo);
  EXPECT_EQ(SizeSeen(*revenue), "size small");
  EXPECT_EQ(SizeSeen(*higher), "size medium");
  EXPECT_NE((*revenue)->hash(), (*higher)->hash());
}

TEST(RuleSet, TieBreakSettingLoadsFromADirectory) {
  auto rules = RuleSet::Load(SMEMATCH_TESTDATA "/rules_higher_of_two");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ((*rules)->size_tie_break(), SizeTieBreak::kHigherOfTwo);
  ASSERT_EQ((*rules)->programs().size(), 1u);
  EXPECT_EQ((*rules)->programs()[0].script, "rules_higher_of_two/programs/size.lua");
  EXPECT_EQ(SizeSeen(*rules), "size medium");
}

}  // namespace
}  // namespace smematch
