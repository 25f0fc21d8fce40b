#include "smematch/profile_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "csv_reader.h"
#include "smematch/profile.h"
#include "smematch/provinces.h"

namespace smematch {
namespace {

std::filesystem::path SourceDir() {
#ifdef SMEMATCH_SOURCE_DIR
  return SMEMATCH_SOURCE_DIR;
#else
  return std::filesystem::current_path();
#endif
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The shipped province table, or nullptr if it does not parse (ProvincesParse says why).
const ProvinceTable* Provinces() {
  static const std::optional<ProvinceTable> table = []() -> std::optional<ProvinceTable> {
    Result<ProvinceTable> t = ProvinceTable::Parse(ReadFile(SourceDir() / "rules/data/provinces.csv"));
    if (!t.ok()) return std::nullopt;
    return std::move(t).value();
  }();
  return table ? &*table : nullptr;
}

// Every field set, with values that need quoting in CSV and escaping in JSON.
EnterpriseProfile FullProfile() {
  EnterpriseProfile p;
  p.id = "CM-002";
  p.identifier = "0105536112014";
  p.name = "วิสาหกิจชุมชน \"กาแฟ\", บ้านแม่กำปอง";
  p.legal_form = LegalForm::kCommunityEnterprise;
  p.sector = SmeSector::kManufacturing;
  p.industry = Industry::kCoffeeTea;
  p.province = "TH-50";
  p.employees = 4;
  p.annual_revenue_thb = 1'150'000.5;
  p.years_operating = 12.25;
  p.members = 32;
  p.certifications = (1u << static_cast<int>(Certification::kFda)) |
                     (1u << static_cast<int>(Certification::kTcps)) |
                     (1u << static_cast<int>(Certification::kHalal));
  p.otop_stars = 4;
  p.digital_readiness = 2;
  p.needs = std::array<int, kDimensionCount>{2, 5, 3, 0, 4};
  p.own_farm_produce = true;
  p.vat_registered = false;
  p.gs1_barcode = false;
  p.monthly_capacity_units = 800;
  p.shelf_life_days = 270;
  p.participation = {{"BSC", 2025, 3}, {"ITC", 2024, 0}};
  return p;
}

void ExpectSameProfile(const EnterpriseProfile& a, const EnterpriseProfile& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.identifier, b.identifier);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.legal_form, b.legal_form);
  EXPECT_EQ(a.sector, b.sector);
  EXPECT_EQ(a.industry, b.industry);
  EXPECT_EQ(a.province, b.province);
  EXPECT_EQ(a.employees, b.employees);
  EXPECT_EQ(a.annual_revenue_thb, b.annual_revenue_thb);
  EXPECT_EQ(a.years_operating, b.years_operating);
  EXPECT_EQ(a.members, b.members);
  EXPECT_EQ(a.certifications, b.certifications);
  EXPECT_EQ(a.otop_stars, b.otop_stars);
  EXPECT_EQ(a.digital_readiness, b.digital_readiness);
  EXPECT_EQ(a.needs, b.needs);
  EXPECT_EQ(a.own_farm_produce, b.own_farm_produce);
  EXPECT_EQ(a.vat_registered, b.vat_registered);
  EXPECT_EQ(a.gs1_barcode, b.gs1_barcode);
  EXPECT_EQ(a.monthly_capacity_units, b.monthly_capacity_units);
  EXPECT_EQ(a.shelf_life_days, b.shelf_life_days);
  ASSERT_EQ(a.participation.size(), b.participation.size());
  for (size_t i = 0; i < a.participation.size(); ++i) {
    EXPECT_EQ(a.participation[i].program, b.participation[i].program) << i;
    EXPECT_EQ(a.participation[i].fiscal_year, b.participation[i].fiscal_year) << i;
    EXPECT_EQ(a.participation[i].man_days_used, b.participation[i].man_days_used) << i;
  }
}

// Returns the errors reported for `field`.
std::vector<FieldError> ErrorsFor(const std::vector<FieldError>& errors, const std::string& field) {
  std::vector<FieldError> out;
  for (const FieldError& e : errors) {
    if (e.field == field) out.push_back(e);
  }
  return out;
}

std::string Dump(const std::vector<FieldError>& errors) { return JoinFieldErrors(errors); }

// Parses `json` and expects kInvalidArgument with an error on `field` whose message contains
// `text`; the status message must name the field too.
void ExpectJsonError(const std::string& json, const std::string& field, const std::string& text,
                     const ProvinceTable* provinces = nullptr) {
  SCOPED_TRACE(json);
  ProfileReader reader(provinces);
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(json, &p, &errors);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  std::vector<FieldError> mine = ErrorsFor(errors, field);
  ASSERT_EQ(mine.size(), 1u) << "errors: " << Dump(errors);
  EXPECT_NE(mine[0].message.find(text), std::string::npos) << mine[0].message;
  if (!field.empty()) {
    EXPECT_NE(s.message().find(field + ": "), std::string::npos) << s.message();
  }
}

// --- JSON ---------------------------------------------------------------------------------

TEST(ProfileJson, ProvincesParse) {
  Result<ProvinceTable> t = ProvinceTable::Parse(ReadFile(SourceDir() / "rules/data/provinces.csv"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->all().size(), 77u);
  ASSERT_NE(t->Find("TH-50"), nullptr);
  EXPECT_EQ(t->Find("TH-99"), nullptr);
}

TEST(ProfileJson, FullProfileRoundTrips) {
  EnterpriseProfile in = FullProfile();
  std::string json;
  AppendProfileJson(in, &json);
  EXPECT_EQ(json.find('\n'), std::string::npos) << "one compact object";
  ProfileReader reader(Provinces());
  EnterpriseProfile out;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(json, &out, &errors);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << json;
  EXPECT_TRUE(errors.empty());
  ExpectSameProfile(in, out);
  // Writing again gives the same bytes: the form is canonical.
  std::string again;
  AppendProfileJson(out, &again);
  EXPECT_EQ(again, json);
}

TEST(ProfileJson, MinimalProfileRoundTripsWithAbsentFieldsOmitted) {
  EnterpriseProfile in;
  in.id = "x-1";
  in.name = "ร้านค้า";
  std::string json;
  AppendProfileJson(in, &json);
  EXPECT_EQ(json, "{\"id\":\"x-1\",\"name\":\"ร้านค้า\"}");
  ProfileReader reader;
  EnterpriseProfile out;
  std::vector<FieldError> errors;
  ASSERT_TRUE(reader.ParseJson(json, &out, &errors).ok()) << Dump(errors);
  ExpectSameProfile(in, out);
}

TEST(ProfileJson, ThaiTextSurvives) {
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  const std::string name = "วิสาหกิจชุมชนชาเมี่ยงบ้านป่าเมี่ยง 🍵";
  Status s = reader.ParseJson(R"({"id":"ท-1","name":")" + name + "\"}", &p, &errors);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(p.id, "ท-1");
  EXPECT_EQ(p.name, name);
  // \u escapes decode to the same UTF-8.
  s = reader.ParseJson(R"({"id":"a","name":"\u0e01\u0e32\u0e41\u0e1f"})", &p, &errors);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(p.name, "กาแฟ");
}

TEST(ProfileJson, ReaderResetsTheProfileAndErrorsBetweenRecords) {
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  std::string full;
  AppendProfileJson(FullProfile(), &full);
  ASSERT_TRUE(reader.ParseJson(full, &p, &errors).ok()) << Dump(errors);
  ASSERT_FALSE(reader.ParseJson(R"({"id":"a"})", &p, &errors).ok());
  ASSERT_EQ(errors.size(), 1u) << Dump(errors);
  ASSERT_TRUE(reader.ParseJson(R"({"id":"b","name":"n"})", &p, &errors).ok()) << Dump(errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(p.id, "b");
  EXPECT_FALSE(p.identifier.has_value());
  EXPECT_FALSE(p.employees.has_value());
  EXPECT_EQ(p.certifications, 0u);
  EXPECT_EQ(p.otop_stars, 0);
  EXPECT_FALSE(p.needs.has_value());
  EXPECT_TRUE(p.participation.empty());
}

TEST(ProfileJson, ParsesIntoPaddedBufferWithoutCopy) {
  // A line inside a larger block followed by the next line: the reader must stop at its end.
  std::string block = R"({"id":"a","name":"n","employees":7})" "\n" R"({"id":"b","name":"m"})";
  block.append(64, ' ');
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  size_t nl = block.find('\n');
  Status s = reader.ParseJsonPadded(std::string_view(block.data(), nl), &p, &errors);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(p.id, "a");
  EXPECT_EQ(p.employees, 7);
}

TEST(ProfileJson, UnknownFieldNamesItsPointer) {
  ExpectJsonError(R"({"id":"a","name":"n","employes":3})", "/employes", "unknown field");
}

TEST(ProfileJson, WrongTypeForEachKindNamesTheField) {
  ExpectJsonError(R"({"id":"a","name":5})", "/name", "expected a string");
  ExpectJsonError(R"({"id":"a","name":"n","legal_form":1})", "/legal_form", "expected a string");
  ExpectJsonError(R"({"id":"a","name":"n","employees":"4"})", "/employees", "whole number");
  ExpectJsonError(R"({"id":"a","name":"n","employees":4.5})", "/employees", "whole number");
  ExpectJsonError(R"({"id":"a","name":"n","annual_revenue_thb":"1,000"})", "/annual_revenue_thb",
                  "expected a number");
  ExpectJsonError(R"({"id":"a","name":"n","vat_registered":"yes"})", "/vat_registered",
                  "true or false");
  ExpectJsonError(R"({"id":"a","name":"n","gs1_barcode":1})", "/gs1_barcode", "true or false");
  ExpectJsonError(R"({"id":"a","name":"n","certifications":"fda"})", "/certifications",
                  "expected an array");
  ExpectJsonError(R"({"id":"a","name":"n","certifications":["fda",3]})", "/certifications/1",
                  "certification id");
  ExpectJsonError(R"({"id":"a","name":"n","needs":[1,2]})", "/needs", "expected an object");
  ExpectJsonError(R"({"id":"a","name":"n","participation":{"program":"BSC"}})", "/participation",
                  "expected an array");
  ExpectJsonError(R"({"id":"a","name":"n","participation":["BSC"]})", "/participation/0",
                  "expected an object");
  ExpectJsonError(R"({"id":"a","name":"n","sector":"factory"})", "/sector", "manufacturing");
}

TEST(ProfileJson, IdentifierAsNumberExplainsLeadingZeros) {
  ExpectJsonError(R"({"id":"a","name":"n","identifier":105536112014})", "/identifier",
                  "leading zeros");
}

TEST(ProfileJson, IdentifierWithBadCheckDigitStatesTheExpectedDigit) {
  ExpectJsonError(R"({"id":"a","name":"n","identifier":"0994000617723"})", "/identifier",
                  "expected 1");
}

TEST(ProfileJson, NegativeEmployeesAreOutOfRange) {
  ExpectJsonError(R"({"id":"a","name":"n","employees":-3})", "/employees", "got -3");
}

TEST(ProfileJson, OtopStarsAboveFiveAreOutOfRange) {
  ExpectJsonError(R"({"id":"a","name":"n","otop_stars":6})", "/otop_stars", "0 to 5, got 6");
}

TEST(ProfileJson, UnknownProvinceIsCheckedAgainstTheTable) {
  ASSERT_NE(Provinces(), nullptr);
  ExpectJsonError(R"({"id":"a","name":"n","province":"TH-99"})", "/province", "TH-99",
                  Provinces());
  ProfileReader reader(Provinces());
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  ASSERT_TRUE(reader.ParseJson(R"({"id":"a","name":"n","province":"TH-10"})", &p, &errors).ok())
      << Dump(errors);
  EXPECT_EQ(p.province, "TH-10");
}

TEST(ProfileJson, ProvinceWithoutTableMustLookLikeAnIsoCode) {
  ExpectJsonError(R"({"id":"a","name":"n","province":"Chiang Mai"})", "/province", "TH-50");
}

TEST(ProfileJson, UnknownCertificationNamesItsIndex) {
  ExpectJsonError(R"({"id":"a","name":"n","certifications":["fda","iso9001"]})",
                  "/certifications/1", "iso9001");
}

TEST(ProfileJson, UnknownNeedsDimensionNamesItsKey) {
  ExpectJsonError(R"({"id":"a","name":"n","needs":{"marketing":3,"foo":2}})", "/needs/foo",
                  "unknown mentoring dimension");
  ExpectJsonError(R"({"id":"a","name":"n","needs":{"marketing":6}})", "/needs/marketing",
                  "0 to 5");
  ExpectJsonError(R"({"id":"a","name":"n","needs":{"digital":"high"}})", "/needs/digital",
                  "0 to 5");
}

TEST(ProfileJson, ParticipationWithoutFiscalYearNamesTheMissingMember) {
  ExpectJsonError(R"({"id":"a","name":"n","participation":[{"program":"BSC"}]})",
                  "/participation/0/fiscal_year", "required");
  ExpectJsonError(
      R"({"id":"a","name":"n","participation":[{"program":"BSC","fiscal_year":2025},{"fiscal_year":2025}]})",
      "/participation/1/program", "required");
  ExpectJsonError(
      R"({"id":"a","name":"n","participation":[{"program":"BSC","fiscal_year":2025,"days":3}]})",
      "/participation/0/days", "unknown field; expected program, fiscal_year or man_days_used");
}

TEST(ProfileJson, DuplicateKeyIsReported) {
  ExpectJsonError(R"({"id":"a","name":"n","employees":3,"employees":4})", "/employees",
                  "appears twice");
}

TEST(ProfileJson, MissingIdAndNameAreBothRequired) {
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(R"({"employees":3})", &p, &errors);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(ErrorsFor(errors, "/id").size(), 1u) << Dump(errors);
  ASSERT_EQ(ErrorsFor(errors, "/name").size(), 1u) << Dump(errors);
  EXPECT_EQ(ErrorsFor(errors, "/id")[0].message, "required");
  EXPECT_NE(s.message().find("/id: required"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("/name: required"), std::string::npos) << s.message();
}

TEST(ProfileJson, NullIdAndNameAreAsMissingAsAbsentOnes) {
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(R"({"id":null,"name":null,"employees":3})", &p, &errors);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(ErrorsFor(errors, "/id").size(), 1u) << Dump(errors);
  ASSERT_EQ(ErrorsFor(errors, "/name").size(), 1u) << Dump(errors);
  EXPECT_EQ(ErrorsFor(errors, "/id")[0].message, "required");
}

TEST(ProfileJson, EmptyIdIsRejected) {
  ExpectJsonError(R"({"id":"","name":"n"})", "/id", "must not be empty");
}

TEST(ProfileJson, OverlongStringIsRejected) {
  std::string name(kMaxStringBytes + 1, 'x');
  ExpectJsonError(R"({"id":"a","name":")" + name + "\"}", "/name", "longer than 1024 bytes");
}

TEST(ProfileJson, TrailingGarbageIsRejected) {
  ExpectJsonError(R"({"id":"a","name":"n"}{"id":"b","name":"m"})", "", "trailing content");
  // simdjson rejects a trailing scalar or bracket already in stage 1, with its own message
  // ("ended early in the middle of an object or array"): only the rejection is asserted here.
  for (const char* json : {R"({"id":"a","name":"n"} x)", R"({"id":"a","name":"n"}])",
                           R"({"id":"a","name":"n"},)", R"({"id":"a","name":"n"} 1)"}) {
    ExpectJsonError(json, "", "");
  }
}

TEST(ProfileJson, MalformedJsonIsRejected) {
  ExpectJsonError(R"({"id":"a","name":)", "", "malformed JSON");
  ExpectJsonError(R"({"id":"a" "name":"n"})", "", "malformed JSON");
  ExpectJsonError("", "", "malformed JSON");
  ExpectJsonError("   ", "", "malformed JSON");
}

TEST(ProfileJson, NotAnObjectIsRejected) {
  for (const char* json : {R"([{"id":"a","name":"n"}])", R"("CM-001")", "42", "null"}) {
    ExpectJsonError(json, "", "expected a JSON object");
  }
}

TEST(ProfileJson, OversizeRecordIsRejectedNamingTheLimit) {
  std::string json = R"({"id":"a","name":"n","x":")" + std::string(kMaxRecordBytes, 'y') + "\"}";
  ASSERT_GT(json.size(), kMaxRecordBytes);
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(json, &p, &errors);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(errors.size(), 1u) << Dump(errors);
  EXPECT_NE(errors[0].message.find(std::to_string(kMaxRecordBytes)), std::string::npos)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find(std::to_string(json.size())), std::string::npos)
      << errors[0].message;
}

TEST(ProfileJson, RecordOfExactlyTheLimitIsRead) {
  std::string head = R"({"id":"a","name":"n","years_operating":1)";
  std::string json = head + std::string(kMaxRecordBytes - head.size() - 1, ' ') + "}";
  ASSERT_EQ(json.size(), kMaxRecordBytes);
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(json, &p, &errors);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(p.years_operating, 1.0);
}

TEST(ProfileJson, NullMeansAbsent) {
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(
      R"({"id":"a","name":"n","identifier":null,"employees":null,"annual_revenue_thb":null,)"
      R"("certifications":null,"needs":null,"vat_registered":null,"participation":null,"otop_stars":null})",
      &p, &errors);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(p.identifier.has_value());
  EXPECT_FALSE(p.employees.has_value());
  EXPECT_FALSE(p.annual_revenue_thb.has_value());
  EXPECT_EQ(p.certifications, 0u);
  EXPECT_FALSE(p.needs.has_value());
  EXPECT_FALSE(p.vat_registered.has_value());
  EXPECT_TRUE(p.participation.empty());
  EXPECT_EQ(p.otop_stars, 0);
}

TEST(ProfileJson, EveryErrorOfOneRecordIsReported) {
  ASSERT_NE(Provinces(), nullptr);
  ProfileReader reader(Provinces());
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(
      R"({"id":"a","identifier":123,"employees":-1,"otop_stars":9,"province":"TH-99",)"
      R"("certifications":["fda","iso"],"needs":{"foo":1},"colour":"red",)"
      R"("participation":[{"program":"BSC"}]})",
      &p, &errors);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  for (const char* field : {"/identifier", "/employees", "/otop_stars", "/province",
                            "/certifications/1", "/needs/foo", "/colour",
                            "/participation/0/fiscal_year", "/name"}) {
    EXPECT_EQ(ErrorsFor(errors, field).size(), 1u) << field << " in " << Dump(errors);
    EXPECT_NE(s.message().find(std::string(field) + ": "), std::string::npos)
        << field << " in " << s.message();
  }
  EXPECT_EQ(errors.size(), 9u) << Dump(errors);
  EXPECT_EQ(s.message(), JoinFieldErrors(errors));
}

TEST(ProfileJson, JoinFieldErrorsFormat) {
  EXPECT_EQ(JoinFieldErrors({}), "");
  EXPECT_EQ(JoinFieldErrors({{"/a", "bad"}, {"", "whole"}, {"b", "worse"}}),
            "/a: bad; whole; b: worse");
}

// --- CSV ----------------------------------------------------------------------------------

TEST(ProfileCsvHeaderCheck, AcceptsTheWrittenHeaderAndNeedColumns) {
  Status s = CheckCsvHeader(ProfileCsvHeader());
  EXPECT_TRUE(s.ok()) << s.ToString();
  s = CheckCsvHeader({"name", "id", "need_marketing", "need_digital", "province"});
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(ProfileCsvHeaderCheck, ProfileCsvHeaderSpellsNeedsAsColumns) {
  std::vector<std::string> h = ProfileCsvHeader();
  EXPECT_EQ(h.front(), "id");
  EXPECT_EQ(std::count(h.begin(), h.end(), "needs"), 0);
  for (const char* col : {"need_entrepreneurship", "need_marketing", "need_product_innovation",
                          "need_finance_legal", "need_digital", "participation", "name"}) {
    EXPECT_EQ(std::count(h.begin(), h.end(), col), 1) << col;
  }
  EXPECT_EQ(h.size(), static_cast<size_t>(kProfileFieldCount - 1 + kDimensionCount));
}

TEST(ProfileCsvHeaderCheck, UnknownColumnIsNamed) {
  Status s = CheckCsvHeader({"id", "name", "employes"});
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("employes: unknown column"), std::string::npos) << s.message();
  s = CheckCsvHeader({"id", "name", "need_foo"});
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("need_foo: unknown column"), std::string::npos) << s.message();
  // Needs come as need_<dimension> columns, never as one "needs" column.
  s = CheckCsvHeader({"id", "name", "needs"});
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("needs: unknown column"), std::string::npos) << s.message();
}

TEST(ProfileCsvHeaderCheck, DuplicateColumnIsNamed) {
  Status s = CheckCsvHeader({"id", "name", "employees", "employees"});
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("employees: column appears twice"), std::string::npos) << s.message();
}

TEST(ProfileCsvHeaderCheck, MissingIdAndNameAreNamed) {
  Status s = CheckCsvHeader({"employees", "province"});
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("id: required column missing"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("name: required column missing"), std::string::npos) << s.message();
}

TEST(ProfileCsv, ParsesCellFormats) {
  ProfileReader reader(Provinces());
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  const std::vector<std::string> header = {
      "id", "name", "certifications", "need_marketing", "need_digital", "participation",
      "vat_registered", "own_farm_produce", "gs1_barcode", "annual_revenue_thb", "employees",
      "province", "sector", "years_operating", "identifier"};
  const std::vector<std::string> cells = {
      "X1", "ร้าน ก", "fda;gmp", "4", "2", "BSC/2026/2;ITC/2025", "yes", "ใช่", "false",
      "1,250,000", "1,200", "TH-50", "trade_services", "2.5", "0105536112014"};
  Status s = reader.ParseCsv(header, cells, &p, &errors);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(p.id, "X1");
  EXPECT_EQ(p.name, "ร้าน ก");
  EXPECT_TRUE(p.has(Certification::kFda));
  EXPECT_TRUE(p.has(Certification::kGmp));
  EXPECT_FALSE(p.has(Certification::kHaccp));
  ASSERT_TRUE(p.needs.has_value());
  EXPECT_EQ(*p.needs, (std::array<int, kDimensionCount>{0, 4, 0, 0, 2}));
  ASSERT_EQ(p.participation.size(), 2u);
  EXPECT_EQ(p.participation[0].program, "BSC");
  EXPECT_EQ(p.participation[0].fiscal_year, 2026);
  EXPECT_EQ(p.participation[0].man_days_used, 2);
  EXPECT_EQ(p.participation[1].program, "ITC");
  EXPECT_EQ(p.participation[1].fiscal_year, 2025);
  EXPECT_EQ(p.participation[1].man_days_used, 0);
  EXPECT_EQ(p.vat_registered, true);
  EXPECT_EQ(p.own_farm_produce, true);
  EXPECT_EQ(p.gs1_barcode, false);
  EXPECT_EQ(p.annual_revenue_thb, 1'250'000.0);
  EXPECT_EQ(p.employees, 1200);
  EXPECT_EQ(p.province, "TH-50");
  EXPECT_EQ(p.sector, SmeSector::kTradeServices);
  EXPECT_EQ(p.years_operating, 2.5);
  EXPECT_EQ(p.identifier, "0105536112014");
}

TEST(ProfileCsv, EmptyCellsAreAbsent) {
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseCsv({"id", "name", "employees", "need_marketing", "vat_registered",
                              "certifications", "participation"},
                             {"a", "n", "", "", " ", "", ""}, &p, &errors);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(p.employees.has_value());
  EXPECT_FALSE(p.needs.has_value());
  EXPECT_FALSE(p.vat_registered.has_value());
  EXPECT_EQ(p.certifications, 0u);
  EXPECT_TRUE(p.participation.empty());
}

TEST(ProfileCsv, BooleanSpellings) {
  struct Case {
    const char* cell;
    bool want;
  };
  for (const Case& c : {Case{"true", true}, Case{"false", false}, Case{"yes", true},
                        Case{"no", false}, Case{"ใช่", true}, Case{"ไม่ใช่", false},
                        Case{"TRUE", true}, Case{"1", true}, Case{"0", false}}) {
    ProfileReader reader;
    EnterpriseProfile p;
    std::vector<FieldError> errors;
    Status s = reader.ParseCsv({"id", "name", "vat_registered"}, {"a", "n", c.cell}, &p, &errors);
    ASSERT_TRUE(s.ok()) << c.cell << ": " << s.ToString();
    EXPECT_EQ(p.vat_registered, c.want) << c.cell;
  }
}

// Parses one CSV row and expects an error on `column` whose message contains `text`.
void ExpectCsvError(const std::vector<std::string>& header, const std::vector<std::string>& cells,
                    const std::string& column, const std::string& text) {
  ProfileReader reader(Provinces());
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseCsv(header, cells, &p, &errors);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument) << column;
  std::vector<FieldError> mine = ErrorsFor(errors, column);
  ASSERT_EQ(mine.size(), 1u) << column << " in " << Dump(errors);
  EXPECT_NE(mine[0].message.find(text), std::string::npos) << mine[0].message;
  if (!column.empty()) {
    EXPECT_NE(s.message().find(column + ": "), std::string::npos) << s.message();
  }
}

TEST(ProfileCsv, ErrorsNameTheColumn) {
  ExpectCsvError({"id", "name", "vat_registered"}, {"a", "n", "maybe"}, "vat_registered",
                 "expected true or false, got \"maybe\"");
  ExpectCsvError({"id", "name", "employees"}, {"a", "n", "twelve"}, "employees",
                 "expected a whole number, got \"twelve\"");
  ExpectCsvError({"id", "name", "employees"}, {"a", "n", "-3"}, "employees", "got -3");
  ExpectCsvError({"id", "name", "annual_revenue_thb"}, {"a", "n", "1.2M"}, "annual_revenue_thb",
                 "expected a number");
  ExpectCsvError({"id", "name", "certifications"}, {"a", "n", "fda;iso"}, "certifications",
                 "unknown certification \"iso\"");
  ExpectCsvError({"id", "name", "participation"}, {"a", "n", "BSC-2026"}, "participation",
                 "PROGRAM/FISCAL_YEAR");
  ExpectCsvError({"id", "name", "participation"}, {"a", "n", "BSC/1999"}, "participation",
                 "fiscal_year");
  ExpectCsvError({"id", "name", "need_marketing"}, {"a", "n", "7"}, "need_marketing",
                 "0 to 5, got \"7\"");
  ExpectCsvError({"id", "name", "province"}, {"a", "n", "TH-99"}, "province", "TH-99");
  ExpectCsvError({"id", "name", "identifier"}, {"a", "n", "0994000617723"}, "identifier",
                 "expected 1");
  ExpectCsvError({"id", "name", "otop_stars"}, {"a", "n", "6"}, "otop_stars", "0 to 5, got 6");
  ExpectCsvError({"id", "name", "employees"}, {"a", ""}, "", "has 2 cells, the header has 3");
}

TEST(ProfileCsv, MissingIdAndNameAreRequired) {
  ProfileReader reader;
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseCsv({"id", "name", "employees"}, {"", "", "3"}, &p, &errors);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorsFor(errors, "id").size(), 1u) << Dump(errors);
  EXPECT_EQ(ErrorsFor(errors, "name").size(), 1u) << Dump(errors);
}

TEST(ProfileCsv, SeveralErrorsInOneRowAreAllReported) {
  ProfileReader reader(Provinces());
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  Status s = reader.ParseCsv({"id", "name", "employees", "province", "gs1_barcode"},
                             {"a", "n", "x", "TH-00", "perhaps"}, &p, &errors);
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(errors.size(), 3u) << Dump(errors);
  for (const char* col : {"employees", "province", "gs1_barcode"}) {
    EXPECT_EQ(ErrorsFor(errors, col).size(), 1u) << col << " in " << Dump(errors);
  }
}

TEST(ProfileCsv, WrittenRowsReadBackEqual) {
  std::vector<EnterpriseProfile> profiles;
  profiles.push_back(FullProfile());
  EnterpriseProfile minimal;
  minimal.id = "m-1";
  minimal.name = "ร้าน\nสองบรรทัด";  // a line break inside a quoted cell
  profiles.push_back(minimal);
  EnterpriseProfile other = FullProfile();
  other.id = "o-1";
  other.needs.reset();
  other.participation.clear();
  other.certifications = 0;
  other.identifier = "3100600445635";
  other.legal_form = LegalForm::kIndividual;
  other.sector = SmeSector::kTradeServices;
  other.industry = Industry::kRetailWholesale;
  profiles.push_back(other);

  std::vector<std::string> header = ProfileCsvHeader();
  std::string text;
  for (size_t i = 0; i < header.size(); ++i) text += (i ? "," : "") + header[i];
  text += "\r\n";
  for (const EnterpriseProfile& p : profiles) AppendProfileCsv(p, &text);

  CsvReader csv;
  std::vector<std::vector<std::string>> rows;
  Status s = csv.ReadAll(text, &rows);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(rows.size(), profiles.size() + 1) << text;
  ASSERT_EQ(rows[0], header);
  ASSERT_TRUE(CheckCsvHeader(rows[0]).ok());
  ProfileReader reader(Provinces());
  for (size_t i = 0; i < profiles.size(); ++i) {
    SCOPED_TRACE(profiles[i].id);
    EXPECT_EQ(rows[i + 1].size(), header.size());
    EnterpriseProfile back;
    std::vector<FieldError> errors;
    Status ps = reader.ParseCsv(rows[0], rows[i + 1], &back, &errors);
    ASSERT_TRUE(ps.ok()) << ps.ToString();
    ExpectSameProfile(profiles[i], back);
  }
}

TEST(ProfileCsv, ThaiNameWithCommaAndQuotesIsQuotedOnce) {
  EnterpriseProfile p = FullProfile();
  std::string row;
  AppendProfileCsv(p, &row);
  EXPECT_NE(row.find("\"วิสาหกิจชุมชน \"\"กาแฟ\"\", บ้านแม่กำปอง\""), std::string::npos) << row;
  EXPECT_TRUE(row.ends_with("\r\n"));
}

}  // namespace
}  // namespace smematch
