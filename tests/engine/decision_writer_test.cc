#include "smematch/decision_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "csv_reader.h"
#include "smematch/profile_io.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"

namespace smematch {
namespace {

using nlohmann::json;

std::filesystem::path SourceDir() {
#ifdef SMEMATCH_SOURCE_DIR
  return SMEMATCH_SOURCE_DIR;
#else
  return std::filesystem::current_path();
#endif
}

// The shipped rules, loaded once.
std::shared_ptr<const RuleSet> Rules() {
  static const std::shared_ptr<const RuleSet> rules = [] {
    Result<std::shared_ptr<const RuleSet>> r = RuleSet::Load((SourceDir() / "rules").string());
    return r.ok() ? *r : nullptr;
  }();
  return rules;
}

// A community coffee enterprise in Chiang Mai that the shipped rules find eligible for every
// program (demo record CM-002).
constexpr const char* kEligibleJson =
    R"({"id":"CM-002","name":"วิสาหกิจชุมชนกาแฟบ้านแม่กำปอง","legal_form":"community_enterprise",)"
    R"("sector":"manufacturing","industry":"coffee_tea","province":"TH-50","employees":4,)"
    R"("annual_revenue_thb":1150000,"years_operating":12,"members":32,"certifications":["fda","tcps"],)"
    R"("otop_stars":4,"digital_readiness":2,"needs":{"entrepreneurship":2,"marketing":5,)"
    R"("product_innovation":3,"finance_legal":4,"digital":4},"own_farm_produce":true,)"
    R"("vat_registered":false,"gs1_barcode":false,"monthly_capacity_units":800,"shelf_life_days":270})";

EnterpriseProfile Parse(const std::string& json_text) {
  ProfileReader reader(Rules() ? &Rules()->provinces() : nullptr);
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(json_text, &p, &errors);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return p;
}

class DecisionWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Rules(), nullptr) << "the shipped rules do not load";
    Result<std::unique_ptr<Screener>> s = Screener::Create(Rules());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    screener_ = std::move(*s);
    options_.as_of = Date{2026, 3, 1};
    write_.rule_set = Rules()->hash();
    write_.as_of = options_.as_of;
  }

  std::vector<Decision> Screen(const EnterpriseProfile& p) {
    std::vector<Decision> d;
    Status s = screener_->Screen(p, options_, &d);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return d;
  }

  std::unique_ptr<Screener> screener_;
  ScreenOptions options_;
  WriteOptions write_;
};

TEST_F(DecisionWriterTest, FullJsonHasEveryDecisionWithReasonsInBothLanguages) {
  EnterpriseProfile p = Parse(kEligibleJson);
  std::vector<Decision> decisions = Screen(p);
  ASSERT_EQ(decisions.size(), Rules()->program_ids().size());
  std::string out;
  AppendDecisionsJson(p, decisions, write_, &out);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j.at("id"), "CM-002");
  EXPECT_EQ(j.at("name"), "วิสาหกิจชุมชนกาแฟบ้านแม่กำปอง");
  EXPECT_EQ(j.at("as_of"), "2026-03-01");
  EXPECT_EQ(j.at("rule_set"), Rules()->hash());
  EXPECT_TRUE(j.at("rule_set").get<std::string>().starts_with("sha256:"));
  ASSERT_TRUE(j.at("decisions").is_array());
  ASSERT_EQ(j["decisions"].size(), decisions.size());
  std::vector<std::string> programs;
  for (const json& d : j["decisions"]) {
    programs.push_back(d.at("program").get<std::string>());
    EXPECT_EQ(d.at("outcome"), "eligible") << d.dump();
    EXPECT_TRUE(d.at("failed").is_array());
    EXPECT_TRUE(d.at("failed").empty());
    EXPECT_TRUE(d.at("missing").is_array());
    EXPECT_TRUE(d.at("version").is_string());
    ASSERT_TRUE(d.at("criteria").is_array()) << d.dump();
    EXPECT_FALSE(d["criteria"].empty());
    for (const json& c : d["criteria"]) {
      EXPECT_TRUE(c.at("id").is_string());
      EXPECT_EQ(c.at("result"), "pass");
      EXPECT_FALSE(c.at("reason").at("th").get<std::string>().empty()) << c.dump();
      EXPECT_FALSE(c.at("reason").at("en").get<std::string>().empty()) << c.dump();
    }
  }
  EXPECT_EQ(programs, Rules()->program_ids());
}

TEST_F(DecisionWriterTest, FullJsonListsFailedCriteriaAndMissingFields) {
  json in = json::parse(kEligibleJson);
  in["participation"] = json::array({{{"program", "BSC"}, {"fiscal_year", 2026}, {"man_days_used", 3}}});
  in.erase("employees");
  in.erase("annual_revenue_thb");
  EnterpriseProfile p = Parse(in.dump());
  options_.programs = {"BSC"};
  std::vector<Decision> decisions = Screen(p);
  ASSERT_EQ(decisions.size(), 1u);
  std::string out;
  AppendDecisionsJson(p, decisions, write_, &out);
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  const json& d = j.at("decisions").at(0);
  EXPECT_EQ(d.at("program"), "BSC");
  EXPECT_EQ(d.at("outcome"), "ineligible");
  EXPECT_EQ(d.at("failed"), json::array({"man_days_available"}));
  EXPECT_EQ(d.at("missing"), json::array({"employees", "annual_revenue_thb"}));
  bool saw_missing = false;
  for (const json& c : d.at("criteria")) {
    if (c.at("id") == "is_sme") {
      saw_missing = true;
      EXPECT_EQ(c.at("result"), "needs_information");
      EXPECT_EQ(c.at("missing"), json::array({"employees", "annual_revenue_thb"}));
      EXPECT_NE(c.at("reason").at("en").get<std::string>().find("employees"), std::string::npos);
    }
    if (c.at("id") == "man_days_available") {
      EXPECT_EQ(c.at("result"), "fail");
    }
  }
  EXPECT_TRUE(saw_missing) << out;
}

TEST_F(DecisionWriterTest, CompactJsonHasNoCriteriaNoReasonsNoName) {
  EnterpriseProfile p = Parse(kEligibleJson);
  options_.explain = false;
  std::vector<Decision> decisions = Screen(p);
  write_.compact = true;
  std::string out;
  AppendDecisionsJson(p, decisions, write_, &out);
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j.at("id"), "CM-002");
  EXPECT_EQ(j.at("rule_set"), Rules()->hash());
  EXPECT_FALSE(j.contains("name"));
  EXPECT_EQ(out.find("criteria"), std::string::npos) << out;
  EXPECT_EQ(out.find("reason"), std::string::npos) << out;
  EXPECT_EQ(out.find("benefit"), std::string::npos) << out;
  ASSERT_EQ(j.at("decisions").size(), decisions.size());
  for (const json& d : j["decisions"]) {
    EXPECT_TRUE(d.contains("program"));
    EXPECT_TRUE(d.contains("outcome"));
    EXPECT_TRUE(d.contains("failed"));
    EXPECT_TRUE(d.contains("missing"));
    EXPECT_FALSE(d.contains("version"));
  }
}

TEST_F(DecisionWriterTest, CompactJsonLeavesOutReasonsEvenWhenScreenedWithExplain) {
  EnterpriseProfile p = Parse(kEligibleJson);
  std::vector<Decision> decisions = Screen(p);  // explain = true
  write_.compact = true;
  std::string out;
  AppendDecisionsJson(p, decisions, write_, &out);
  EXPECT_EQ(out.find("criteria"), std::string::npos) << out;
  EXPECT_EQ(out.find("reason"), std::string::npos) << out;
}

TEST_F(DecisionWriterTest, RuleErrorDecisionCarriesTheStatus) {
  EnterpriseProfile p = Parse(kEligibleJson);
  Decision d;
  d.program = &Rules()->programs().front();
  d.outcome = Outcome::kError;
  d.error = ResourceExhaustedError("rules/programs/bsc.lua:40: instruction budget exceeded");
  std::vector<Decision> decisions = {d};
  std::string out;
  AppendDecisionsJson(p, decisions, write_, &out);
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  const json& jd = j.at("decisions").at(0);
  EXPECT_EQ(jd.at("outcome"), "error");
  EXPECT_EQ(jd.at("error").at("code"), "resource_exhausted");
  EXPECT_EQ(jd.at("error").at("message"), "rules/programs/bsc.lua:40: instruction budget exceeded");
}

TEST(DecisionWriter, RecordErrorJsonHasRowIdAndFields) {
  std::string out;
  AppendRecordErrorJson(7, "CM-015", InvalidArgumentError("/employees: got -3; /x: unknown field"),
                        {{"/employees", "got -3"}, {"/x", "unknown field"}}, &out);
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j.at("row"), 7);
  EXPECT_EQ(j.at("id"), "CM-015");
  EXPECT_EQ(j.at("error").at("code"), "invalid_argument");
  EXPECT_EQ(j.at("error").at("message"), "/employees: got -3; /x: unknown field");
  ASSERT_EQ(j.at("error").at("fields").size(), 2u);
  EXPECT_EQ(j["error"]["fields"][0].at("field"), "/employees");
  EXPECT_EQ(j["error"]["fields"][0].at("message"), "got -3");
  EXPECT_EQ(j["error"]["fields"][1].at("field"), "/x");
}

TEST(DecisionWriter, RecordErrorJsonWithoutIdOmitsIt) {
  std::string out;
  AppendRecordErrorJson(41, "", InvalidArgumentError("malformed JSON"), {{"", "malformed JSON"}},
                        &out);
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j.at("row"), 41);
  EXPECT_FALSE(j.contains("id"));
  EXPECT_EQ(j.at("error").at("fields").at(0).at("field"), "");
}

TEST(DecisionWriter, RecordErrorJsonEscapesQuotesAndControlCharacters) {
  std::string out;
  AppendRecordErrorJson(1, "a\"b\\c\n", InvalidArgumentError("bad \x01 byte"), {}, &out);
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j.at("id"), "a\"b\\c\n");
  EXPECT_EQ(j.at("error").at("message"), "bad \x01 byte");
  EXPECT_FALSE(j.at("error").contains("fields"));
}

// Parses CSV text with the engine's reader.
std::vector<std::vector<std::string>> ReadCsv(const std::string& text) {
  CsvReader csv;
  std::vector<std::vector<std::string>> rows;
  Status s = csv.ReadAll(text, &rows);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return rows;
}

int Column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

TEST_F(DecisionWriterTest, CsvHasOneRowPerProgramWithAsManyCellsAsTheHeader) {
  json in = json::parse(kEligibleJson);
  in["name"] = "บริษัท \"กาแฟ, ดอย\" จำกัด";
  EnterpriseProfile p = Parse(in.dump());
  std::vector<Decision> decisions = Screen(p);
  std::string text = DecisionsCsvHeader();
  EXPECT_TRUE(text.ends_with("\r\n"));
  AppendDecisionsCsv(p, decisions, write_, &text);
  auto rows = ReadCsv(text);
  ASSERT_EQ(rows.size(), 1 + decisions.size()) << text;
  const std::vector<std::string>& header = rows[0];
  EXPECT_EQ(header.size(), 15u);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].size(), header.size()) << "row " << i;
    EXPECT_EQ(rows[i][Column(header, "id")], "CM-002");
    EXPECT_EQ(rows[i][Column(header, "name")], "บริษัท \"กาแฟ, ดอย\" จำกัด");
    EXPECT_EQ(rows[i][Column(header, "program")], Rules()->program_ids()[i - 1]);
    EXPECT_EQ(rows[i][Column(header, "outcome")], "eligible");
    EXPECT_EQ(rows[i][Column(header, "outcome_text")], "มีสิทธิ์");
    EXPECT_EQ(rows[i][Column(header, "as_of")], "2026-03-01");
    EXPECT_EQ(rows[i][Column(header, "rule_set")], Rules()->hash());
    EXPECT_FALSE(rows[i][Column(header, "reasons")].empty());
  }
  // The quoted form is in the text itself (RFC 4180: quotes doubled).
  EXPECT_NE(text.find("\"บริษัท \"\"กาแฟ, ดอย\"\" จำกัด\""), std::string::npos) << text;
}

TEST_F(DecisionWriterTest, CsvInEnglishUsesEnglishLabels) {
  EnterpriseProfile p = Parse(kEligibleJson);
  std::vector<Decision> decisions = Screen(p);
  write_.lang = Lang::kEn;
  std::string text = DecisionsCsvHeader();
  AppendDecisionsCsv(p, decisions, write_, &text);
  auto rows = ReadCsv(text);
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[1][Column(rows[0], "outcome_text")], "ELIGIBLE");
}

TEST_F(DecisionWriterTest, CsvCellStartingWithEqualsIsNeutralised) {
  json in = json::parse(kEligibleJson);
  in["id"] = "=HYPERLINK(\"http://x\",\"y\")";
  in["name"] = "@SUM(A1:A9)";
  EnterpriseProfile p = Parse(in.dump());
  options_.programs = {"BSC"};
  std::vector<Decision> decisions = Screen(p);
  std::string text = DecisionsCsvHeader();
  AppendDecisionsCsv(p, decisions, write_, &text);
  auto rows = ReadCsv(text);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][Column(rows[0], "id")], "'=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_EQ(rows[1][Column(rows[0], "name")], "'@SUM(A1:A9)");
}

TEST_F(DecisionWriterTest, CsvCellStartingWithPlusOrMinusFormulaIsNeutralised) {
  json in = json::parse(kEligibleJson);
  in["id"] = "+1+1";
  in["name"] = "-1+cmd|' /C calc'!A0";  // a DDE payload: Excel runs "-1+..." as a formula
  EnterpriseProfile p = Parse(in.dump());
  options_.programs = {"BSC"};
  std::vector<Decision> decisions = Screen(p);
  std::string text = DecisionsCsvHeader();
  AppendDecisionsCsv(p, decisions, write_, &text);
  auto rows = ReadCsv(text);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][Column(rows[0], "id")], "'+1+1");
  EXPECT_TRUE(rows[1][Column(rows[0], "name")].starts_with("'"))
      << "a cell starting with '-' and a digit is still a formula if it is not a number: "
      << rows[1][Column(rows[0], "name")];
}

TEST(DecisionWriter, RecordErrorCsvHasAsManyCellsAsTheHeader) {
  WriteOptions write;
  write.rule_set = "sha256:abc";
  write.as_of = Date{2026, 3, 1};
  write.lang = Lang::kEn;
  std::string text = DecisionsCsvHeader();
  AppendRecordErrorCsv(5, "CM-9", InvalidArgumentError("employees: got -3, oops"), write, &text);
  AppendRecordErrorCsv(6, "", InvalidArgumentError("malformed"), write, &text);
  auto rows = ReadCsv(text);
  ASSERT_EQ(rows.size(), 3u);
  const auto& h = rows[0];
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), h.size()) << "row " << i;
    EXPECT_EQ(rows[i][Column(h, "outcome")], "error");
    EXPECT_EQ(rows[i][Column(h, "outcome_text")], "invalid input");
    EXPECT_EQ(rows[i][Column(h, "as_of")], "2026-03-01");
    EXPECT_EQ(rows[i][Column(h, "rule_set")], "sha256:abc");
  }
  EXPECT_EQ(rows[1][Column(h, "id")], "CM-9");
  EXPECT_EQ(rows[1][Column(h, "reasons")], "row 5: employees: got -3, oops");
  EXPECT_EQ(rows[2][Column(h, "id")], "row 6");
}

TEST_F(DecisionWriterTest, TableShowsOutcomeLabelsInTheChosenLanguage) {
  json in = json::parse(kEligibleJson);
  in["participation"] = json::array({{{"program", "BSC"}, {"fiscal_year", 2026}, {"man_days_used", 3}}});
  EnterpriseProfile p = Parse(in.dump());
  std::vector<Decision> decisions = Screen(p);
  write_.lang = Lang::kEn;
  std::string en;
  AppendDecisionsTable(p, decisions, write_, &en);
  EXPECT_NE(en.find("CM-002"), std::string::npos) << en;
  EXPECT_NE(en.find("=> NOT ELIGIBLE"), std::string::npos) << en;
  EXPECT_NE(en.find("=> ELIGIBLE"), std::string::npos) << en;
  EXPECT_NE(en.find("[FAIL]"), std::string::npos) << en;
  EXPECT_NE(en.find("as of 2026-03-01"), std::string::npos) << en;
  write_.lang = Lang::kTh;
  std::string th;
  AppendDecisionsTable(p, decisions, write_, &th);
  EXPECT_NE(th.find("ไม่มีสิทธิ์"), std::string::npos) << th;
  EXPECT_NE(th.find("ณ วันที่ 2026-03-01"), std::string::npos) << th;
}

TEST(DecisionWriter, RecordErrorTableNamesRowAndId) {
  WriteOptions write;
  write.lang = Lang::kEn;
  std::string out;
  AppendRecordErrorTable(12, "CM-12", InvalidArgumentError("/employees: got -3"), write, &out);
  EXPECT_EQ(out, "row 12 (CM-12): invalid input: /employees: got -3\n\n");
}

}  // namespace
}  // namespace smematch
