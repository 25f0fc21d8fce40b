#include "smematch/batch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "csv_reader.h"
#include "smematch/rule_set.h"

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

std::shared_ptr<const RuleSet> Rules() {
  static const std::shared_ptr<const RuleSet> rules = [] {
    Result<std::shared_ptr<const RuleSet>> r = RuleSet::Load((SourceDir() / "rules").string());
    return r.ok() ? *r : nullptr;
  }();
  return rules;
}

// A valid record with id `id` (demo record CM-002, eligible for every program).
std::string Good(const std::string& id) {
  return R"({"id":")" + id +
         R"(","name":"วิสาหกิจชุมชนกาแฟบ้านแม่กำปอง","legal_form":"community_enterprise",)"
         R"("sector":"manufacturing","industry":"coffee_tea","province":"TH-50","employees":4,)"
         R"("annual_revenue_thb":1150000,"years_operating":12,"members":32,)"
         R"("certifications":["fda","tcps"],"otop_stars":4,"digital_readiness":2,)"
         R"("needs":{"entrepreneurship":2,"marketing":5,"product_innovation":3,"finance_legal":4,"digital":4},)"
         R"("own_farm_produce":true,"vat_registered":false,"gs1_barcode":false,)"
         R"("monthly_capacity_units":800,"shelf_life_days":270})";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

struct ErrorSeen {
  size_t row;
  std::string id;
  StatusCode code;
};

class BatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Rules(), nullptr) << "the shipped rules do not load";
    options_.screen.as_of = Date{2026, 3, 1};
    options_.write.compact = true;
    options_.screen.explain = false;
    options_.on_record_error = [this](size_t row, std::string_view id, const Status& s) {
      errors_.push_back({row, std::string(id), s.code()});
    };
  }

  Result<BatchStats> Run(const std::string& input, std::string* output) {
    std::istringstream in(input);
    std::ostringstream out;
    Result<BatchStats> r = ScreenBatch(in, out, Rules(), options_);
    *output = out.str();
    return r;
  }

  size_t Programs() const { return Rules()->program_ids().size(); }

  BatchOptions options_;
  std::vector<ErrorSeen> errors_;
};

TEST_F(BatchTest, JsonLinesKeepInputOrderAndReportBadLinesByLineNumber) {
  std::string input = Good("r1") + "\n" +                       // line 1
                      "{\"id\":\"r2\",\"name\":\n" +             // line 2: malformed
                      "\n" +                                    // line 3: blank
                      Good("r4") + "\n" +                       // line 4
                      R"({"id":"r5","name":"n","employees":-3})" "\n" +  // line 5: bad field
                      "   \n" +                                 // line 6: blank
                      Good("r7") + "\n";                        // line 7
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), 5u) << output;
  std::vector<json> out;
  for (const std::string& l : lines) {
    out.push_back(json::parse(l, nullptr, false));
    ASSERT_FALSE(out.back().is_discarded()) << l;
  }
  EXPECT_EQ(out[0].at("id"), "r1");
  EXPECT_EQ(out[1].at("row"), 2);
  EXPECT_FALSE(out[1].contains("id")) << lines[1];
  EXPECT_EQ(out[1].at("error").at("code"), "invalid_argument");
  EXPECT_NE(out[1].at("error").at("message").get<std::string>().find("malformed JSON"),
            std::string::npos);
  EXPECT_EQ(out[2].at("id"), "r4");
  EXPECT_EQ(out[3].at("row"), 5);
  EXPECT_EQ(out[3].at("id"), "r5");
  EXPECT_EQ(out[3].at("error").at("fields").at(0).at("field"), "/employees");
  EXPECT_EQ(out[4].at("id"), "r7");
  EXPECT_EQ(out[0].at("decisions").size(), Programs());

  EXPECT_EQ(r->records, 5u);
  EXPECT_EQ(r->screened, 3u);
  EXPECT_EQ(r->bad_records, 2u);
  EXPECT_EQ(r->decisions, 3 * Programs());
  EXPECT_EQ(r->outcomes[0] + r->outcomes[1] + r->outcomes[2] + r->outcomes[3], r->decisions);

  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_EQ(errors_[0].row, 2u);
  EXPECT_EQ(errors_[0].id, "");
  EXPECT_EQ(errors_[0].code, StatusCode::kInvalidArgument);
  EXPECT_EQ(errors_[1].row, 5u);
  EXPECT_EQ(errors_[1].id, "r5");
}

TEST_F(BatchTest, CrLfLineEndingsAndNoTrailingNewline) {
  std::string input = Good("a") + "\r\n" + Good("b") + "\r\n" + Good("c");  // no final newline
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), 3u) << output;
  EXPECT_EQ(json::parse(lines[2]).at("id"), "c");
  EXPECT_EQ(r->screened, 3u);
  EXPECT_EQ(r->bad_records, 0u);
  EXPECT_TRUE(errors_.empty());
}

TEST_F(BatchTest, JsonLinesStartingWithByteOrderMarkAreRead) {
  // Excel and Notepad save UTF-8 with a BOM; the first record must still parse.
  std::string input = "\xEF\xBB\xBF" + Good("bom-1") + "\n" + Good("bom-2") + "\n";
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), 2u) << output;
  EXPECT_EQ(json::parse(lines[0]).value("id", ""), "bom-1") << lines[0];
  EXPECT_EQ(r->bad_records, 0u);
}

TEST_F(BatchTest, LastLineWithoutNewlineThatIsBadGetsItsRowNumber) {
  std::string input = Good("a") + "\n" + Good("b") + "\n" + R"({"id":"c","name":"n","otop_stars":6})";
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), 3u);
  json last = json::parse(lines[2]);
  EXPECT_EQ(last.at("row"), 3);
  EXPECT_EQ(last.at("id"), "c");
  EXPECT_EQ(last.at("error").at("fields").at(0).at("field"), "/otop_stars");
}

TEST_F(BatchTest, EmptyInputGivesNoOutputAndZeroCounts) {
  std::string output;
  Result<BatchStats> r = Run("", &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(output, "");
  EXPECT_EQ(r->records, 0u);
  EXPECT_EQ(r->decisions, 0u);
}

TEST_F(BatchTest, OneAndFourThreadsWriteTheSameBytes) {
  std::string input;
  for (int i = 0; i < 3000; ++i) {
    if (i % 97 == 5) input += R"({"id":"bad-)" + std::to_string(i) + R"(","name":"n","employees":"x"})";
    else if (i % 89 == 7) input += "not json";
    else input += Good("id-" + std::to_string(i));
    input += "\n";
  }
  options_.write.compact = false;
  options_.screen.explain = true;
  options_.threads = 1;
  std::string one;
  Result<BatchStats> r1 = Run(input, &one);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  std::vector<ErrorSeen> errors_one = std::move(errors_);
  errors_.clear();
  options_.threads = 4;
  std::string four;
  Result<BatchStats> r4 = Run(input, &four);
  ASSERT_TRUE(r4.ok()) << r4.status().ToString();
  EXPECT_EQ(one.size(), four.size());
  EXPECT_TRUE(one == four) << "outputs differ";
  EXPECT_EQ(r1->records, r4->records);
  EXPECT_EQ(r1->bad_records, r4->bad_records);
  EXPECT_EQ(r1->decisions, r4->decisions);
  ASSERT_EQ(errors_one.size(), errors_.size());
  for (size_t i = 0; i < errors_.size(); ++i) {
    EXPECT_EQ(errors_one[i].row, errors_[i].row);
    if (i > 0) {
      EXPECT_LT(errors_[i - 1].row, errors_[i].row) << "on_record_error out of order";
    }
  }
}

TEST_F(BatchTest, LargeInputKeepsEveryLineInOrder) {
  constexpr int kLines = 20000;
  std::string input;
  input.reserve(kLines * 600);
  for (int i = 0; i < kLines; ++i) input += Good("n" + std::to_string(i)) + "\n";
  ASSERT_GT(input.size(), 4u << 20) << "the input must span several read blocks";
  options_.threads = 4;
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kLines));
  for (int i = 0; i < kLines; ++i) {
    // Compact lines start with the id: {"id":"n123",...
    const std::string prefix = "{\"id\":\"n" + std::to_string(i) + "\",";
    ASSERT_TRUE(lines[i].starts_with(prefix)) << "line " << i + 1 << ": " << lines[i].substr(0, 40);
  }
  EXPECT_EQ(r->records, static_cast<uint64_t>(kLines));
  EXPECT_EQ(r->screened, static_cast<uint64_t>(kLines));
  EXPECT_EQ(r->decisions, kLines * Programs());
}

TEST_F(BatchTest, LargeInputWithErrorsReportsRowsAcrossReadBlocks) {
  constexpr int kLines = 12000;
  std::string input;
  for (int i = 1; i <= kLines; ++i) {
    input += (i % 1000 == 0) ? std::string("{broken") : Good("n" + std::to_string(i));
    input += "\n";
  }
  options_.threads = 3;
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(errors_.size(), 12u);
  for (size_t k = 0; k < errors_.size(); ++k) EXPECT_EQ(errors_[k].row, (k + 1) * 1000);
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kLines));
  EXPECT_EQ(json::parse(lines[999]).at("row"), 1000);
  EXPECT_EQ(json::parse(lines[11999]).at("row"), 12000);
}

TEST_F(BatchTest, OversizedLineIsReportedInInputOrder) {
  // A line over the 4 MiB line cap is skipped and reported; the lines after it must still
  // come after its error, and it counts as a record read.
  std::string input = Good("before") + "\n" +
                      R"({"id":"huge","name":")" + std::string(5u << 20, 'x') + "\"}\n" +
                      Good("after") + "\n";
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), 3u) << output.substr(0, 2000);
  EXPECT_EQ(json::parse(lines[0]).value("id", ""), "before");
  EXPECT_EQ(json::parse(lines[1]).value("row", 0), 2) << lines[1];
  EXPECT_EQ(json::parse(lines[2]).value("id", ""), "after") << lines[2];
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].row, 2u);
  EXPECT_EQ(r->bad_records, 1u);
  EXPECT_EQ(r->screened, 2u);
  EXPECT_EQ(r->records, 3u) << "the oversized line is a record that was read";
}

TEST_F(BatchTest, UnknownProgramFailsBeforeAnyOutput) {
  options_.screen.programs = {"BSC", "NOPE"};
  options_.output = OutputFormat::kCsv;
  std::string output;
  Result<BatchStats> r = Run(Good("a") + "\n", &output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("NOPE"), std::string::npos) << r.status().message();
  EXPECT_EQ(output, "");
  EXPECT_TRUE(errors_.empty());
}

TEST_F(BatchTest, ProgramNotEffectiveOnDateFailsBeforeAnyOutput) {
  options_.screen.as_of = Date{2000, 1, 1};
  std::string output;
  Result<BatchStats> r = Run(Good("a") + "\n", &output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_EQ(output, "");
}

TEST_F(BatchTest, SelectedProgramsOnly) {
  options_.screen.programs = {"ITC", "BSC"};
  std::string output;
  Result<BatchStats> r = Run(Good("a") + "\n", &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  json j = json::parse(output);
  ASSERT_EQ(j.at("decisions").size(), 2u);
  EXPECT_EQ(j["decisions"][0].at("program"), "ITC");
  EXPECT_EQ(j["decisions"][1].at("program"), "BSC");
  EXPECT_EQ(r->decisions, 2u);
}

// CSV input with the columns of data/demo/enterprises.csv.
constexpr const char* kCsvHeader =
    "id,identifier,name,legal_form,sector,industry,province,employees,annual_revenue_thb,"
    "years_operating,members,certifications,otop_stars,digital_readiness,need_entrepreneurship,"
    "need_marketing,need_product_innovation,need_finance_legal,need_digital,own_farm_produce,"
    "vat_registered,gs1_barcode,monthly_capacity_units,shelf_life_days,participation\r\n";

std::string CsvGood(const std::string& id, const std::string& name = "วิสาหกิจชุมชนกาแฟ") {
  return id + ",," + name +
         ",community_enterprise,manufacturing,coffee_tea,TH-50,4,\"1,150,000\",12,32,fda;tcps,4,2,2,5,"
         "3,4,4,true,false,false,800,270,\r\n";
}

TEST_F(BatchTest, CsvInputWithBomMultiLineCellAndBadRow) {
  options_.input = InputFormat::kCsv;
  options_.output = OutputFormat::kCsv;
  options_.write.lang = Lang::kEn;
  std::string input = std::string("\xEF\xBB\xBF") + kCsvHeader +  // record 1
                      CsvGood("c2") +                             // record 2
                      CsvGood("c3", "\"ร้าน\r\nสองบรรทัด, \"\"ดี\"\"\"") +  // record 3, two lines
                      "c4,,bad,community_enterprise,manufacturing,coffee_tea,TH-50,many" + std::string(17, ',') +
                      "\r\n" +  // record 4: 25 cells, employees not a number
                      CsvGood("c5");                              // record 5
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(output.starts_with("\xEF\xBB\xBF")) << output.substr(0, 20);
  CsvReader csv;
  std::vector<std::vector<std::string>> rows;
  ASSERT_TRUE(csv.ReadAll(output, &rows).ok());
  const size_t p = Programs();
  ASSERT_EQ(rows.size(), 1 + 3 * p + 1) << output;
  const auto& h = rows[0];
  EXPECT_EQ(h[0], "id");
  for (const auto& row : rows) EXPECT_EQ(row.size(), h.size());
  EXPECT_EQ(rows[1][0], "c2");
  EXPECT_EQ(rows[1 + p][0], "c3");
  EXPECT_EQ(rows[1 + p][1], "ร้าน\r\nสองบรรทัด, \"ดี\"");
  const auto& bad = rows[1 + 2 * p];
  EXPECT_EQ(bad[0], "c4");
  EXPECT_EQ(bad[5], "error");
  EXPECT_NE(bad[11].find("row 4"), std::string::npos) << bad[11];
  EXPECT_NE(bad[11].find("employees"), std::string::npos) << bad[11];
  EXPECT_EQ(rows[2 + 2 * p][0], "c5");
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].row, 4u) << "row = CSV record number, the header being 1";
  EXPECT_EQ(errors_[0].id, "c4");
  EXPECT_EQ(r->records, 4u);
  EXPECT_EQ(r->screened, 3u);
  EXPECT_EQ(r->bad_records, 1u);
  EXPECT_EQ(r->decisions, 3 * p);
}

TEST_F(BatchTest, CsvOutputWithoutBomWhenAsked) {
  options_.output = OutputFormat::kCsv;
  options_.csv_bom = false;
  std::string output;
  Result<BatchStats> r = Run(Good("a") + "\n", &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(output.starts_with("id,name,")) << output.substr(0, 20);
}

TEST_F(BatchTest, CsvUnknownColumnFailsTheBatch) {
  options_.input = InputFormat::kCsv;
  std::string output;
  Result<BatchStats> r = Run("id,name,employes\r\na,n,3\r\n", &output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("employes"), std::string::npos) << r.status().message();
  EXPECT_EQ(output, "");
}

TEST_F(BatchTest, CsvEmptyInputFails) {
  options_.input = InputFormat::kCsv;
  std::string output;
  Result<BatchStats> r = Run("", &output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("header"), std::string::npos) << r.status().message();
}

TEST_F(BatchTest, CsvRowWithTooFewCellsIsABadRecord) {
  options_.input = InputFormat::kCsv;
  std::string output;
  Result<BatchStats> r = Run("id,name,employees\na,n,3\nb,m\nc,o,4", &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), 3u) << output;
  EXPECT_EQ(json::parse(lines[1]).at("row"), 3);
  EXPECT_EQ(json::parse(lines[2]).at("id"), "c");
}

TEST_F(BatchTest, CsvUnterminatedQuoteStopsWithTheRecordNumber) {
  options_.input = InputFormat::kCsv;
  std::string output;
  Result<BatchStats> r = Run("id,name\na,n\nb,\"never closed\n", &output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("record 3"), std::string::npos) << r.status().message();
}

TEST_F(BatchTest, JsonArrayInput) {
  options_.input = InputFormat::kJson;
  std::string input = "[" + Good("j1") + ",\n" + R"({"id":"j2","name":"n","employees":-1})" + ",\n" +
                      Good("j3") + "]";
  std::string output;
  Result<BatchStats> r = Run(input, &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines = Lines(output);
  ASSERT_EQ(lines.size(), 3u) << output;
  EXPECT_EQ(json::parse(lines[0]).at("id"), "j1");
  json bad = json::parse(lines[1]);
  EXPECT_EQ(bad.at("row"), 2) << "row = position in the array, from 1";
  EXPECT_EQ(bad.at("id"), "j2");
  EXPECT_EQ(json::parse(lines[2]).at("id"), "j3");
  EXPECT_EQ(r->records, 3u);
  EXPECT_EQ(r->screened, 2u);
}

TEST_F(BatchTest, JsonSingleObjectInput) {
  options_.input = InputFormat::kJson;
  options_.output = OutputFormat::kTable;
  options_.write.lang = Lang::kEn;
  std::string output;
  Result<BatchStats> r = Run("\n  " + Good("solo") + "\n", &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->records, 1u);
  EXPECT_EQ(r->screened, 1u);
  EXPECT_TRUE(output.starts_with("solo  ")) << output;
  EXPECT_NE(output.find("=> ELIGIBLE"), std::string::npos) << output;
}

TEST_F(BatchTest, JsonDocumentThatIsNotJsonFailsTheBatch) {
  options_.input = InputFormat::kJson;
  std::string output;
  Result<BatchStats> r = Run("[" + Good("a") + ",", &output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = Run("42", &output);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("object"), std::string::npos) << r.status().message();
}

TEST_F(BatchTest, FullOutputCarriesRuleSetHashAndAsOf) {
  options_.write.compact = false;
  options_.screen.explain = true;
  options_.write.rule_set = "ignored: ScreenBatch fills it in";
  std::string output;
  Result<BatchStats> r = Run(Good("a") + "\n", &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  json j = json::parse(output);
  EXPECT_EQ(j.at("rule_set"), Rules()->hash());
  EXPECT_EQ(j.at("as_of"), "2026-03-01");
  EXPECT_TRUE(j.at("decisions").at(0).contains("criteria"));
}

TEST_F(BatchTest, TableOutputReportsBadRecordsByRow) {
  options_.output = OutputFormat::kTable;
  options_.write.lang = Lang::kEn;
  std::string output;
  Result<BatchStats> r = Run(Good("a") + "\n{\"id\":\"b\"}\n", &output);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(output.find("row 2 (b): invalid input: /name: required"), std::string::npos) << output;
}

}  // namespace
}  // namespace smematch
