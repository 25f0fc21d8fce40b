// The policy staff's tools through the command line: rules check, rules test --coverage,
// rules docs, impact, and effective-dated versions in screen.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "cli_test_util.h"

namespace smematch::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class RulesToolsTest : public TempDirTest {
 protected:
  // A copy of the shipped rules under `name`, with `from` replaced by `to` in `script`.
  std::string EditedRules(const std::string& name, const std::string& script,
                          const std::string& from, const std::string& to) {
    fs::path rules = dir_ / name;
    fs::create_directories(rules.parent_path());
    fs::copy(SourceDir() / "rules", rules, fs::copy_options::recursive);
    std::string text = ReadFile(rules / script);
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    std::ofstream(rules / script, std::ios::binary | std::ios::trunc) << text;
    return rules.string();
  }

  std::string ItcMinYears3(const std::string& name = "after/rules") {
    return EditedRules(name, "programs/itc.lua",
                       "parameter \"min_years_operating\" {\n  value = 1,",
                       "parameter \"min_years_operating\" {\n  value = 3,");
  }
};

// --- rules check ------------------------------------------------------------------------------

TEST_F(RulesToolsTest, RulesCheckOnTheShippedRulesIsClean) {
  CliRun r = Cli({"rules", "check", "--rules", Src("rules")});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("6 files, 4 program versions; 0 errors, 0 warnings; rule set sha256:"),
            std::string::npos)
      << r.out;
}

// One purpose-broken script per kind of problem (tests/testdata/policy_broken).
TEST_F(RulesToolsTest, RulesCheckReportsEveryKindWithFileAndLine) {
  CliRun r = Cli({"rules", "check", "--rules", Src("tests/testdata/policy_broken")});
  EXPECT_EQ(r.code, kExitRules) << r.out << r.err;
  const char* expected[] = {
      "policy_broken/programs/a_syntax.lua:8: error: unexpected symbol near '<' [syntax]",
      "policy_broken/programs/b_texts.lua:4: error: criterion 'small'.fail: missing the English "
      "text (en) [missing_text]",
      "policy_broken/programs/c_types.lua:5: error: parameter 'max_employees': declared type "
      "integer but the value is string [parameter_type]",
      "policy_broken/programs/d_duplicate.lua:8: error: criterion 'small' declared twice "
      "[duplicate_id]",
      "policy_broken/programs/e_placeholder.lua:5: error: criterion 'small' fail.th: unknown "
      "placeholder {e.employes}",
      "policy_broken/programs/f_references.lua:7: warning: parameter 'unused' is declared but",
      "policy_broken/programs/f_references.lua:13: error: unknown profile field 'years_operatng' "
      "in e.years_operatng; did you mean 'years_operating'? [unknown_field]",
      "policy_broken/programs/f_references.lua:14: error: unknown parameter 'max_employees' in "
      "p.max_employees; declared: min_years, unused [unknown_parameter]",
      "policy_broken/programs/f_references.lua:15: error: unknown context value 'fiscal_yr' in "
      "c.fiscal_yr",
      "policy_broken/programs/f_references.lua:16: error: read past participation with "
      "participated(",
      "policy_broken/programs/g_sandbox.lua:5: error: attempt to index a nil value (global 'io'); "
      "'io' is not available in rule scripts (sandbox)",
      "policy_broken/programs/g_sandbox.lua:10: error: 'os' is not available in rule scripts "
      "(sandbox)",
      "policy_broken/programs/h_overlap_2.lua:4: error: program OVERLAP version 2 (effective from "
      "2026-10-01) overlaps version 1 in policy_broken/programs/h_overlap_1.lua",
      "policy_broken/programs/i_gap_2.lua:4: warning: program GAP has no version effective from "
      "2026-10-01 to 2026-10-31",
  };
  const std::string out = "\n" + r.out;
  for (const char* line : expected) {
    EXPECT_NE(out.find(std::string("\n") + line), std::string::npos) << line << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("13 errors, 2 warnings"), std::string::npos) << r.out;
  // Comments and strings are not read as references.
  EXPECT_EQ(r.out.find("this_is_a_comment"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("in_a_string"), std::string::npos) << r.out;
}

TEST_F(RulesToolsTest, RulesCheckJsonForCi) {
  CliRun r =
      Cli({"rules", "check", "--rules", Src("tests/testdata/policy_broken"), "--format", "json"});
  EXPECT_EQ(r.code, kExitRules) << r.err;
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["errors"], 13);
  EXPECT_EQ(j["warnings"], 2);
  EXPECT_TRUE(j["rule_set"].is_null());
  std::set<std::string> kinds;
  for (const json& f : j["findings"]) {
    kinds.insert(f["kind"].get<std::string>());
    EXPECT_TRUE(f["file"].get<std::string>().starts_with("policy_broken/programs/")) << f;
    EXPECT_GT(f["line"].get<int>(), 0) << f;
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"syntax", "missing_text", "parameter_type",
                                          "duplicate_id", "placeholder", "unused_parameter",
                                          "unknown_field", "unknown_parameter", "unknown_context",
                                          "sandbox", "overlap", "gap"}));

  CliRun clean = Cli({"rules", "check", "--rules", Src("rules"), "--format", "json"});
  EXPECT_EQ(clean.code, kExitOk);
  json c = json::parse(clean.out, nullptr, false);
  ASSERT_FALSE(c.is_discarded());
  EXPECT_EQ(c["ok"], true);
  EXPECT_EQ(c["programs"].size(), 4u);
  EXPECT_TRUE(c["rule_set"].get<std::string>().starts_with("sha256:"));
}

TEST_F(RulesToolsTest, RulesCheckWarningsPassUnlessStrict) {
  fs::path rules = dir_ / "rules";
  fs::create_directories(rules / "programs");
  fs::create_directories(rules / "data");
  fs::copy(SourceDir() / "rules/data/provinces.csv", rules / "data/provinces.csv");
  for (const char* f : {"i_gap_1.lua", "i_gap_2.lua"}) {
    fs::copy(SourceDir() / "tests/testdata/policy_broken/programs" / f, rules / "programs" / f);
  }
  CliRun r = Cli({"rules", "check", "--rules", rules.string()});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("[gap]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 errors, 1 warning;"), std::string::npos) << r.out;
  r = Cli({"rules", "check", "--rules", rules.string(), "--strict"});
  EXPECT_EQ(r.code, kExitRules) << r.out << r.err;
}

TEST_F(RulesToolsTest, RulesCheckBadUsageAndMissingDirectory) {
  CliRun r = Cli({"rules", "check", "--rules", (dir_ / "absent").string()});
  EXPECT_EQ(r.code, kExitIo) << r.err;
  EXPECT_NE(r.err.find("absent"), std::string::npos) << r.err;
  EXPECT_EQ(Cli({"rules", "check", "--format", "xml"}).code, kExitUsage);
  EXPECT_EQ(Cli({"rules", "check", "--nope"}).code, kExitUsage);
  CliRun help = Cli({"rules", "check", "--help"});
  EXPECT_EQ(help.code, kExitOk);
  EXPECT_NE(help.out.find("exit codes"), std::string::npos);
  CliRun usage = Cli({"rules"});
  EXPECT_EQ(usage.code, kExitUsage);
  EXPECT_NE(usage.err.find("check"), std::string::npos) << usage.err;
}

// --- rules test --------------------------------------------------------------------------------

TEST_F(RulesToolsTest, RulesTestCoverageListsCriteriaNeverSeenFailing) {
  CliRun r = Cli({"rules", "test", "--rules", Src("rules"), "--coverage"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("coverage: 18 of 19 criteria (94.7%) seen both passing and failing"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out,
      std::regex(
          "\n    in_service_area +pass [0-9]+  fail 0  needs_information [0-9]+  NOT COVERED\n")))
      << r.out;
  EXPECT_NE(r.out.find("not covered:\n  rules/programs/bsc.lua:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": BSC 2026.1 in_service_area: no case saw it fail"), std::string::npos)
      << r.out;
  EXPECT_EQ(Count(r.out, "NOT COVERED"), 1u) << r.out;
}

TEST_F(RulesToolsTest, RulesTestMinCoverageFailsBelowTheShare) {
  CliRun below = Cli({"rules", "test", "--rules", Src("rules"), "--min-coverage", "95"});
  EXPECT_EQ(below.code, kExitRules) << below.out << below.err;
  EXPECT_NE(below.err.find("94.7% of the criteria are covered, below --min-coverage 95%"),
            std::string::npos)
      << below.err;
  EXPECT_NE(below.out.find("coverage:"), std::string::npos) << "--min-coverage implies --coverage";
  CliRun above = Cli({"rules", "test", "--rules", Src("rules"), "--min-coverage", "80"});
  EXPECT_EQ(above.code, kExitOk) << above.out << above.err;
  EXPECT_EQ(Cli({"rules", "test", "--rules", Src("rules"), "--min-coverage", "150"}).code,
            kExitUsage);
  EXPECT_EQ(Cli({"rules", "test", "--rules", Src("rules"), "--min-coverage", "lots"}).code,
            kExitUsage);
}

TEST_F(RulesToolsTest, RulesTestCoverageOfOneCaseFileCountsOnlyItsProgram) {
  std::string path =
      Write("itc.cases.json", R"({"program":"ITC","as_of":"2026-03-01","base":{"id":"b","name":"n",
    "legal_form":"juristic_person","identifier":"0105536112014","sector":"manufacturing","industry":"food",
    "province":"TH-50","employees":12,"annual_revenue_thb":8000000,"years_operating":4},
    "cases":[{"name":"eligible","expect":{"outcome":"eligible"}},
             {"name":"trader","with":{"sector":"trade_services"},"expect":{"outcome":"ineligible","failed":["manufacturer"]}}]})");
  CliRun r = Cli({"rules", "test", "--rules", Src("rules"), "--coverage", path});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("coverage: 1 of 5 criteria (20.0%)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("BSC"), std::string::npos) << r.out;
}

TEST_F(RulesToolsTest, RulesTestFailingCaseShowsExpectedVersusActualPerCriterion) {
  std::string path =
      Write("bsc.cases.json", R"({"program":"BSC","as_of":"2026-03-01","base":{"id":"b","name":"n",
    "legal_form":"juristic_person","identifier":"0105536112014","sector":"manufacturing","industry":"food",
    "province":"TH-50","employees":12,"annual_revenue_thb":8000000,"years_operating":4},
    "cases":[{"name":"wrong","with":{"participation":[{"program":"BSC","fiscal_year":2026,"man_days_used":3}]},
              "expect":{"outcome":"ineligible","failed":["is_sme"]}}]})");
  CliRun r = Cli({"rules", "test", "--rules", Src("rules"), path});
  EXPECT_EQ(r.code, kExitRules) << r.out << r.err;
  EXPECT_NE(r.out.find("failed: expected [is_sme], got [man_days_available]"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("criteria (! = not as expected):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("! is_sme: expected fail, got pass: a small enterprise"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("! man_days_available: expected not fail, got fail: all 3 man-days of "
                       "fiscal year 2026 are used"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  in_service_area: expected not fail, got pass: located in Chiang Mai"),
            std::string::npos)
      << r.out;
  CliRun th = Cli({"rules", "test", "--rules", Src("rules"), "--lang", "th", path});
  EXPECT_NE(th.out.find("! is_sme: คาดว่า ไม่ผ่าน, ผลจริง ผ่าน: เป็นวิสาหกิจขนาดย่อม"), std::string::npos)
      << th.out;
  EXPECT_NE(th.out.find("เกณฑ์ (! = ไม่ตรงกับที่คาด):"), std::string::npos) << th.out;
}

// --- effective-dated rules
// ------------------------------------------------------------------------

TEST_F(RulesToolsTest, ScreenAsOfPicksTheVersionEffectiveThatDay) {
  std::string input =
      Write("one.jsonl",
            R"({"id":"X","name":"x","legal_form":"juristic_person","identifier":"0105536112014",)"
            R"("sector":"manufacturing","industry":"food","province":"TH-50","employees":12,)"
            R"("annual_revenue_thb":8000000,"years_operating":4})"
            "\n");
  const std::string rules = Src("tests/testdata/policy_versions");
  struct Day {
    const char* as_of;
    const char* version;
    int man_days;
  };
  for (const Day& d : {Day{"2025-10-01", "2026.1", 3}, Day{"2026-09-30", "2026.1", 3},
                       Day{"2026-10-01", "2027.1", 5}, Day{"2027-03-01", "2027.1", 5}}) {
    CliRun r = Cli({"screen", input, "--rules", rules, "--as-of", d.as_of, "-q"});
    ASSERT_EQ(r.code, kExitOk) << d.as_of << r.err;
    json j = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j["as_of"], d.as_of);
    EXPECT_EQ(j["decisions"][0]["program"], "BSC");
    EXPECT_EQ(j["decisions"][0]["version"], d.version) << d.as_of;
    EXPECT_EQ(j["decisions"][0]["benefit"]["values"]["man_days_left"], d.man_days) << d.as_of;
  }
  CliRun table = Cli({"screen", input, "--rules", rules, "--as-of", "2026-10-01", "--format",
                      "table", "--lang", "en", "-q"});
  EXPECT_NE(table.out.find("BSC v2027.1"), std::string::npos) << table.out;
  CliRun before = Cli({"screen", input, "--rules", rules, "--as-of", "2025-09-30"});
  EXPECT_EQ(before.code, kExitUsage);
  EXPECT_NE(before.err.find("no version of program BSC is effective on 2025-09-30"),
            std::string::npos)
      << before.err;
}

TEST_F(RulesToolsTest, VersionedCaseFilesRunAgainstTheirOwnVersion) {
  CliRun r = Cli({"rules", "test", "--rules", Src("tests/testdata/policy_versions"), "--coverage"});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("6 passed, 0 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  BSC 2026.1 (policy_versions/programs/bsc_fy2026.lua)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  BSC 2027.1 (policy_versions/programs/bsc_fy2027.lua)"), std::string::npos)
      << r.out;
  CliRun check = Cli({"rules", "check", "--rules", Src("tests/testdata/policy_versions")});
  EXPECT_EQ(check.code, kExitOk) << check.out;
  EXPECT_NE(check.out.find("2 program versions; 0 errors, 0 warnings"), std::string::npos)
      << check.out;
}

// --- rules docs --------------------------------------------------------------------------------

TEST_F(RulesToolsTest, RulesDocsWritesMarkdownAndHtml) {
  fs::path out = dir_ / "site";
  CliRun r = Cli({"rules", "docs", "--rules", Src("rules"), "-o", out.string()});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("wrote 10 files to"), std::string::npos) << r.out;
  for (const char* f : {"index.md", "index.html", "bsc.md", "bsc.html", "itc.md",
                        "smart_farmer.html", "star_sme.md"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  EXPECT_NE(ReadFile(out / "bsc.md").find("`man_days_available`"), std::string::npos);
  fs::path md = dir_ / "md";
  r = Cli({"rules", "docs", "--rules", Src("rules"), "-o", md.string(), "--format", "md"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_FALSE(fs::exists(md / "bsc.html"));
  EXPECT_TRUE(fs::exists(md / "bsc.md"));
  EXPECT_EQ(Cli({"rules", "docs", "--format", "pdf", "-o", md.string()}).code, kExitUsage);
  CliRun broken =
      Cli({"rules", "docs", "--rules", Src("tests/testdata/policy_broken"), "-o", md.string()});
  EXPECT_EQ(broken.code, kExitRules) << broken.err;
}

// --- impact -------------------------------------------------------------------------------------

TEST_F(RulesToolsTest, ImpactListsExactlyTheEnterprisesThatCrossARaisedThreshold) {
  std::string after = ItcMinYears3();
  CliRun r =
      Cli({"impact", "--before", Src("rules"), "--after", after, Src("data/demo/enterprises.jsonl"),
           "--as-of", "2026-03-01", "--lang", "en", "-q"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("Changed outcomes: 2 (gained eligibility 0, lost eligibility 2)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find(
          "  row 22  RN-002  ITC  eligible -> ineligible  (TH-85, micro, community_enterprise)\n"
          "      operating_track_record: pass -> fail\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  row 23  RN-003  ITC  eligible -> ineligible"), std::string::npos)
      << r.out;
  EXPECT_EQ(Count(r.out, "  row "), 2u) << r.out;
  EXPECT_NE(r.out.find("  BSC           2026.1 -> 2026.1      same rules (screened once)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("TH-85 Ranong"), std::string::npos) << r.out;
}

TEST_F(RulesToolsTest, ImpactCsvJsonAndTotals) {
  std::string after = ItcMinYears3();
  std::string csv = (dir_ / "impact.csv").string(), totals = (dir_ / "totals.csv").string();
  CliRun r =
      Cli({"impact", "--before", Src("rules"), "--after", after, Src("data/demo/enterprises.csv"),
           "--as-of", "2026-03-01", "-o", csv, "--totals", totals});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.err.find("2 outcomes changed (0 gained eligibility, 2 lost)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("6 invalid"), std::string::npos) << r.err;
  std::string text = ReadFile(csv);
  EXPECT_EQ(text.find("row,id,program,province,region,sme_size,legal_form,"), 0u) << text;
  EXPECT_EQ(Count(text, "\r\n"), 3u) << text;
  EXPECT_NE(text.find(",RN-002,ITC,TH-85,South,micro,community_enterprise,2026.1,2026.1,eligible,"
                      "ineligible,lost,"
                      "operating_track_record: pass -> fail,"),
            std::string::npos)
      << text;
  std::string t = ReadFile(totals);
  EXPECT_NE(t.find("\r\nprovince,TH-85,ระนอง,Ranong,ITC,"), std::string::npos) << t;

  CliRun j =
      Cli({"impact", "--before", Src("rules"), "--after", after, Src("data/demo/enterprises.jsonl"),
           "--as-of", "2026-03-01", "--format", "json", "-q"});
  EXPECT_EQ(j.code, kExitOk) << j.err;
  json doc = json::parse(j.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << j.out;
  ASSERT_EQ(doc["changes"].size(), 2u);
  EXPECT_EQ(doc["changes"][0]["id"], "RN-002");
  EXPECT_EQ(doc["changes"][0]["change"], "lost");
  EXPECT_EQ(doc["summary"]["lost"], 2);
  EXPECT_EQ(doc["summary"]["invalid"], 6);
  EXPECT_EQ(doc["programs"][1]["rules_changed"], true);
  EXPECT_EQ(doc["programs"][0]["rules_changed"], false);
}

TEST_F(RulesToolsTest, ImpactAgainstAGitRevision) {
  fs::path repo = dir_ / "repo";
  fs::create_directories(repo);
  fs::copy(SourceDir() / "rules", repo / "rules", fs::copy_options::recursive);
  std::string git = "git -C '" + repo.string() + "' ";
  ASSERT_EQ(std::system((git + "init -q && " + git + "add rules && " + git +
                         "-c user.name=t -c user.email=t@example.com commit -q -m rules")
                            .c_str()),
            0);
  // Edit the working copy: raise ITC's minimum years.
  std::string itc = ReadFile(repo / "rules/programs/itc.lua");
  itc.replace(itc.find("value = 1, unit = \"years\""),
              std::string("value = 1, unit = \"years\"").size(), "value = 3, unit = \"years\"");
  std::ofstream(repo / "rules/programs/itc.lua", std::ios::binary | std::ios::trunc) << itc;

  CliRun r = Cli({"impact", "--repo", repo.string(), "--before", "git:HEAD", "--after",
                  (repo / "rules").string(), Src("data/demo/enterprises.jsonl"), "--as-of",
                  "2026-03-01", "--format", "json", "-q"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_EQ(doc["changes"].size(), 2u);
  EXPECT_EQ(doc["before"]["rules"], "git:HEAD");
  // The committed rules are the shipped ones, extracted under the same name: the same hash.
  CliRun check = Cli({"rules", "check", "--rules", Src("rules"), "--format", "json"});
  EXPECT_EQ(doc["before"]["rule_set"], json::parse(check.out)["rule_set"]);

  CliRun bad = Cli({"impact", "--repo", repo.string(), "--before", "git:no-such-rev", "--after",
                    (repo / "rules").string(), Src("data/demo/enterprises.jsonl")});
  EXPECT_EQ(bad.code, kExitUsage) << bad.err;
  EXPECT_NE(bad.err.find("git:no-such-rev"), std::string::npos) << bad.err;
  CliRun option = Cli({"impact", "--repo", repo.string(), "--before", "git:--output=/tmp/x",
                       "--after", (repo / "rules").string(), Src("data/demo/enterprises.jsonl")});
  EXPECT_EQ(option.code, kExitUsage) << option.err;
}

TEST_F(RulesToolsTest, ImpactErrors) {
  const std::string input = Src("data/demo/enterprises.jsonl");
  EXPECT_EQ(Cli({"impact", "--before", Src("rules"), input}).code, kExitUsage);
  EXPECT_EQ(Cli({"impact", "--before", Src("rules"), "--after", Src("rules")}).code, kExitUsage);
  EXPECT_EQ(
      Cli({"impact", "--before", Src("rules"), "--after", Src("rules"), input, "--format", "xml"})
          .code,
      kExitUsage);
  CliRun broken = Cli(
      {"impact", "--before", Src("rules"), "--after", Src("tests/testdata/policy_broken"), input});
  EXPECT_EQ(broken.code, kExitRules) << broken.err;
  EXPECT_NE(broken.err.find("--after"), std::string::npos) << broken.err;
  CliRun missing = Cli({"impact", "--before", Src("rules"), "--after", Src("rules"),
                        (dir_ / "absent.jsonl").string()});
  EXPECT_EQ(missing.code, kExitIo) << missing.err;
  CliRun unknown = Cli(
      {"impact", "--before", Src("rules"), "--after", Src("rules"), input, "--programs", "NOPE"});
  EXPECT_EQ(unknown.code, kExitUsage) << unknown.err;
  EXPECT_NE(unknown.err.find("NOPE"), std::string::npos) << unknown.err;
  CliRun same = Cli({"impact", "--before", Src("rules"), "--after", Src("rules"), input, "--as-of",
                     "2026-03-01", "--lang", "en", "-q"});
  EXPECT_EQ(same.code, kExitOk) << same.err;
  EXPECT_NE(same.out.find("No enterprise's outcome changed."), std::string::npos) << same.out;
}

}  // namespace
}  // namespace smematch::cli
