#include "smematch/rule_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "smematch/rule_set.h"

namespace smematch {
namespace {

namespace fs = std::filesystem;

fs::path SourceDir() {
#ifdef SMEMATCH_SOURCE_DIR
  return SMEMATCH_SOURCE_DIR;
#else
  return fs::current_path();
#endif
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& Provinces() {
  static const std::string text = ReadFile(SourceDir() / "rules/data/provinces.csv");
  return text;
}

// A rule set in memory: the shipped provinces and the given program scripts, each named
// "t/programs/<name>"; "settings.lua" becomes "t/settings.lua".
RuleCheckReport Check(std::vector<std::pair<std::string, std::string>> scripts) {
  std::vector<RuleSet::File> files = {{"t/data/provinces.csv", Provinces()}};
  for (auto& [name, text] : scripts) {
    files.push_back({name == "settings.lua" ? "t/settings.lua" : "t/programs/" + name, text});
  }
  return CheckRuleFiles(std::move(files));
}

// A well-formed program script; `body` goes inside the one criterion's test function.
std::string Program(const std::string& id,
                    const std::string& test_body = "return e.employees <= 50",
                    const std::string& extra = "") {
  return "program { id = \"" + id +
         "\", version = \"1\", effective_from = \"2025-10-01\",\n"
         "  name = { th = \"โครงการ\", en = \"program\" } }\n" +
         extra +
         "criterion \"small\" {\n"
         "  th = \"กิจการเล็ก\", en = \"small\", fail = { th = \"ไม่ผ่าน\", en = \"failed\" },\n"
         "  test = function(e, p, c)\n"
         "    " +
         test_body +
         "\n"
         "  end,\n"
         "}\n";
}

// A version of program `id` with an effective period.
std::string Version(const std::string& id, const std::string& version, const std::string& from,
                    const std::string& to) {
  return "program { id = \"" + id + "\", version = \"" + version +
         "\",\n"
         "  effective_from = \"" +
         from + "\"," + (to.empty() ? "" : " effective_to = \"" + to + "\",") +
         "\n  name = { th = \"โครงการ\", en = \"program\" } }\n"
         "criterion \"small\" {\n"
         "  th = \"กิจการเล็ก\", en = \"small\", fail = { th = \"ไม่ผ่าน\", en = \"failed\" },\n"
         "  test = function(e) return e.employees <= 50 end,\n"
         "}\n";
}

std::string Dump(const RuleCheckReport& r) {
  std::string s;
  for (const RuleFinding& f : r.findings) {
    s += f.file + ":" + std::to_string(f.line) + ": " +
         std::string(FindingSeverityName(f.severity)) + ": " + f.message + " [" + f.kind + "]\n";
  }
  return s;
}

// Returns the findings of `kind`.
std::vector<RuleFinding> Of(const RuleCheckReport& r, const std::string& kind) {
  std::vector<RuleFinding> out;
  for (const RuleFinding& f : r.findings) {
    if (f.kind == kind) out.push_back(f);
  }
  return out;
}

// Expects exactly one finding in all, of `kind`, at `file`:`line`, whose message contains `text`.
void ExpectOnly(const RuleCheckReport& r, const std::string& kind, const std::string& file,
                int line, const std::string& text,
                FindingSeverity severity = FindingSeverity::kError) {
  ASSERT_EQ(r.findings.size(), 1u) << Dump(r);
  const RuleFinding& f = r.findings[0];
  EXPECT_EQ(f.kind, kind) << Dump(r);
  EXPECT_EQ(f.file, file) << Dump(r);
  EXPECT_EQ(f.line, line) << Dump(r);
  EXPECT_EQ(f.severity, severity) << Dump(r);
  EXPECT_NE(f.message.find(text), std::string::npos) << Dump(r);
}

TEST(RuleCheck, ShippedRulesAreClean) {
  Result<RuleCheckReport> r = CheckRules((SourceDir() / "rules").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->findings.empty()) << Dump(*r);
  EXPECT_EQ(r->errors(), 0u);
  EXPECT_EQ(r->warnings(), 0u);
  EXPECT_EQ(r->programs.size(), 4u);
  Result<std::shared_ptr<const RuleSet>> loaded = RuleSet::Load((SourceDir() / "rules").string());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(r->rule_set, (*loaded)->hash())
      << "ReadRuleFiles must name files as RuleSet::Load does";
}

TEST(RuleCheck, MissingDirectoryIsNotFound) {
  Result<RuleCheckReport> r = CheckRules("/nonexistent/rules");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/rules"), std::string::npos);
}

TEST(RuleCheck, SyntaxErrorNamesFileAndLine) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA", "return e.employees < < 50")}});
  ExpectOnly(r, "syntax", "t/programs/a.lua", 6, "near '<'");
  EXPECT_TRUE(r.rule_set.empty());
}

TEST(RuleCheck, MissingEnglishTextOfAFailReason) {
  std::string script = Program("ALPHA");
  size_t at = script.find(", en = \"failed\"");
  script.erase(at, std::string(", en = \"failed\"").size());
  RuleCheckReport r = Check({{"a.lua", script}});
  ExpectOnly(r, "missing_text", "t/programs/a.lua", 3,
             "criterion 'small'.fail: missing the English text (en)");
}

TEST(RuleCheck, MissingThaiTextOfAProgramName) {
  std::string script = Program("ALPHA");
  size_t at = script.find("th = \"โครงการ\", ");
  script.erase(at, std::string("th = \"โครงการ\", ").size());
  RuleCheckReport r = Check({{"a.lua", script}});
  ExpectOnly(r, "missing_text", "t/programs/a.lua", 1, "program.name: missing the Thai text (th)");
}

TEST(RuleCheck, ParameterTypeMismatch) {
  RuleCheckReport r =
      Check({{"a.lua", Program("ALPHA", "return e.employees <= tonumber(p.max)",
                               "parameter \"max\" { type = \"integer\", value = \"50\", "
                               "th = \"สูงสุด\", en = \"max\" }\n")}});
  ExpectOnly(r, "parameter_type", "t/programs/a.lua", 3,
             "declared type integer but the value is string");
}

TEST(RuleCheck, DuplicateCriterionId) {
  std::string script = Program("ALPHA");
  script += script.substr(script.find("criterion"));  // the criterion again, from line 9
  RuleCheckReport r = Check({{"a.lua", script}});
  ExpectOnly(r, "duplicate_id", "t/programs/a.lua", 9, "criterion 'small' declared twice");
}

TEST(RuleCheck, DuplicateParameterName) {
  std::string param = "parameter \"max\" { value = 50, th = \"สูงสุด\", en = \"max\" }\n";
  RuleCheckReport r =
      Check({{"a.lua", Program("ALPHA", "return e.employees <= p.max", param + param)}});
  ExpectOnly(r, "duplicate_id", "t/programs/a.lua", 4, "parameter 'max' declared twice");
}

TEST(RuleCheck, UnknownPlaceholderInAReason) {
  std::string script = Program("ALPHA");
  size_t at = script.find("en = \"failed\"");
  script.replace(at, std::string("en = \"failed\"").size(), "en = \"{e.employes} employees\"");
  RuleCheckReport r = Check({{"a.lua", script}});
  ExpectOnly(r, "placeholder", "t/programs/a.lua", 3, "unknown placeholder {e.employes}");
}

TEST(RuleCheck, SandboxViolationWhileLoading) {
  RuleCheckReport r =
      Check({{"a.lua", Program("ALPHA", "return true", "local f = io.open(\"/etc/passwd\")\n")}});
  ExpectOnly(r, "sandbox", "t/programs/a.lua", 3, "'io' is not available in rule scripts");
}

TEST(RuleCheck, SandboxViolationInsideATestThatLoadingNeverRuns) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA", "os.execute(\"rm -rf /\") return true")}});
  ExpectOnly(r, "sandbox", "t/programs/a.lua", 6, "'os' is not available in rule scripts");
}

TEST(RuleCheck, EveryUnavailableLibraryAndFunctionIsNamed) {
  const std::vector<std::pair<std::string, std::string>> uses = {
      {"require(\"x\")", "'require'"},
      {"load(\"return 1\")", "'load'"},
      {"dofile(\"x\")", "'dofile'"},
      {"loadfile(\"x\")", "'loadfile'"},
      {"print(1)", "'print'"},
      {"debug.traceback()", "'debug'"},
      {"package.loaded.x = 1", "'package'"},
      {"coroutine.create(print)", "'coroutine'"},
      {"collectgarbage()", "'collectgarbage'"},
      {"rawset(e, 1, 2)", "'rawset'"},
      {"_G.x = 1", "'_G'"},
      {"string.dump(tostring)", "'string.dump'"},
      {"math.random()", "'math.random'"},
      {"math.randomseed(1)", "'math.randomseed'"},
  };
  for (const auto& [use, name] : uses) {
    RuleCheckReport r = Check({{"a.lua", Program("ALPHA", use + " return true")}});
    std::vector<RuleFinding> sandbox = Of(r, "sandbox");
    ASSERT_FALSE(sandbox.empty()) << use << "\n" << Dump(r);
    EXPECT_EQ(sandbox[0].line, 6) << use;
    EXPECT_NE(sandbox[0].message.find(name), std::string::npos) << use << "\n" << Dump(r);
  }
}

TEST(RuleCheck, LocalsFieldsAndTableKeysNamedLikeLibrariesAreFine) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA",
                                               "local print = 1 local t = { os = 2, io = 3 } "
                                               "return t.os + t.io + print > 0")}});
  EXPECT_TRUE(r.findings.empty()) << Dump(r);
}

TEST(RuleCheck, BytecodeIsRefused) {
  RuleCheckReport r = Check({{"a.lua", std::string("\x1bLua\x54\x00garbage", 13)}});
  ExpectOnly(r, "sandbox", "t/programs/a.lua", 0, "precompiled (binary) chunks are not accepted");
}

TEST(RuleCheck, TopLevelLoopRunsOutOfBudgetAndDoesNotHideOtherScripts) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA", "return true", "while true do end\n")},
                             {"b.lua", Program("BETA", "return e.employes <= 50")}});
  std::vector<RuleFinding> budget = Of(r, "budget");
  ASSERT_EQ(budget.size(), 1u) << Dump(r);
  EXPECT_EQ(budget[0].file, "t/programs/a.lua");
  EXPECT_NE(budget[0].message.find("instruction budget"), std::string::npos) << Dump(r);
  std::vector<RuleFinding> field = Of(r, "unknown_field");
  ASSERT_EQ(field.size(), 1u) << Dump(r);
  EXPECT_EQ(field[0].file, "t/programs/b.lua");
}

TEST(RuleCheck, BrokenScriptDoesNotHideAnotherScriptsErrors) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA", "return e.employees < < 50")},
                             {"b.lua", Program("BETA", "return e.years_operatng > 1")}});
  EXPECT_EQ(Of(r, "syntax").size(), 1u) << Dump(r);
  EXPECT_EQ(Of(r, "unknown_field").size(), 1u) << Dump(r);
  EXPECT_EQ(r.errors(), 2u) << Dump(r);
  ASSERT_EQ(r.programs.size(), 1u);
  EXPECT_EQ(r.programs[0].id, "BETA");
}

TEST(RuleCheck, UnknownProfileFieldWithASuggestion) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA", "return e.years_operatng >= 1")}});
  ExpectOnly(r, "unknown_field", "t/programs/a.lua", 6,
             "unknown profile field 'years_operatng' in e.years_operatng; did you mean "
             "'years_operating'?");
}

TEST(RuleCheck, UnknownProfileFieldInBracketsAndUnderAnotherParameterName) {
  std::string script = Program("ALPHA");
  size_t at = script.find("function(e, p, c)");
  script.replace(at, std::string("function(e, p, c)").size(), "function(x, params, ctx)");
  at = script.find("return e.employees <= 50");
  script.replace(at, std::string("return e.employees <= 50").size(), "return x[\"turnover\"] > 0");
  RuleCheckReport r = Check({{"a.lua", script}});
  ExpectOnly(r, "unknown_field", "t/programs/a.lua", 6,
             "unknown profile field 'turnover' in x.turnover");
}

TEST(RuleCheck, HelperFunctionsWhoseFirstParameterIsECount) {
  RuleCheckReport r =
      Check({{"a.lua", Program("ALPHA", "return helper(e) and other({ employes = 1 })",
                               "local function helper(e) return e.revenue ~= nil end\n"
                               "local function other(t) return t.employes == 1 end\n")}});
  ExpectOnly(r, "unknown_field", "t/programs/a.lua", 3, "unknown profile field 'revenue'");
}

TEST(RuleCheck, ReadingParticipationDirectly) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA", "return #e.participation == 0")}});
  ExpectOnly(r, "unknown_field", "t/programs/a.lua", 6,
             "read past participation with participated(");
}

TEST(RuleCheck, UnknownParameter) {
  RuleCheckReport r =
      Check({{"a.lua", Program("ALPHA", "return e.employees <= p.max_employes",
                               "parameter \"max_employees\" { value = 50, th = \"สูงสุด\", "
                               "en = \"max\" }\n")}});
  std::vector<RuleFinding> unknown = Of(r, "unknown_parameter");
  ASSERT_EQ(unknown.size(), 1u) << Dump(r);
  EXPECT_EQ(unknown[0].line, 7);
  EXPECT_NE(unknown[0].message.find(
                "unknown parameter 'max_employes' in p.max_employes; declared: max_employees"),
            std::string::npos)
      << Dump(r);
  // max_employees itself is then unused.
  EXPECT_EQ(Of(r, "unused_parameter").size(), 1u) << Dump(r);
}

TEST(RuleCheck, UnknownContextValue) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA", "return c.fiscal > 2025")}});
  ExpectOnly(r, "unknown_context", "t/programs/a.lua", 6,
             "unknown context value 'fiscal' in c.fiscal");
}

TEST(RuleCheck, AssigningToTheApplicantOrParameters) {
  RuleCheckReport r = Check({{"a.lua", Program("ALPHA", "e.employees = 3 return true")}});
  ExpectOnly(r, "read_only", "t/programs/a.lua", 6,
             "the applicant is read-only: e.employees cannot be assigned");
  r = Check(
      {{"a.lua", Program("ALPHA", "p.max = 3 return e.employees < p.max",
                         "parameter \"max\" { value = 50, th = \"สูงสุด\", en = \"max\" }\n")}});
  ExpectOnly(r, "read_only", "t/programs/a.lua", 7,
             "parameters are read-only: p.max cannot be assigned");
}

TEST(RuleCheck, CommentsAndStringsAreNotScanned) {
  RuleCheckReport r = Check(
      {{"a.lua", "-- e.bogus os.exit()\n--[[ e.also_bogus\nprint(1) ]]\n" +
                     Program("ALPHA", "local s = \"e.bogus\" .. [[ io.open ]] return #s > 0")}});
  EXPECT_TRUE(r.findings.empty()) << Dump(r);
}

// A program whose one criterion is the condition `condition` (declared at line 4 + lines of
// `extra`; the test line itself is line 6 + lines of `extra`).
std::string ConditionProgram(const std::string& condition, const std::string& extra = "") {
  return "program { id = \"ALPHA\", version = \"1\", effective_from = \"2025-10-01\",\n"
         "  name = { th = \"โครงการ\", en = \"program\" } }\n" +
         extra +
         "criterion \"small\" {\n"
         "  th = \"กิจการเล็ก\", en = \"small\", fail = { th = \"ไม่ผ่าน\", en = \"failed\" },\n"
         "  test = \"" + condition + "\",\n"
         "}\n";
}

TEST(RuleCheck, ParametersReadOnlyInAConditionAreUsed) {
  RuleCheckReport r = Check({{"a.lua", ConditionProgram(
      "e.employees <= p.max_employees",
      "parameter \"max_employees\" { value = 50, th = \"สูงสุด\", en = \"max\" }\n")}});
  EXPECT_TRUE(r.findings.empty()) << Dump(r);
}

TEST(RuleCheck, ConditionThatReadsAnUnknownFieldIsAnError) {
  RuleCheckReport r = Check({{"a.lua", ConditionProgram("e.years_operatng >= 1")}});
  ASSERT_GE(r.errors(), 1u) << Dump(r);
  bool named = false;
  for (const RuleFinding& f : r.findings) {
    EXPECT_EQ(f.file, "t/programs/a.lua") << Dump(r);
    if (f.message.find("years_operatng") != std::string::npos) named = true;
  }
  EXPECT_TRUE(named) << Dump(r);
}

TEST(RuleCheck, ConditionOutsideTheSubsetIsRefusedWithItsColumn) {
  RuleCheckReport r = Check({{"a.lua", ConditionProgram("#e.name > 3")}});
  ASSERT_EQ(r.errors(), 1u) << Dump(r);
  EXPECT_EQ(r.findings[0].line, 3) << Dump(r);
  EXPECT_NE(r.findings[0].message.find("criterion 'small': condition, column 1: '#' is not supported"),
            std::string::npos)
      << Dump(r);
}

TEST(RuleCheck, OverlappingVersionsAreAnErrorAtTheLaterEffectiveFrom) {
  RuleCheckReport r = Check({{"a.lua", Version("ALPHA", "1", "2025-10-01", "2026-10-31")},
                             {"b.lua", Version("ALPHA", "2", "2026-10-01", "")}});
  ExpectOnly(
      r, "overlap", "t/programs/b.lua", 2,
      "program ALPHA version 2 (effective from 2026-10-01) overlaps version 1 in t/programs/a.lua");
  EXPECT_TRUE(r.rule_set.empty());
}

TEST(RuleCheck, OpenEndedEarlierVersionOverlaps) {
  RuleCheckReport r = Check({{"a.lua", Version("ALPHA", "1", "2025-10-01", "")},
                             {"b.lua", Version("ALPHA", "2", "2026-10-01", "")}});
  ExpectOnly(r, "overlap", "t/programs/b.lua", 2, "(effective 2025-10-01 to open end)");
}

TEST(RuleCheck, GapBetweenVersionsIsAWarning) {
  RuleCheckReport r = Check({{"a.lua", Version("ALPHA", "1", "2025-10-01", "2026-09-30")},
                             {"b.lua", Version("ALPHA", "2", "2026-11-01", "")}});
  ExpectOnly(r, "gap", "t/programs/b.lua", 2,
             "program ALPHA has no version effective from 2026-10-01 to 2026-10-31 (31 days",
             FindingSeverity::kWarning);
  EXPECT_EQ(r.errors(), 0u);
  EXPECT_FALSE(r.rule_set.empty()) << "a gap does not stop the rule set from loading";
}

TEST(RuleCheck, ConsecutiveFiscalYearVersionsHaveNoGap) {
  RuleCheckReport r = Check({{"a.lua", Version("ALPHA", "2026.1", "2025-10-01", "2026-09-30")},
                             {"b.lua", Version("ALPHA", "2027.1", "2026-10-01", "")}});
  EXPECT_TRUE(r.findings.empty()) << Dump(r);
  EXPECT_EQ(r.programs.size(), 2u);
}

TEST(RuleCheck, GapAcrossALeapDay) {
  RuleCheckReport r = Check({{"a.lua", Version("ALPHA", "1", "2023-10-01", "2024-02-27")},
                             {"b.lua", Version("ALPHA", "2", "2024-03-01", "")}});
  ExpectOnly(r, "gap", "t/programs/b.lua", 2, "from 2024-02-28 to 2024-02-29 (2 days",
             FindingSeverity::kWarning);
}

TEST(RuleCheck, DuplicateVersionString) {
  RuleCheckReport r = Check({{"a.lua", Version("ALPHA", "1", "2025-10-01", "2026-09-30")},
                             {"b.lua", Version("ALPHA", "1", "2026-10-01", "")}});
  ExpectOnly(r, "duplicate_version", "t/programs/b.lua", 1,
             "program ALPHA version 1 is also declared in t/programs/a.lua");
}

TEST(RuleCheck, UnusedParameterIsAWarningAndTemplatesCountAsUse) {
  std::string params =
      "parameter \"in_template\" { value = 3, th = \"ก\", en = \"a\" }\n"
      "parameter \"unused\" { value = 1, th = \"ข\", en = \"b\" }\n";
  std::string script = Program("ALPHA", "return true", params);
  size_t at = script.find("en = \"failed\"");
  script.replace(at, std::string("en = \"failed\"").size(), "en = \"failed {p.in_template}\"");
  RuleCheckReport r = Check({{"a.lua", script}});
  ExpectOnly(r, "unused_parameter", "t/programs/a.lua", 4, "parameter 'unused' is declared but",
             FindingSeverity::kWarning);
}

TEST(RuleCheck, SettingsError) {
  RuleCheckReport r = Check({{"settings.lua", "settings { sme_size_tie_break = \"lowest\" }\n"},
                             {"a.lua", Program("ALPHA")}});
  ExpectOnly(r, "settings", "t/settings.lua", 1,
             "settings.sme_size_tie_break: unknown value 'lowest'");
}

TEST(RuleCheck, BrokenProvinceTable) {
  std::vector<RuleSet::File> files = {{"t/data/provinces.csv", "iso_code,name_th\nTH-10,กรุงเทพ\n"},
                                      {"t/programs/a.lua", Program("ALPHA")}};
  RuleCheckReport r = CheckRuleFiles(files);
  ASSERT_EQ(Of(r, "provinces").size(), 1u) << Dump(r);
  EXPECT_EQ(Of(r, "provinces")[0].file, "t/data/provinces.csv");
  EXPECT_TRUE(r.rule_set.empty());
}

TEST(RuleCheck, NoProgramScript) {
  RuleCheckReport r = Check({});
  ExpectOnly(r, "file", "", 0, "no program script");
}

TEST(RuleCheck, FindingsAreSortedByFileThenLine) {
  RuleCheckReport r = Check({{"b.lua", Program("BETA", "return e.zzz and e.aaa")},
                             {"a.lua", Program("ALPHA", "print(1) return true")}});
  ASSERT_EQ(r.findings.size(), 3u) << Dump(r);
  EXPECT_EQ(r.findings[0].file, "t/programs/a.lua");
  EXPECT_EQ(r.findings[1].file, "t/programs/b.lua");
  EXPECT_NE(r.findings[1].message.find("'zzz'"), std::string::npos) << Dump(r);
  EXPECT_NE(r.findings[2].message.find("'aaa'"), std::string::npos) << Dump(r);
}

TEST(RuleCheck, ReadRuleFilesNamesFilesLikeRuleSetLoad) {
  Result<std::vector<RuleSet::File>> files = ReadRuleFiles((SourceDir() / "rules").string());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::vector<std::string> names;
  for (const RuleSet::File& f : *files) names.push_back(f.path);
  EXPECT_NE(std::find(names.begin(), names.end(), "rules/programs/bsc.lua"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "rules/settings.lua"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "rules/data/provinces.csv"), names.end());
  for (const std::string& n : names) EXPECT_EQ(n.find(".cases.json"), std::string::npos) << n;
}

}  // namespace
}  // namespace smematch
