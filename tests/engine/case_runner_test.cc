#include "smematch/case_runner.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "smematch/rule_set.h"

namespace smematch {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path SourceDir() {
#ifdef SMEMATCH_SOURCE_DIR
  return SMEMATCH_SOURCE_DIR;
#else
  return fs::current_path();
#endif
}

std::shared_ptr<const RuleSet> Rules() {
  static const std::shared_ptr<const RuleSet> rules = [] {
    Result<std::shared_ptr<const RuleSet>> r = RuleSet::Load((SourceDir() / "rules").string());
    return r.ok() ? *r : nullptr;
  }();
  return rules;
}

// Demo record CM-002: eligible for BSC as of 2026-03-01.
json EligibleBase() {
  return json::parse(
      R"({"id":"CM-002","name":"วิสาหกิจชุมชนกาแฟบ้านแม่กำปอง","legal_form":"community_enterprise",)"
      R"("sector":"manufacturing","industry":"coffee_tea","province":"TH-50","employees":4,)"
      R"("annual_revenue_thb":1150000,"years_operating":12,"members":32,"certifications":["fda","tcps"],)"
      R"("otop_stars":4,"digital_readiness":2,"needs":{"entrepreneurship":2,"marketing":5,)"
      R"("product_innovation":3,"finance_legal":4,"digital":4},"own_farm_produce":true,)"
      R"("vat_registered":false,"gs1_barcode":false,"monthly_capacity_units":800,"shelf_life_days":270})");
}

json BscFile(json cases) {
  return {{"program", "BSC"}, {"as_of", "2026-03-01"}, {"base", EligibleBase()},
          {"cases", std::move(cases)}};
}

class CaseRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Rules(), nullptr) << "the shipped rules do not load";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("smematch_case_runner_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << text;
    return p.string();
  }
  std::string Write(const std::string& name, const json& j) { return Write(name, j.dump(2)); }

  fs::path dir_;
};

TEST_F(CaseRunnerTest, PassingCase) {
  std::string path = Write("bsc.cases.json",
                           BscFile({{{"name", "eligible as is"}, {"expect", {{"outcome", "eligible"}}}}}));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->path, path);
  EXPECT_EQ(r->program, "BSC");
  ASSERT_EQ(r->cases.size(), 1u);
  EXPECT_EQ(r->cases[0].name, "eligible as is");
  EXPECT_TRUE(r->cases[0].passed);
  EXPECT_TRUE(r->cases[0].mismatches.empty());
  EXPECT_EQ(r->failures(), 0u);
  // One entry per BSC criterion, all passing.
  ASSERT_FALSE(r->cases[0].criteria.empty());
  for (const auto& [id, outcome] : r->cases[0].criteria) EXPECT_EQ(outcome, "pass") << id;
}

TEST_F(CaseRunnerTest, FailingCaseNamesExpectedAndActualOutcome) {
  std::string path = Write(
      "bsc.cases.json",
      BscFile({{{"name", "wrongly expected ineligible"}, {"expect", {{"outcome", "ineligible"}}}}}));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cases.size(), 1u);
  EXPECT_FALSE(r->cases[0].passed);
  EXPECT_EQ(r->failures(), 1u);
  ASSERT_EQ(r->cases[0].mismatches.size(), 1u);
  EXPECT_NE(r->cases[0].mismatches[0].find("outcome: expected ineligible, got eligible"),
            std::string::npos)
      << r->cases[0].mismatches[0];
}

TEST_F(CaseRunnerTest, FailingOutcomeListsTheCriteriaThatDidNotPass) {
  json with = {{"participation", json::array({{{"program", "BSC"}, {"fiscal_year", 2026},
                                                {"man_days_used", 3}}})}};
  std::string path = Write("bsc.cases.json",
                           BscFile({{{"name", "used up"}, {"with", with}, {"expect", {{"outcome", "eligible"}}}}}));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cases.size(), 1u);
  ASSERT_EQ(r->cases[0].mismatches.size(), 1u);
  const std::string& m = r->cases[0].mismatches[0];
  EXPECT_NE(m.find("outcome: expected eligible, got ineligible"), std::string::npos) << m;
  EXPECT_NE(m.find("man_days_available fail"), std::string::npos) << m;
}

TEST_F(CaseRunnerTest, WithPatchNullRemovesAFieldSoTheDecisionNeedsInformation) {
  json cases = {
      {{"name", "no size data"},
       {"with", {{"employees", nullptr}, {"annual_revenue_thb", nullptr}}},
       {"expect", {{"outcome", "needs_information"}, {"missing", {"employees", "annual_revenue_thb"}},
                   {"failed", json::array()}}}},
      {{"name", "base is untouched by the previous case"}, {"expect", {{"outcome", "eligible"}}}},
  };
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cases.size(), 2u);
  EXPECT_TRUE(r->cases[0].passed) << (r->cases[0].mismatches.empty() ? "" : r->cases[0].mismatches[0]);
  EXPECT_TRUE(r->cases[1].passed) << (r->cases[1].mismatches.empty() ? "" : r->cases[1].mismatches[0]);
  auto it = std::find_if(r->cases[0].criteria.begin(), r->cases[0].criteria.end(),
                         [](const auto& c) { return c.first == "is_sme"; });
  ASSERT_NE(it, r->cases[0].criteria.end());
  EXPECT_EQ(it->second, "needs_information");
}

TEST_F(CaseRunnerTest, MissingMismatchIsReported) {
  json cases = {{{"name", "no employees only"},
                 {"with", {{"employees", nullptr}}},
                 {"expect", {{"outcome", "eligible"}, {"missing", {"employees"}}}}}};
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cases.size(), 1u);
  // Revenue alone decides the size, so nothing is missing.
  ASSERT_EQ(r->cases[0].mismatches.size(), 1u);
  EXPECT_EQ(r->cases[0].mismatches[0], "missing: expected [employees], got []");
}

TEST_F(CaseRunnerTest, FailedMismatchNamesBothSets) {
  json with = {{"participation", json::array({{{"program", "BSC"}, {"fiscal_year", 2026},
                                                {"man_days_used", 3}}})}};
  json cases = {{{"name", "wrong criterion"},
                 {"with", with},
                 {"expect", {{"outcome", "ineligible"}, {"failed", {"is_sme"}}}}}};
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cases.size(), 1u);
  EXPECT_FALSE(r->cases[0].passed);
  ASSERT_EQ(r->cases[0].mismatches.size(), 1u);
  EXPECT_EQ(r->cases[0].mismatches[0], "failed: expected [is_sme], got [man_days_available]");
}

TEST_F(CaseRunnerTest, ReasonsAreMatchedAsSubstringsInEitherLanguage) {
  json cases = {
      {{"name", "english"},
       {"expect", {{"outcome", "eligible"}, {"reasons", {{"man_days_available", "used 0 of 3"}}}}}},
      {{"name", "thai"},
       {"expect", {{"outcome", "eligible"}, {"reasons", {{"in_service_area", "เชียงใหม่"}}}}}},
      {{"name", "wrong text"},
       {"expect", {{"outcome", "eligible"}, {"reasons", {{"man_days_available", "used 2 of 3"}}}}}},
  };
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cases.size(), 3u);
  EXPECT_TRUE(r->cases[0].passed);
  EXPECT_TRUE(r->cases[1].passed);
  EXPECT_FALSE(r->cases[2].passed);
  ASSERT_EQ(r->cases[2].mismatches.size(), 1u);
  const std::string& m = r->cases[2].mismatches[0];
  EXPECT_NE(m.find("reasons/man_days_available"), std::string::npos) << m;
  EXPECT_NE(m.find("\"used 2 of 3\""), std::string::npos) << m;
  EXPECT_NE(m.find("used 0 of 3"), std::string::npos) << "shows the actual reason: " << m;
}

TEST_F(CaseRunnerTest, MismatchShowsReasonsInTheRequestedLanguage) {
  json cases = {{{"name", "thai reasons"},
                 {"expect", {{"outcome", "eligible"}, {"reasons", {{"in_service_area", "Bangkok"}}}}}}};
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = RunCaseFile(path, Rules(), Lang::kTh);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cases.at(0).mismatches.size(), 1u);
  EXPECT_NE(r->cases[0].mismatches[0].find("เชียงใหม่"), std::string::npos) << r->cases[0].mismatches[0];
}

TEST_F(CaseRunnerTest, ProfileReplacesTheBase) {
  json profile = EligibleBase();
  profile["employees"] = 500;
  profile["annual_revenue_thb"] = 900e6;
  json cases = {{{"name", "large"}, {"profile", profile},
                 {"expect", {{"outcome", "ineligible"}, {"failed", {"is_sme"}}}}}};
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->cases.at(0).passed) << r->cases[0].mismatches.at(0);
}

TEST_F(CaseRunnerTest, MalformedCaseNamesItsIndex) {
  json cases = {{{"name", "fine"}, {"expect", {{"outcome", "eligible"}}}}, "not a case"};
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = RunCaseFile(path, Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/cases/1"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
}

TEST_F(CaseRunnerTest, CaseWithoutExpectIsMalformed) {
  json cases = {{{"name", "no expectation"}}};
  Result<CaseFileResult> r = RunCaseFile(Write("bsc.cases.json", BscFile(cases)), Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/cases/0"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("/expect"), std::string::npos) << r.status().message();
}

TEST_F(CaseRunnerTest, CaseProfileThatDoesNotParseListsTheFieldErrors) {
  json cases = {{{"name", "bad"}, {"with", {{"employees", -3}}}, {"expect", {{"outcome", "eligible"}}}}};
  Result<CaseFileResult> r = RunCaseFile(Write("bsc.cases.json", BscFile(cases)), Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/cases/0"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("/employees"), std::string::npos) << r.status().message();
}

TEST_F(CaseRunnerTest, CaseFileThatIsNotJsonIsInvalid) {
  Result<CaseFileResult> r = RunCaseFile(Write("bsc.cases.json", std::string("{\"program\": \"BSC\",")),
                                         Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = RunCaseFile(Write("x.cases.json", json{{"cases", json::array()}}), Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/program"), std::string::npos) << r.status().message();
}

TEST_F(CaseRunnerTest, NonStringOutcomeIsInvalidNotAnException) {
  // A typo policy staff make: the outcome as a number. The engine must report it, not throw.
  json cases = {{{"name", "typo"}, {"expect", {{"outcome", 1}}}}};
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = InternalError("not run");
  ASSERT_NO_THROW(r = RunCaseFile(path, Rules()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/cases/0"), std::string::npos) << r.status().message();
}

TEST_F(CaseRunnerTest, NonStringCaseNameIsInvalidNotAnException) {
  json cases = {{{"name", 7}, {"expect", {{"outcome", "eligible"}}}}};
  std::string path = Write("bsc.cases.json", BscFile(cases));
  Result<CaseFileResult> r = InternalError("not run");
  ASSERT_NO_THROW(r = RunCaseFile(path, Rules()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/cases/0"), std::string::npos) << r.status().message();
}

TEST_F(CaseRunnerTest, UnknownCriterionInExpectFailedIsInvalid) {
  json cases = {{{"name", "typo"}, {"expect", {{"outcome", "eligible"}, {"failed", {"is_smee"}}}}}};
  Result<CaseFileResult> r = RunCaseFile(Write("bsc.cases.json", BscFile(cases)), Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is_smee"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("/expect/failed"), std::string::npos) << r.status().message();
}

TEST_F(CaseRunnerTest, UnknownCriterionInExpectReasonsIsInvalid) {
  json cases = {{{"name", "typo"}, {"expect", {{"outcome", "eligible"}, {"reasons", {{"nope", "x"}}}}}}};
  Result<CaseFileResult> r = RunCaseFile(Write("bsc.cases.json", BscFile(cases)), Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/expect/reasons/nope"), std::string::npos)
      << r.status().message();
}

TEST_F(CaseRunnerTest, UnknownProgramIsNotFound) {
  json file = BscFile({{{"name", "x"}, {"expect", {{"outcome", "eligible"}}}}});
  file["program"] = "NOPE";
  Result<CaseFileResult> r = RunCaseFile(Write("nope.cases.json", file), Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_NE(r.status().message().find("NOPE"), std::string::npos) << r.status().message();
}

TEST_F(CaseRunnerTest, MissingFileIsNotFound) {
  Result<CaseFileResult> r = RunCaseFile((dir_ / "absent.cases.json").string(), Rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("absent.cases.json"), std::string::npos);
}

TEST_F(CaseRunnerTest, FindCaseFilesListsSortedCaseFilesOnly) {
  Write("programs/b.cases.json", std::string("{}"));
  Write("programs/a.cases.json", std::string("{}"));
  Write("programs/a.lua", std::string("-- not a case file"));
  Write("other/c.cases.json", std::string("{}"));
  std::vector<std::string> files = FindCaseFiles(dir_.string());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(fs::path(files[0]).filename(), "a.cases.json");
  EXPECT_EQ(fs::path(files[1]).filename(), "b.cases.json");
  EXPECT_TRUE(FindCaseFiles((dir_ / "absent").string()).empty());
}

}  // namespace
}  // namespace smematch
