#include "cli.h"
#include "cli_test_util.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "smematch/profile_io.h"

namespace smematch::cli {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Demo record CM-002: eligible for every program as of 2026-03-01.
std::string Good(const std::string& id) {
  return R"({"id":")" + id +
         R"(","name":"วิสาหกิจชุมชนกาแฟบ้านแม่กำปอง","legal_form":"community_enterprise",)"
         R"("sector":"manufacturing","industry":"coffee_tea","province":"TH-50","employees":4,)"
         R"("annual_revenue_thb":1150000,"years_operating":12,"members":32,)"
         R"("certifications":["fda","tcps"],"otop_stars":4,"digital_readiness":2,)"
         R"("needs":{"entrepreneurship":2,"marketing":5,"product_innovation":3,"finance_legal":4,"digital":4},)"
         R"("own_farm_produce":true,"vat_registered":false,"gs1_barcode":false,)"
         R"("monthly_capacity_units":800,"shelf_life_days":270)";
}
std::string GoodLine(const std::string& id) { return Good(id) + "}"; }
// Same, with this fiscal year's BSC man-days used up: ineligible for BSC.
std::string UsedUpLine(const std::string& id) {
  return Good(id) + R"(,"participation":[{"program":"BSC","fiscal_year":2026,"man_days_used":3}]})";
}

class CliTest : public TempDirTest {
 protected:
  // Returns the names of the files in the temp dir.
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string CleanInput() {
    return Write("clean.jsonl", GoodLine("ok-1") + "\n" + UsedUpLine("ok-2") + "\n");
  }
};

// --- screen -------------------------------------------------------------------------------

// cli.h: invalid records are reported (in the output and on stderr, by row and field) and
// exit 0; with --strict they exit 1.
TEST_F(CliTest, ScreenDemoWithInvalidRowsNamesRowAndFieldAndExitsOneWhenStrict) {
  CliRun r = Cli({"screen", Src("data/demo/enterprises.jsonl"), "--rules", Src("rules"),
                  "--as-of", "2026-03-01", "--compact", "--strict"});
  EXPECT_EQ(r.code, kExitRecordErrors) << r.err;
  EXPECT_NE(r.err.find("row 14 (CM-014): /identifier: check digit"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/employees"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid"), std::string::npos) << "summary line: " << r.err;
  // Every input line has its output line.
  size_t in_lines = Lines(ReadFile(Src("data/demo/enterprises.jsonl"))).size();
  EXPECT_EQ(Lines(r.out).size(), in_lines);

  CliRun lenient = Cli({"screen", Src("data/demo/enterprises.jsonl"), "--rules", Src("rules"),
                        "--as-of", "2026-03-01", "--compact"});
  EXPECT_EQ(lenient.code, kExitOk) << lenient.err;
  EXPECT_EQ(lenient.out, r.out);
  EXPECT_NE(lenient.err.find("row 14 (CM-014): /identifier"), std::string::npos) << lenient.err;
}

TEST_F(CliTest, ScreenDemoCsvNamesTheCsvRecordAndColumn) {
  CliRun r = Cli({"screen", Src("data/demo/enterprises.csv"), "--rules", Src("rules"), "--as-of",
                  "2026-03-01", "--compact", "--strict"});
  EXPECT_EQ(r.code, kExitRecordErrors) << r.err;
  // CM-014 is line 14 of the JSON Lines file but record 15 of the CSV (header = 1).
  EXPECT_NE(r.err.find("row 15 (CM-014): identifier: check digit"), std::string::npos) << r.err;
}

TEST_F(CliTest, ScreenCleanInputExitsZero) {
  CliRun r = Cli({"screen", CleanInput(), "--rules", Src("rules"), "--as-of", "2026-03-01"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_TRUE(lines[0].starts_with("{\"id\":\"ok-1\"")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("{\"id\":\"ok-2\"")) << lines[1];
  EXPECT_NE(r.err.find("screened 2 of 2 records (0 invalid)"), std::string::npos) << r.err;
}

TEST_F(CliTest, ScreenQuietPrintsNothingOnStderr) {
  CliRun r = Cli({"screen", CleanInput(), "--rules", Src("rules"), "--as-of", "2026-03-01", "-q"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, ScreenTableInEnglish) {
  CliRun r = Cli({"screen", CleanInput(), "--rules", Src("rules"), "--as-of", "2026-03-01",
               "--format", "table", "--lang", "en"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("=> ELIGIBLE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("=> NOT ELIGIBLE"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok-2"), std::string::npos) << r.out;
}

TEST_F(CliTest, ScreenSingleJsonObjectDefaultsToTable) {
  std::string path = Write("one.json", GoodLine("solo"));
  CliRun r = Cli({"screen", path, "--rules", Src("rules"), "--as-of", "2026-03-01", "--lang", "en"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(r.out.starts_with("solo  ")) << r.out;
  EXPECT_NE(r.out.find("=> ELIGIBLE"), std::string::npos) << r.out;
}

TEST_F(CliTest, ScreenUnknownProgramIsAUsageError) {
  CliRun r = Cli({"screen", CleanInput(), "--rules", Src("rules"), "--programs", "BSC,NOPE"});
  EXPECT_EQ(r.code, kExitUsage) << "an unknown --programs id is a bad command line; stderr: "
                                << r.err;
  EXPECT_NE(r.err.find("NOPE"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, ScreenMissingInputFileIsAnIoError) {
  CliRun r = Cli({"screen", (dir_ / "absent.jsonl").string(), "--rules", Src("rules")});
  EXPECT_EQ(r.code, kExitIo) << r.err;
  EXPECT_NE(r.err.find("absent.jsonl"), std::string::npos) << r.err;
}

TEST_F(CliTest, ScreenWithoutInputIsAUsageError) {
  CliRun r = Cli({"screen", "--rules", Src("rules")});
  EXPECT_EQ(r.code, kExitUsage) << r.err;
  EXPECT_NE(r.err.find("INPUT"), std::string::npos) << r.err;
}

TEST_F(CliTest, ScreenBadAsOfIsAUsageError) {
  CliRun r = Cli({"screen", CleanInput(), "--rules", Src("rules"), "--as-of", "2026-02-30"});
  EXPECT_EQ(r.code, kExitUsage) << r.err;
  EXPECT_NE(r.err.find("--as-of"), std::string::npos) << r.err;
  r = Cli({"screen", CleanInput(), "--rules", Src("rules"), "--as-of", "1/3/2026"});
  EXPECT_EQ(r.code, kExitUsage) << r.err;
}

TEST_F(CliTest, ScreenBadOptionValuesAreUsageErrors) {
  const std::string input = CleanInput();
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"--lang", "fr"},
           {"--format", "xml"},
           {"--input-format", "xml"},
           {"--threads", "-1"},
           {"--threads", "300"},
           {"--threads", "many"},
           {"--no-such-option"},
           {"--instruction-budget", "10"},
           {"--memory-limit-mb", "1"}}) {
    std::vector<std::string> args = {"screen", input, "--rules", Src("rules")};
    args.insert(args.end(), bad.begin(), bad.end());
    CliRun r = Cli(args);
    EXPECT_EQ(r.code, kExitUsage) << bad[0] << ": " << r.err;
    EXPECT_NE(r.err.find(bad[0].substr(2)), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(CliTest, ScreenCsvWithUnknownColumnIsAnInputError) {
  // cli.h: an input that cannot be read as a whole (a bad CSV header) stops the run, exit 4.
  std::string input = Write("bad_header.csv", "id,name,employes\r\na,n,3\r\n");
  std::string output = (dir_ / "decisions.jsonl").string();
  CliRun r = Cli({"screen", input, "--rules", Src("rules"), "--as-of", "2026-03-01", "-o", output});
  EXPECT_EQ(r.code, kExitIo) << r.err;
  EXPECT_NE(r.err.find("employes"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(output));
}

TEST_F(CliTest, ScreenNonexistentRulesDirIsARulesError) {
  // cli.h: a rule set that does not load, whatever the reason, is exit 3.
  CliRun r = Cli({"screen", CleanInput(), "--rules", "/nonexistent/rules"});
  EXPECT_EQ(r.code, kExitRules) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/rules"), std::string::npos) << r.err;
}

TEST_F(CliTest, ScreenBrokenRuleScriptExitsThreeWithPathAndLine) {
  fs::path rules = dir_ / "broken_rules";
  fs::copy(SourceDir() / "rules", rules, fs::copy_options::recursive);
  {
    std::ofstream bsc(rules / "programs" / "bsc.lua", std::ios::app);
    bsc << "\ncriterion \"oops\" {\n  test = function(e, p) return e.employees >< 3 end,\n}\n";
  }
  CliRun r = Cli({"screen", CleanInput(), "--rules", rules.string()});
  EXPECT_EQ(r.code, kExitRules) << r.err;
  std::regex path_line("broken_rules/programs/bsc\\.lua:[0-9]+:");
  EXPECT_TRUE(std::regex_search(r.err, path_line)) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, ScreenToCsvFileWritesBomAndLeavesNoTempFile) {
  std::string input = CleanInput();
  std::string output = (dir_ / "decisions.csv").string();
  CliRun r = Cli({"screen", input, "--rules", Src("rules"), "--as-of", "2026-03-01", "-o", output});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "") << "the decisions go to the file";
  std::string csv = ReadFile(output);
  ASSERT_TRUE(csv.starts_with("\xEF\xBB\xBF" "id,name,")) << csv.substr(0, 40);
  EXPECT_NE(csv.find("ok-1"), std::string::npos);
  EXPECT_NE(csv.find("ok-2"), std::string::npos);
  EXPECT_EQ(Files(), (std::vector<std::string>{"clean.jsonl", "decisions.csv"}));
}

TEST_F(CliTest, ScreenNoBomOption) {
  std::string output = (dir_ / "decisions.csv").string();
  CliRun r = Cli({"screen", CleanInput(), "--rules", Src("rules"), "--as-of", "2026-03-01", "-o",
               output, "--no-bom"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(ReadFile(output).starts_with("id,name,"));
}

TEST_F(CliTest, ScreenThatFailsCreatesNoOutputFile) {
  std::string input = CleanInput();
  std::string output = (dir_ / "decisions.csv").string();
  CliRun r = Cli({"screen", input, "--rules", Src("rules"), "--programs", "NOPE", "-o", output});
  EXPECT_NE(r.code, kExitOk);
  EXPECT_FALSE(fs::exists(output));
  EXPECT_EQ(Files(), (std::vector<std::string>{"clean.jsonl"})) << "no temporary file left";
}

TEST_F(CliTest, ScreenThatFailsKeepsAnExistingOutputFile) {
  std::string input = CleanInput();
  std::string output = Write("decisions.csv", "previous run\n");
  CliRun r = Cli({"screen", input, "--rules", Src("rules"), "--programs", "NOPE", "-o", output});
  EXPECT_NE(r.code, kExitOk);
  EXPECT_EQ(ReadFile(output), "previous run\n");
}

TEST_F(CliTest, ScreenOutputIntoMissingDirectoryIsAnIoError) {
  CliRun r = Cli({"screen", CleanInput(), "--rules", Src("rules"), "--as-of", "2026-03-01", "-o",
               (dir_ / "no" / "such" / "dir.jsonl").string()});
  EXPECT_EQ(r.code, kExitIo) << r.err;
}

// --- rules test ---------------------------------------------------------------------------

std::string CaseFile(const std::string& expected_outcome) {
  return R"({"program":"BSC","as_of":"2026-03-01","base":)" + GoodLine("c") +
         R"(,"cases":[{"name":"as is","expect":{"outcome":")" + expected_outcome + R"("}}]})";
}

TEST_F(CliTest, RulesTestOnTheShippedRulesPasses) {
  CliRun r = Cli({"rules", "test", "--rules", Src("rules")});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("([0-9]+) passed, 0 failed\n$"))) << r.out << r.err;
  EXPECT_GT(std::stoi(m[1]), 0);
}

TEST_F(CliTest, RulesTestPassingCaseFile) {
  std::string path = Write("bsc.cases.json", CaseFile("eligible"));
  CliRun r = Cli({"rules", "test", "--rules", Src("rules"), path});
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_EQ(r.out, "1 passed, 0 failed\n");
}

TEST_F(CliTest, RulesTestFailingCaseFileExitsThree) {
  std::string path = Write("bsc.cases.json", CaseFile("ineligible"));
  CliRun r = Cli({"rules", "test", "--rules", Src("rules"), path});
  EXPECT_EQ(r.code, kExitRules) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL  BSC: as is"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("outcome: expected ineligible, got eligible"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 passed, 1 failed"), std::string::npos) << r.out;
}

TEST_F(CliTest, RulesTestMalformedCaseFileIsAUsageError) {
  std::string path = Write("bsc.cases.json", R"({"program":"BSC","cases":[42]})");
  CliRun r = Cli({"rules", "test", "--rules", Src("rules"), path});
  EXPECT_EQ(r.code, kExitUsage) << r.out << r.err;
  EXPECT_NE(r.err.find("/cases/0"), std::string::npos) << r.err;
}

TEST_F(CliTest, RulesTestMissingCaseFileIsAnIoError) {
  CliRun r = Cli({"rules", "test", "--rules", Src("rules"), (dir_ / "absent.cases.json").string()});
  EXPECT_EQ(r.code, kExitIo) << r.err;
}

TEST_F(CliTest, RulesTestWithAMissingRulesDirExitsThree) {
  CliRun r = Cli({"rules", "test", "--rules", (dir_ / "no_rules").string()});
  EXPECT_EQ(r.code, kExitRules) << r.err;
  EXPECT_NE(r.err.find("no_rules"), std::string::npos) << r.err;
}

TEST_F(CliTest, RulesWithoutSubcommandOrWithAnUnknownOneIsAUsageError) {
  EXPECT_EQ(Cli({"rules"}).code, kExitUsage);
  CliRun r = Cli({"rules", "lint"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("lint"), std::string::npos) << r.err;
}

// --- generate -----------------------------------------------------------------------------

TEST_F(CliTest, GenerateIsDeterministicAndEveryLineParses) {
  std::vector<std::string> args = {"generate", "--count", "100", "--seed", "7", "--mix",
                                   Src("data/population_mix.json")};
  CliRun a = Cli(args);
  ASSERT_EQ(a.code, kExitOk) << a.err;
  args.push_back("--threads");
  args.push_back("3");
  CliRun b = Cli(args);
  ASSERT_EQ(b.code, kExitOk) << b.err;
  EXPECT_EQ(a.out, b.out) << "same seed and count, any thread count: same output";
  std::vector<std::string> lines = Lines(a.out);
  ASSERT_EQ(lines.size(), 100u);
  ProfileReader reader;
  for (size_t i = 0; i < lines.size(); ++i) {
    EnterpriseProfile p;
    std::vector<FieldError> errors;
    Status s = reader.ParseJson(lines[i], &p, &errors);
    EXPECT_TRUE(s.ok()) << "line " << i + 1 << ": " << s.ToString();
  }
  CliRun c = Cli({"generate", "--count", "100", "--seed", "8", "--mix", Src("data/population_mix.json")});
  ASSERT_EQ(c.code, kExitOk) << c.err;
  EXPECT_NE(a.out, c.out) << "another seed, another population";
}

TEST_F(CliTest, GenerateBadFormatOrMissingMix) {
  EXPECT_EQ(Cli({"generate", "--count", "1", "--format", "xml"}).code, kExitUsage);
  CliRun r = Cli({"generate", "--count", "1", "--mix", (dir_ / "absent.json").string()});
  EXPECT_EQ(r.code, kExitIo) << r.err;
}

// --- dispatch -----------------------------------------------------------------------------

TEST(Cli, UnknownCommandIsAUsageError) {
  CliRun r = Cli({"frobnicate"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("usage:"), std::string::npos) << r.err;
}

TEST(Cli, NoCommandIsAUsageError) {
  CliRun r = Cli({});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("usage:"), std::string::npos) << r.err;
}

TEST(Cli, VersionPrintsTheVersion) {
  CliRun r = Cli({"version"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_TRUE(r.out.starts_with("smematch ")) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("^smematch [0-9]+\\.[0-9]+\\.[0-9]+\n$"))) << r.out;
}

TEST(Cli, HelpExitsZero) {
  EXPECT_EQ(Cli({"--help"}).code, kExitOk);
  CliRun r = Cli({"screen", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_NE(r.out.find("--programs"), std::string::npos) << r.out;
}

TEST(Cli, ExitCodeForMapsStatusCodes) {
  EXPECT_EQ(ExitCodeFor(Status::Ok()), kExitOk);
  EXPECT_EQ(ExitCodeFor(InvalidArgumentError("x")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(FailedPreconditionError("x")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(NotFoundError("x")), kExitIo);
  EXPECT_EQ(ExitCodeFor(UnavailableError("x")), kExitIo);
  EXPECT_EQ(ExitCodeFor(InternalError("x")), kExitInternal);
}

}  // namespace
}  // namespace smematch::cli
