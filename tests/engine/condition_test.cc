// Tests of Condition (engine/src/condition.h): compile errors that name the problem and its
// column, evaluation with Lua's semantics (missing fields, and/or returning operands, raises),
// and, most of all, that the fast path (conditions in C++) decides exactly as the explain path
// (the same conditions as Lua functions) on a generated population: on the shipped rules, and
// on a rule set written both ways (conditions, and the same texts as Lua functions).
#include "condition.h"

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/date.h"
#include "smematch/population.h"
#include "smematch/profile.h"
#include "smematch/provinces.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"
#include "smematch/sme_size.h"
#include "smematch/status.h"
#include "engine_test_util.h"

namespace smematch {
namespace {

using test::Contains;
using test::ReadFile;
using test::ProvincesCsv;

using nlohmann::json;

const ProvinceTable& Provinces() {
  static const ProvinceTable table = [] {
    Result<ProvinceTable> t = ProvinceTable::Parse(ProvincesCsv());
    if (!t.ok()) {
      ADD_FAILURE() << "provinces.csv: " << t.status().ToString();
      return ProvinceTable();
    }
    return std::move(*t);
  }();
  return table;
}

Date D(const char* text) { return *Date::Parse(text); }

uint64_t Bit(ProfileField f) { return uint64_t{1} << static_cast<int>(f); }

ParameterInfo Param(const std::string& name, json value) {
  ParameterInfo p;
  p.name = name;
  p.value = std::move(value);
  return p;
}

// The parameters conditions in these tests are compiled against.
const std::vector<ParameterInfo>& Params() {
  static const std::vector<ParameterInfo> params = {
      Param("min_years", 3),
      Param("max_employees", 50),
      Param("ratio", 2.5),
      Param("sizes", json::array({"micro", "small"})),
      Param("industries", json::array({"food", "coffee_tea", "herbs"})),
      Param("counts", json::array({1, 3, 5})),
      Param("pilot", true),
      Param("program", "BSC"),
  };
  return params;
}

// ---------------------------------------------------------------------------------------------
// Compile errors

// Returns the message of compiling `text` (kInvalidArgument expected), or "<compiled>".
std::string CompileError(std::string_view text,
                         const std::vector<ParameterInfo>& params = Params()) {
  Result<Condition> c = Condition::Compile(text, params);
  if (c.ok()) return "<compiled>";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << c.status().ToString();
  return c.status().message();
}

TEST(ConditionCompile, CompilesTheSubset) {
  for (const char* text : {
           "e.years_operating >= p.min_years",
           "(e.digital_readiness or 0) <= 2",
           "e.legal_form ~= 'community_enterprise' or e.members >= 7",
           "sme_size(e) ~= nil and sme_size(e) ~= \"large\"",
           "one_of(e.industry, p.industries) and one_of(e.otop_stars, p.counts)",
           "not participated(e, 'ITC', c.fiscal_year - 2, c.fiscal_year)",
           "participated(e, p.program, nil, nil)",
           "man_days_used(e, 'BSC', c.fiscal_year) < 3",
           "province(e.province).upper_north == true and province(e.province).region == 'North'",
           "identifier_kind(e.identifier) == 'juristic_person'",
           "clamp(e.employees, 1, 50) * 2 / 4 - 1 > -e.members",
           "e.certifications.fda and e.needs.digital >= 3 or certification_count(e) > 1",
           "max_need(e) >= 3 and total_need(e) <= 25 and c.fiscal_year_be == 2569",
           "c.as_of == '2026-03-01' and p.pilot and p.ratio > 1.5e0 and .5 < 1",
           "'a\\'b' ~= \"c\\\"d\"",
       }) {
    Result<Condition> c = Condition::Compile(text, Params());
    EXPECT_TRUE(c.ok()) << text << ": " << c.status().ToString();
    if (c.ok()) {
      EXPECT_EQ(c->text(), text);
    }
  }
}

TEST(ConditionCompile, UnknownField) {
  std::string m = CompileError("e.employes <= 50");
  EXPECT_TRUE(Contains(m, "unknown profile field 'e.employes'"));
  EXPECT_TRUE(m.starts_with("column ")) << m;
}

TEST(ConditionCompile, ParticipationIsReadThroughTheHelpers) {
  std::string m = CompileError("e.participation ~= nil");
  EXPECT_TRUE(Contains(m, "e.participation"));
  EXPECT_TRUE(Contains(m, "participated(e, program, from_fy, to_fy)"));
  EXPECT_TRUE(Contains(m, "man_days_used(e, program, fiscal_year)"));
}

TEST(ConditionCompile, UnknownParameterListsTheDeclaredOnes) {
  std::string m = CompileError("e.years_operating >= p.min_yeers");
  EXPECT_TRUE(Contains(m, "unknown parameter 'p.min_yeers'"));
  EXPECT_TRUE(Contains(m, "declared: min_years, max_employees, ratio, sizes, industries, counts, "
                          "pilot, program"));
  m = CompileError("e.years_operating >= p.min_years", {});
  EXPECT_TRUE(Contains(m, "unknown parameter 'p.min_years'; declared: none"));
}

TEST(ConditionCompile, ListParameterOnlyInOneOf) {
  std::string m = CompileError("e.industry == p.industries");
  EXPECT_TRUE(Contains(m, "list parameter 'p.industries' can only be the list of one_of(value, "
                          "p.industries)"));
  m = CompileError("one_of(e.industry, p.program)");
  EXPECT_TRUE(Contains(m, "p.program is not a list parameter"));
  m = CompileError("one_of(e.industry, {'food'})");
  EXPECT_TRUE(Contains(m, "the list must be a list parameter p.<name>"));
}

TEST(ConditionCompile, UnknownHelper) {
  std::string m = CompileError("tostring(e.employees) == '5'");
  EXPECT_TRUE(Contains(m, "'tostring' is not a helper conditions can call"));
  EXPECT_TRUE(Contains(m, "known: sme_size"));
  m = CompileError("string.len(e.name) > 3");
  EXPECT_TRUE(Contains(m, "unknown name 'string'"));
}

TEST(ConditionCompile, StatementsAreNotSupported) {
  std::string m = CompileError("while true do end");
  EXPECT_TRUE(Contains(m, "'while' is not supported"));
  m = CompileError("e.employees > 5 and local");
  EXPECT_TRUE(Contains(m, "'local' is not supported"));
  m = CompileError("e.employees > 5 and function");
  EXPECT_TRUE(Contains(m, "'function' is not supported"));
  // Refused whether or not a call follows.
  EXPECT_TRUE(Contains(CompileError("(function() while true do end end)()"), "'function'"));
}

// A keyword followed by '(' is a keyword, not the call of an unknown helper:
// "(function() ... end)()" is refused as not supported (write a function test instead).
TEST(ConditionCompile, FunctionKeywordBeforeAParenthesisIsNotSupported) {
  EXPECT_TRUE(Contains(CompileError("function() return true end"), "'function' is not supported"));
  EXPECT_TRUE(Contains(CompileError("(function() while true do end end)()"),
                       "'function' is not supported"));
}

TEST(ConditionCompile, UnsupportedOperatorsAreNamed) {
  // Each refused with the operator in the message, at its column.
  struct Case {
    const char* text;
    const char* op;
    int column;
  };
  for (const Case& c : {
           Case{"e.name .. 'x' == 'ax'", "'..'", 8},
           Case{"e.employees % 2 == 0", "'%'", 13},
           Case{"e.employees ^ 2 > 4", "'^'", 13},
           Case{"#e.name > 3", "'#'", 1},
           Case{"e.employees // 2 == 1", "'//'", 13},
           Case{"e.employees != 1", "'!'", 13},
       }) {
    SCOPED_TRACE(c.text);
    std::string m = CompileError(c.text);
    EXPECT_TRUE(Contains(m, c.op));
    EXPECT_TRUE(Contains(m, "column " + std::to_string(c.column) + ":"));
  }
  EXPECT_TRUE(Contains(CompileError("#e.name > 3"), "'#' is not supported in a condition"));
  EXPECT_TRUE(Contains(CompileError("2 ^ e.employees > 4"), "'^' is not supported in a condition"));
  EXPECT_TRUE(Contains(CompileError("e.employees > 0x10"), "hexadecimal numbers are not supported"));
  EXPECT_TRUE(Contains(CompileError("e.name == [[x]]"), "'[' is not supported"));
}

TEST(ConditionCompile, UnknownCertificationDimensionFactAndContext) {
  std::string m = CompileError("e.certifications.iso9001");
  EXPECT_TRUE(Contains(m, "unknown certification 'iso9001'"));
  EXPECT_TRUE(Contains(m, "known: fda, gmp, haccp, tisi, tcps, halal"));
  m = CompileError("e.needs.sales >= 3");
  EXPECT_TRUE(Contains(m, "unknown mentoring dimension 'sales'"));
  EXPECT_TRUE(Contains(m, "marketing"));
  m = CompileError("province(e.province).capital == 'x'");
  EXPECT_TRUE(Contains(m, "unknown province fact 'capital'"));
  EXPECT_TRUE(Contains(m, "upper_north"));
  m = CompileError("province(e.province) ~= nil");
  EXPECT_TRUE(Contains(m, "province(e.province) is read through one of its facts"));
  m = CompileError("province('TH-50').upper_north");
  EXPECT_TRUE(Contains(m, "province(e.province)"));
  m = CompileError("c.today == '2026-03-01'");
  EXPECT_TRUE(Contains(m, "unknown context value 'c.today'; known: as_of, fiscal_year, fiscal_year_be"));
  m = CompileError("e.employees.count > 1");
  EXPECT_TRUE(Contains(m, "e.employees has no members"));
}

TEST(ConditionCompile, HelpersTakingTheApplicantNeedE) {
  for (const char* text : {"sme_size(x) == 'small'", "sme_size(e.sector) == 'small'",
                           "max_need(p) > 1", "participated(c, 'BSC', 2020, 2026)"}) {
    SCOPED_TRACE(text);
    std::string m = CompileError(text);
    EXPECT_TRUE(Contains(m, "(e, ...) expects the applicant e as its first argument"));
  }
}

TEST(ConditionCompile, WrongArgumentCount) {
  EXPECT_TRUE(Contains(CompileError("participated(e, 'BSC')"), "participated takes 4 arguments"));
  EXPECT_TRUE(Contains(CompileError("participated(e, 'BSC', 1, 2, 3)"), "participated takes 4 arguments"));
  EXPECT_TRUE(Contains(CompileError("sme_size(e, 1) == 'small'"), "sme_size takes 1 argument"));
  EXPECT_TRUE(Contains(CompileError("clamp(1, 2) == 1"), "clamp takes 3 arguments"));
  EXPECT_TRUE(Contains(CompileError("one_of(e.industry)"), "one_of takes 2 arguments"));
  EXPECT_TRUE(Contains(CompileError("man_days_used(e, 'BSC') < 3"), "man_days_used takes 3 arguments"));
}

TEST(ConditionCompile, ParticipatedNeedsAConstantProgram) {
  std::string m = CompileError("participated(e, e.name, 2020, 2026)");
  EXPECT_TRUE(Contains(m, "participated: the program must be a text"));
  m = CompileError("man_days_used(e, 5, 2026) < 3");
  EXPECT_TRUE(Contains(m, "man_days_used: the program must be a text"));
  m = CompileError("participated(e, p.min_years, 2020, 2026)");
  EXPECT_TRUE(Contains(m, "the program must be a text"));
  EXPECT_EQ(CompileError("participated(e, p.program, 2020, 2026)"), "<compiled>");
}

TEST(ConditionCompile, TrailingTokens) {
  std::string m = CompileError("e.sector == 'x' y");
  EXPECT_TRUE(Contains(m, "column 17: unexpected 'y' after the condition"));
  m = CompileError("e.sector == 'x')");
  EXPECT_TRUE(Contains(m, "column 16: unexpected ')'"));
  m = CompileError("(e.sector == 'x'");
  EXPECT_TRUE(Contains(m, "expected ')'"));
  m = CompileError("e.sector ==");
  EXPECT_TRUE(Contains(m, "column 12: expected a value but the condition ends"));
  m = CompileError("");
  EXPECT_TRUE(Contains(m, "column 1: expected a value but the condition ends"));
}

TEST(ConditionCompile, UnfinishedString) {
  std::string m = CompileError("e.sector == 'manu");
  EXPECT_TRUE(Contains(m, "column 13: unfinished string"));
  m = CompileError("e.sector == \"manu'");
  EXPECT_TRUE(Contains(m, "column 13: unfinished string"));
  m = CompileError("e.name == 'a\\nb'");
  EXPECT_TRUE(Contains(m, "escapes"));
}

TEST(ConditionCompile, ColumnsPointAtTheProblem) {
  EXPECT_TRUE(Contains(CompileError("e.sector == 'x' and #e.name > 1"), "column 21: '#'"));
  EXPECT_TRUE(Contains(CompileError("   [[x]]"), "column 4: '['"));
  EXPECT_TRUE(Contains(CompileError("1 + nope(e)"), "column "));
  EXPECT_TRUE(Contains(CompileError("e.employees > 1 + 2x"), "column 19: malformed number '2x'"));
}

// docs/rules.md: "rules/programs/itc.lua:88: criterion 'operating_track_record': condition,
// column 3: unknown profile field 'e.years_operatng'": the column of the unknown name.
// Keywords too ("   while true do end": column 4).
TEST(ConditionCompile, ColumnOfAnUnknownNameIsWhereTheNameStarts) {
  EXPECT_TRUE(Contains(CompileError("e.years_operatng >= p.min_years"),
                       "column 3: unknown profile field 'e.years_operatng'"));
  EXPECT_TRUE(Contains(CompileError("e.years_operating >= p.min_yeers"),
                       "column 24: unknown parameter 'p.min_yeers'"));
  EXPECT_TRUE(Contains(CompileError("e.needs.sales >= 3"), "column 9: unknown mentoring dimension"));
  EXPECT_TRUE(Contains(CompileError("c.today == 'x'"), "column 3: unknown context value"));
  EXPECT_TRUE(Contains(CompileError("   while true do end"), "column 4: 'while'"));
}

// ---------------------------------------------------------------------------------------------
// Evaluation

std::string_view ResultName(ConditionResult r) {
  switch (r) {
    case ConditionResult::kPass: return "pass";
    case ConditionResult::kFail: return "fail";
    case ConditionResult::kUndecided: return "undecided";
    case ConditionResult::kAskLua: return "ask_lua";
  }
  return "?";
}

struct Evaluated {
  ConditionResult result = ConditionResult::kAskLua;
  uint64_t missing = 0;
};

// Compiles `text` against Params() and evaluates it for `p` on 2026-03-01 (fiscal year 2026).
Evaluated Evaluate(std::string_view text, const EnterpriseProfile& p) {
  Result<Condition> c = Condition::Compile(text, Params());
  if (!c.ok()) {
    ADD_FAILURE() << text << ": " << c.status().ToString();
    return {};
  }
  ConditionApplicant a;
  a.Set(p, Provinces(), SizeTieBreak::kRevenuePrevails);
  a.fiscal_year = 2026;
  a.as_of = "2026-03-01";
  Evaluated out;
  out.result = c->Evaluate(a, &out.missing);
  return out;
}

// Expects `text` to give `result` for `p`, having read the absent fields `missing`.
void Expect(const EnterpriseProfile& p, std::string_view text, ConditionResult result,
            uint64_t missing = 0) {
  Evaluated e = Evaluate(text, p);
  EXPECT_EQ(ResultName(e.result), ResultName(result)) << text;
  EXPECT_EQ(e.missing, missing) << text << ": missing " << ::testing::PrintToString(FieldNames(e.missing));
}

constexpr ConditionResult kPass = ConditionResult::kPass;
constexpr ConditionResult kFail = ConditionResult::kFail;
constexpr ConditionResult kUndecided = ConditionResult::kUndecided;
constexpr ConditionResult kAskLua = ConditionResult::kAskLua;

// A complete applicant: a small community enterprise in Chiang Mai.
EnterpriseProfile Applicant() {
  EnterpriseProfile p;
  p.id = "T-1";
  p.name = "วิสาหกิจชุมชนกาแฟทดสอบ";
  p.identifier = "0105536112014";  // a valid juristic person number (identifier_test.cc)
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
  p.otop_stars = 3;
  p.digital_readiness = 3;
  p.needs = std::array<int, kDimensionCount>{2, 4, 3, 2, 1};
  p.own_farm_produce = true;
  p.vat_registered = true;
  p.gs1_barcode = false;
  p.monthly_capacity_units = 9000;
  p.shelf_life_days = 365;
  p.participation = {{"BSC", 2024, 3}, {"BSC", 2026, 2}, {"BSC", 2026, 1}, {"ITC", 2025, 0}};
  return p;
}

TEST(ConditionEvaluate, PassAndFail) {
  EnterpriseProfile p = Applicant();
  Expect(p, "e.years_operating >= p.min_years", kPass);
  Expect(p, "e.employees <= p.max_employees and e.annual_revenue_thb < 50000000", kPass);
  Expect(p, "e.sector == 'manufacturing'", kPass);
  Expect(p, "e.sector == 'trade_services'", kFail);
  Expect(p, "e.legal_form ~= 'community_enterprise' or e.members >= 7", kPass);
  Expect(p, "e.own_farm_produce == true and not e.gs1_barcode", kPass);
  Expect(p, "e.gs1_barcode", kFail);
  Expect(p, "e.name ~= '' and e.id == 'T-1' and e.otop_stars == 3", kPass);
  p.years_operating = 1.5;
  Expect(p, "e.years_operating >= p.min_years", kFail);
  Expect(p, "e.years_operating == 1.5 and e.years_operating * 2 == 3", kPass);
}

TEST(ConditionEvaluate, LuaPrecedenceAndArithmetic) {
  EnterpriseProfile p = Applicant();
  Expect(p, "1 + 2 * 3 == 7", kPass);
  Expect(p, "10 - 2 - 3 == 5 and 12 / 2 / 3 == 2", kPass);
  Expect(p, "-2 + 3 == 1 and - -2 == 2", kPass);
  Expect(p, "7 / 2 == 3.5", kPass);
  // not binds tighter than ==: (not true) == false.
  Expect(p, "not e.vat_registered == false", kPass);
  Expect(p, "not (e.vat_registered == false)", kPass);
  Expect(p, "not e.vat_registered", kFail);
  // Comparisons are left-associative: (1 < 2) == true.
  Expect(p, "1 < 2 == true", kPass);
  Expect(p, "e.employees / 0 > 1e300", kPass);
  Expect(p, "0 / 0 ~= 0 / 0", kPass);
  Expect(p, "1 == 1.0 and 3 ~= '3'", kPass);
}

TEST(ConditionEvaluate, MissingFieldIsUndecidedWithItsBit) {
  EnterpriseProfile p = Applicant();
  p.years_operating.reset();
  Expect(p, "e.years_operating >= p.min_years", kUndecided, Bit(ProfileField::kYearsOperating));
  Expect(p, "e.years_operating < p.min_years", kUndecided, Bit(ProfileField::kYearsOperating));
  p.own_farm_produce.reset();
  Expect(p, "e.own_farm_produce == true", kUndecided, Bit(ProfileField::kOwnFarmProduce));
  Expect(p, "e.own_farm_produce", kUndecided, Bit(ProfileField::kOwnFarmProduce));
  // Fields read but present add nothing.
  Expect(p, "e.employees > 1000 or e.own_farm_produce", kUndecided,
         Bit(ProfileField::kOwnFarmProduce));
}

TEST(ConditionEvaluate, BothOperandsReadBeforeARaise) {
  EnterpriseProfile p = Applicant();
  p.members.reset();
  p.years_operating.reset();
  // Lua evaluates both operands of + before it raises: both absent fields are noted.
  Expect(p, "e.members + e.years_operating > 1", kUndecided,
         Bit(ProfileField::kMembers) | Bit(ProfileField::kYearsOperating));
  // `and` stops at a false operand: the second field is not read.
  Expect(p, "e.members ~= nil and e.years_operating > 1", kUndecided, Bit(ProfileField::kMembers));
}

TEST(ConditionEvaluate, TrueResultPassesEvenAfterReadingAMissingField) {
  EnterpriseProfile p = Applicant();
  p.years_operating.reset();
  p.digital_readiness.reset();
  Expect(p, "e.years_operating == nil", kPass, Bit(ProfileField::kYearsOperating));
  Expect(p, "(e.years_operating or 0) >= 0", kPass, Bit(ProfileField::kYearsOperating));
  Expect(p, "(e.years_operating or 0) >= 1", kUndecided, Bit(ProfileField::kYearsOperating));
  Expect(p, "(e.digital_readiness or 0) <= 2", kPass, Bit(ProfileField::kDigitalReadiness));
  Expect(p, "e.legal_form ~= 'community_enterprise' or e.years_operating > 1", kUndecided,
         Bit(ProfileField::kYearsOperating));
  p.legal_form = LegalForm::kIndividual;
  Expect(p, "e.legal_form ~= 'community_enterprise' or e.years_operating > 1", kPass);
}

TEST(ConditionEvaluate, AndOrReturnOperands) {
  EnterpriseProfile p = Applicant();
  Expect(p, "(e.digital_readiness or 0) <= 2", kFail);  // 3
  p.digital_readiness = 2;
  Expect(p, "(e.digital_readiness or 0) <= 2", kPass);
  Expect(p, "(0 or 5) == 0", kPass);    // 0 is true in Lua
  Expect(p, "('' or 5) == ''", kPass);  // so is the empty text
  Expect(p, "(false or nil) == nil", kPass);
  Expect(p, "(nil or false) == false", kPass);
  Expect(p, "(1 and nil) == nil", kPass);
  Expect(p, "(1 and 'x') == 'x'", kPass);
  Expect(p, "(e.sector and 'known' or 'unknown') == 'known'", kPass);
  Expect(p, "e.members and e.members", kPass);  // 30: truthy
  Expect(p, "nil", kFail);
  Expect(p, "false or nil", kFail);
  Expect(p, "0", kPass);
  p.sector.reset();
  Expect(p, "(e.sector and 'known' or 'unknown') == 'unknown'", kPass, Bit(ProfileField::kSector));
}

TEST(ConditionEvaluate, ComparingNilRaises) {
  EnterpriseProfile p = Applicant();
  p.members.reset();
  Expect(p, "e.members > 5", kUndecided, Bit(ProfileField::kMembers));
  Expect(p, "not (e.members > 5)", kUndecided, Bit(ProfileField::kMembers));  // raises, not false
  Expect(p, "e.members > 5 or true", kUndecided, Bit(ProfileField::kMembers));
  // Without a missing field, a raise is the rule's error: Lua decides (and reports it).
  Expect(p, "nil > 5", kAskLua);
  Expect(p, "e.vat_registered < 1", kAskLua);
  Expect(p, "e.employees + true > 1", kAskLua);
  Expect(p, "-e.vat_registered == 1", kAskLua);
  // Equality never raises.
  Expect(p, "e.members == 5", kUndecided, Bit(ProfileField::kMembers));
  Expect(p, "e.members ~= 5", kPass, Bit(ProfileField::kMembers));
}

TEST(ConditionEvaluate, StringsWhereLuaWouldConvertOrCompareAskLua) {
  EnterpriseProfile p = Applicant();
  Expect(p, "e.province + 1 > 0", kAskLua);
  Expect(p, "'10' + 1 == 11", kAskLua);
  Expect(p, "-e.province == 1", kAskLua);
  Expect(p, "e.sector < 'z'", kAskLua);
  Expect(p, "c.as_of >= '2026-01-01'", kAskLua);
  Expect(p, "clamp(e.province, 'A', 'Z') == e.province", kAskLua);
  Expect(p, "participated(e, 'BSC', '2024', 2026)", kAskLua);
  // Equality of texts is exact and stays in C++.
  Expect(p, "e.province == 'TH-50' and c.as_of == '2026-03-01'", kPass);
  // A missing province makes the arithmetic raise on nil: needs information.
  p.province.reset();
  Expect(p, "e.province + 1 > 0", kUndecided, Bit(ProfileField::kProvince));
}

TEST(ConditionEvaluate, NeedsAbsent) {
  EnterpriseProfile p = Applicant();
  Expect(p, "e.needs.marketing == 4 and e.needs.digital == 1", kPass);
  Expect(p, "max_need(e) == 4 and total_need(e) == 12", kPass);
  Expect(p, "e.needs ~= nil", kPass);
  p.needs.reset();
  const uint64_t needs = Bit(ProfileField::kNeeds);
  Expect(p, "e.needs.digital >= 3", kUndecided, needs);
  // Indexing nil raises, whatever the comparison: never a pass.
  Expect(p, "e.needs.digital == nil", kUndecided, needs);
  Expect(p, "e.needs == nil", kPass, needs);
  Expect(p, "not e.needs", kPass, needs);
  Expect(p, "max_need(e) >= 3", kUndecided, needs);
  Expect(p, "total_need(e) == nil", kPass, needs);
  Expect(p, "e.needs and e.needs.digital >= 3", kUndecided, needs);
}

TEST(ConditionEvaluate, SmeSize) {
  EnterpriseProfile p = Applicant();
  Expect(p, "sme_size(e) == 'small'", kPass);
  Expect(p, "sme_size(e) ~= nil and sme_size(e) ~= 'large'", kPass);
  Expect(p, "one_of(sme_size(e), p.sizes)", kPass);
  p.annual_revenue_thb = 900'000'000;
  Expect(p, "sme_size(e) == 'large'", kPass);
  Expect(p, "one_of(sme_size(e), p.sizes)", kFail);
  p = Applicant();
  p.sector.reset();
  Expect(p, "sme_size(e) == 'small'", kUndecided, Bit(ProfileField::kSector));
  Expect(p, "sme_size(e) == nil", kPass, Bit(ProfileField::kSector));
  Expect(p, "one_of(sme_size(e), p.sizes)", kUndecided, Bit(ProfileField::kSector));
  p = Applicant();
  p.employees.reset();
  p.annual_revenue_thb.reset();
  Expect(p, "sme_size(e) ~= nil", kUndecided,
         Bit(ProfileField::kEmployees) | Bit(ProfileField::kAnnualRevenueThb));
  p.sector.reset();
  Expect(p, "sme_size(e) ~= nil", kUndecided,
         Bit(ProfileField::kSector) | Bit(ProfileField::kEmployees) |
             Bit(ProfileField::kAnnualRevenueThb));
  // One measure is enough.
  p = Applicant();
  p.annual_revenue_thb.reset();
  Expect(p, "sme_size(e) == 'small'", kPass);
}

TEST(ConditionEvaluate, ParticipatedAndManDaysUsed) {
  EnterpriseProfile p = Applicant();  // BSC 2024 (3), BSC 2026 (2 + 1), ITC 2025
  Expect(p, "participated(e, 'BSC', 2024, 2024)", kPass);
  Expect(p, "participated(e, 'BSC', 2025, 2025)", kFail);
  Expect(p, "participated(e, 'BSC', 2025, 2026)", kPass);
  Expect(p, "participated(e, 'BSC', nil, 2023)", kFail);
  Expect(p, "participated(e, 'BSC', 2027, nil)", kFail);
  Expect(p, "participated(e, 'BSC', nil, nil)", kPass);
  Expect(p, "participated(e, 'ITC', c.fiscal_year - 1, c.fiscal_year)", kPass);
  Expect(p, "participated(e, 'ITC', c.fiscal_year, c.fiscal_year)", kFail);
  Expect(p, "participated(e, 'STAR_SME', nil, nil)", kFail);
  Expect(p, "participated(e, p.program, 2024, 2024.0)", kPass);
  Expect(p, "participated(e, 'bsc', nil, nil)", kFail);  // program ids are exact
  Expect(p, "man_days_used(e, 'BSC', c.fiscal_year) == 3", kPass);  // summed
  Expect(p, "man_days_used(e, 'BSC', c.fiscal_year) < 3", kFail);
  Expect(p, "man_days_used(e, 'BSC', 2024) == 3 and man_days_used(e, 'BSC', 2025) == 0", kPass);
  Expect(p, "man_days_used(e, 'ITC', 2025) == 0", kPass);
  // A fiscal year that is not an integer raises in Lua (luaL_checkinteger).
  Expect(p, "participated(e, 'BSC', 2024.5, 2026)", kAskLua);
  Expect(p, "man_days_used(e, 'BSC', nil) == 0", kAskLua);
  // nil from an absent field is Lua's default for the optional years of participated, and an
  // error (with the field noted) for man_days_used's year.
  p.members.reset();
  Expect(p, "participated(e, 'BSC', e.members, 2024)", kPass, Bit(ProfileField::kMembers));
  Expect(p, "man_days_used(e, 'BSC', e.members) == 0", kUndecided, Bit(ProfileField::kMembers));
  p.participation.clear();
  Expect(p, "not participated(e, 'BSC', nil, nil) and man_days_used(e, 'BSC', 2026) == 0", kPass);
}

TEST(ConditionEvaluate, OneOf) {
  EnterpriseProfile p = Applicant();
  Expect(p, "one_of(e.industry, p.industries)", kPass);
  p.industry = Industry::kTextile;
  Expect(p, "one_of(e.industry, p.industries)", kFail);
  p.industry.reset();
  Expect(p, "one_of(e.industry, p.industries)", kUndecided, Bit(ProfileField::kIndustry));
  Expect(p, "one_of(nil, p.industries)", kFail);
  // A list of numbers: items compare as Lua table keys do (3.0 is 3; '3' is not).
  Expect(p, "one_of(e.otop_stars, p.counts)", kPass);  // 3
  Expect(p, "one_of(3.0, p.counts) and not one_of('3', p.counts)", kPass);
  p.otop_stars = 4;
  Expect(p, "one_of(e.otop_stars, p.counts)", kFail);
  Expect(p, "one_of(e.certifications, p.counts)", kFail);
  Expect(p, "one_of('food', p.industries) and not one_of('Food', p.industries)", kPass);
}

TEST(ConditionEvaluate, ProvinceFacts) {
  EnterpriseProfile p = Applicant();  // TH-50, Chiang Mai
  Expect(p, "province(e.province).upper_north == true", kPass);
  Expect(p, "province(e.province).upper_north", kPass);
  Expect(p, "province(e.province).name_en == 'Chiang Mai' and province(e.province).region == 'North'",
         kPass);
  Expect(p, "province(e.province).iso_code == e.province and province(e.province).diprom_center == '1'",
         kPass);
  Expect(p, "province(e.province).name_th == 'เชียงใหม่'", kPass);
  p.province = "TH-10";  // Bangkok
  Expect(p, "province(e.province).upper_north == true", kFail);
  Expect(p, "province(e.province).region_nesdb == 'Bangkok & vicinities'", kPass);
  p.province = "TH-99";  // no such province: every fact is nil
  Expect(p, "province(e.province).iso_code ~= nil", kFail);
  Expect(p, "province(e.province).upper_north == nil", kPass);
  p.province.reset();
  Expect(p, "province(e.province).upper_north == true", kUndecided, Bit(ProfileField::kProvince));
  Expect(p, "province(e.province).iso_code == nil", kPass, Bit(ProfileField::kProvince));
}

TEST(ConditionEvaluate, IdentifierKind) {
  EnterpriseProfile p = Applicant();
  Expect(p, "identifier_kind(e.identifier) == 'juristic_person'", kPass);
  p.identifier = "3100600445635";
  Expect(p, "identifier_kind(e.identifier) == 'national_id'", kPass);
  p.identifier = "0994000617721";
  Expect(p, "identifier_kind(e.identifier) == 'revenue_department'", kPass);
  p.identifier = "0105536112019";  // wrong check digit
  Expect(p, "identifier_kind(e.identifier) == nil", kPass);
  Expect(p, "identifier_kind(e.identifier) == 'juristic_person'", kFail);
  Expect(p, "identifier_kind(0105536112014) == nil", kPass);  // a number is not an identifier
  p.identifier.reset();
  Expect(p, "identifier_kind(e.identifier) == 'juristic_person'", kUndecided,
         Bit(ProfileField::kIdentifier));
  Expect(p, "e.legal_form ~= 'juristic_person' or identifier_kind(e.identifier) == 'juristic_person'",
         kPass);
  p.legal_form = LegalForm::kJuristicPerson;
  Expect(p, "e.legal_form ~= 'juristic_person' or identifier_kind(e.identifier) == 'juristic_person'",
         kUndecided, Bit(ProfileField::kIdentifier));
}

TEST(ConditionEvaluate, Clamp) {
  EnterpriseProfile p = Applicant();
  p.employees = 120;
  Expect(p, "clamp(e.employees, 5, 50) == 50", kPass);
  p.employees = 3;
  Expect(p, "clamp(e.employees, 5, 50) == 5", kPass);
  p.employees = 20;
  Expect(p, "clamp(e.employees, 5, 50) == 20", kPass);
  Expect(p, "clamp(e.employees, 5, 50) * 2 - 10 > e.members", kFail);  // 30 > 30
  Expect(p, "clamp(e.years_operating, 0, p.ratio) == 2.5", kPass);
  p.members.reset();
  Expect(p, "clamp(e.members, 1, 10) >= 1", kUndecided, Bit(ProfileField::kMembers));
  Expect(p, "clamp('a', 1, 2) == 1", kAskLua);
}

TEST(ConditionEvaluate, CertificationsContextAndParameters) {
  EnterpriseProfile p = Applicant();  // fda, gmp
  Expect(p, "e.certifications.fda and e.certifications.gmp", kPass);
  Expect(p, "e.certifications.halal", kFail);
  Expect(p, "e.certifications.halal == false", kPass);
  Expect(p, "certification_count(e) == 2", kPass);
  Expect(p, "e.certifications ~= nil", kPass);
  p.certifications = 0;
  Expect(p, "certification_count(e) == 0 and not e.certifications.fda", kPass);
  Expect(p, "c.fiscal_year == 2026 and c.fiscal_year_be == 2569 and c.as_of == '2026-03-01'", kPass);
  Expect(p, "p.pilot and p.ratio == 2.5 and p.program == 'BSC' and p.max_employees == 50", kPass);
}

// Evaluate is const and keeps no state: one Condition, many applicants, in any order.
TEST(ConditionEvaluate, NoStateBetweenApplicants) {
  Result<Condition> c = Condition::Compile("e.members >= 7 or e.years_operating > 100", Params());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EnterpriseProfile with = Applicant();
  EnterpriseProfile without = Applicant();
  without.members.reset();
  for (int round = 0; round < 3; ++round) {
    for (const EnterpriseProfile* p : {&with, &without, &with}) {
      ConditionApplicant a;
      a.Set(*p, Provinces(), SizeTieBreak::kRevenuePrevails);
      a.fiscal_year = 2026;
      uint64_t missing = 0;
      ConditionResult r = c->Evaluate(a, &missing);
      if (p == &with) {
        EXPECT_EQ(ResultName(r), "pass");
        EXPECT_EQ(missing, 0u);
      } else {
        // members nil: nil >= 7 raises after reading it.
        EXPECT_EQ(ResultName(r), "undecided");
        EXPECT_EQ(missing, Bit(ProfileField::kMembers));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Differential: fast path (C++ conditions) against explain path (Lua functions)

const PopulationGenerator& Population() {
  static const PopulationGenerator gen = [] {
    auto mix = ParsePopulationMix(ReadFile(SMEMATCH_SOURCE_DIR "/data/population_mix.json"));
    if (!mix.ok()) {
      ADD_FAILURE() << "population_mix.json: " << mix.status().ToString();
      std::abort();
    }
    return PopulationGenerator(*mix, 2562);
  }();
  return gen;
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Enterprise `i` of the differential population: even i as generated; odd i generated and then
// changed at random (fields dropped, odd values, extra participation) to reach the rarer paths.
void Enterprise(uint64_t i, EnterpriseProfile* p) {
  Population().Generate(i / 2, p);
  if (i % 2 == 0) return;
  const uint64_t h = SplitMix(i);
  auto bit = [h](int k) { return (h >> k) & 1u; };
  if (bit(0)) p->province.reset();
  if (bit(1)) p->sector.reset();
  if (bit(2)) p->needs.reset();
  if (bit(3)) p->legal_form.reset();
  if (bit(4)) p->identifier.reset();
  if (bit(5)) p->members.reset();
  if (bit(6)) p->years_operating.reset();
  if (bit(7)) p->own_farm_produce.reset();
  if (bit(8)) p->industry.reset();
  if (bit(9)) p->employees.reset();
  if (bit(10)) p->annual_revenue_thb.reset();
  if (bit(11)) p->digital_readiness.reset();
  if (bit(12) && bit(13)) p->province = "TH-99";
  if (bit(14) && bit(15)) p->identifier = "0105536112014";
  if (bit(16) && bit(17)) p->legal_form = LegalForm::kJuristicPerson;
  if (bit(18) && bit(19)) p->employees = 0;
  if (bit(20) && bit(21)) p->needs = std::array<int, kDimensionCount>{0, 0, 0, 0, 0};
  if (bit(22)) p->years_operating = static_cast<double>((h >> 40) % 8) + 0.5 * bit(23);
  if (bit(24)) p->participation.push_back({"BSC", 2026, static_cast<int>((h >> 48) % 4)});
  if (bit(25)) p->participation.push_back({"ITC", 2024 + static_cast<int>((h >> 52) % 3), 0});
  if (bit(26)) p->participation.push_back({"STAR_SME", 2026, 0});
  if (bit(27)) p->vat_registered.reset();
  if (bit(28)) p->gs1_barcode.reset();
  if (bit(29)) p->monthly_capacity_units.reset();
  if (bit(30)) p->shelf_life_days.reset();
  if (bit(31)) p->certifications = static_cast<uint32_t>((h >> 56) & 63u);
}

std::string Describe(const Decision& d) {
  std::ostringstream s;
  s << d.program->id << ": " << OutcomeName(d.outcome) << " failed=" << d.failed
    << " undecided=" << d.undecided << " missing=" << ::testing::PrintToString(FieldNames(d.missing_fields));
  if (d.score) s << " score=" << *d.score;
  if (!d.group.empty()) s << " group=" << d.group;
  if (d.outcome == Outcome::kError) s << " error=" << d.error.ToString();
  return s.str();
}

// Returns success if `a` and `b` decide alike: outcome, failed and undecided criteria, missing
// fields, score and group (errors: outcome only).
::testing::AssertionResult SameDecision(const Decision& a, const Decision& b) {
  bool same = a.program == b.program && a.outcome == b.outcome;
  if (same && a.outcome != Outcome::kError) {
    same = a.failed == b.failed && a.undecided == b.undecided &&
           a.missing_fields == b.missing_fields && a.score == b.score && a.group == b.group;
  }
  if (same) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n  " << Describe(a) << "\n  " << Describe(b);
}

struct Screeners {
  std::shared_ptr<const RuleSet> rules;
  std::unique_ptr<Screener> fast, explain;
};

Screeners Create(Result<std::shared_ptr<const RuleSet>> rules) {
  Screeners s;
  if (!rules.ok()) {
    ADD_FAILURE() << "rule set refused: " << rules.status().ToString();
    return s;
  }
  s.rules = *rules;
  auto fast = Screener::Create(s.rules);
  auto explain = Screener::Create(s.rules);
  if (!fast.ok() || !explain.ok()) {
    ADD_FAILURE() << "screener refused: " << (fast.ok() ? explain.status() : fast.status()).ToString();
    s.rules.reset();
    return s;
  }
  s.fast = std::move(*fast);
  s.explain = std::move(*explain);
  return s;
}

constexpr uint64_t kEnterprises = 4000;

TEST(ConditionDifferential, ShippedRulesFastPathDecidesAsExplainPath) {
  Screeners s = Create(RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules"));
  ASSERT_NE(s.rules, nullptr);
  // Every criterion of the shipped programs is a condition: the fast path is C++ here.
  int conditions = 0;
  for (const ProgramInfo& p : s.rules->programs()) {
    for (const CriterionInfo& c : p.criteria) {
      EXPECT_NE(c.compiled, nullptr) << p.id << "." << c.id;
      conditions += c.compiled != nullptr;
    }
  }
  EXPECT_GE(conditions, 19);
  for (const char* as_of : {"2026-03-01", "2026-11-21"}) {
    SCOPED_TRACE(as_of);
    ScreenOptions fast_options, explain_options;
    fast_options.as_of = explain_options.as_of = D(as_of);
    fast_options.explain = false;
    explain_options.explain = true;
    EnterpriseProfile p;
    std::vector<Decision> fast, explained;
    int mismatches = 0;
    std::array<int, 4> outcomes{};
    uint64_t undecided_fields = 0;
    for (uint64_t i = 0; i < kEnterprises && mismatches < 10; ++i) {
      Enterprise(i, &p);
      ASSERT_TRUE(s.fast->Screen(p, fast_options, &fast).ok());
      ASSERT_TRUE(s.explain->Screen(p, explain_options, &explained).ok());
      ASSERT_EQ(fast.size(), explained.size());
      ASSERT_EQ(fast.size(), 4u);
      for (size_t j = 0; j < fast.size(); ++j) {
        ::testing::AssertionResult same = SameDecision(fast[j], explained[j]);
        if (!same) {
          ++mismatches;
          ADD_FAILURE() << p.id << " (enterprise " << i << ") fast vs explain:" << same.message();
        }
        ++outcomes[static_cast<size_t>(fast[j].outcome)];
        undecided_fields |= fast[j].missing_fields;
        // The explain path did explain (its decisions come from the Lua functions), the fast
        // path did not.
        EXPECT_EQ(explained[j].criteria.size(), explained[j].program->criteria.size());
        EXPECT_TRUE(fast[j].criteria.empty());
        EXPECT_NE(fast[j].outcome, Outcome::kError) << Describe(fast[j]);
      }
    }
    // The population reaches every outcome but error, and many kinds of missing data.
    EXPECT_GT(outcomes[static_cast<size_t>(Outcome::kEligible)], 100);
    EXPECT_GT(outcomes[static_cast<size_t>(Outcome::kIneligible)], 100);
    EXPECT_GT(outcomes[static_cast<size_t>(Outcome::kNeedsInformation)], 100);
    EXPECT_GE(std::popcount(undecided_fields), 6) << ::testing::PrintToString(FieldNames(undecided_fields));
  }
}

// Conditions over every feature of the subset; each becomes the one criterion of a program.
const std::vector<std::string>& TwoWayConditions() {
  static const std::vector<std::string> conditions = {
      "e.years_operating >= p.min_years",
      "(e.digital_readiness or 0) <= 2",
      "e.employees <= p.max_employees and e.annual_revenue_thb < 50000000",
      "e.legal_form ~= 'community_enterprise' or e.members >= 7",
      "sme_size(e) ~= nil and sme_size(e) ~= 'large'",
      "one_of(sme_size(e), p.sizes)",
      "one_of(e.industry, p.industries)",
      "one_of(e.legal_form, p.forms)",
      "province(e.province).upper_north == true",
      "province(e.province).region == 'North' or province(e.province).diprom_center == '1'",
      "province(e.province).iso_code ~= nil",
      "not p.pilot or province(e.province).upper_north == true",
      "identifier_kind(e.identifier) == 'juristic_person'",
      "e.legal_form ~= nil and (e.legal_form ~= 'juristic_person' or "
      "identifier_kind(e.identifier) == 'juristic_person')",
      "not participated(e, 'ITC', c.fiscal_year - 2, c.fiscal_year)",
      "participated(e, 'BSC', nil, nil) or participated(e, p.program, 2020, nil)",
      "not participated(e, 'STAR_SME', c.fiscal_year, c.fiscal_year)",
      "man_days_used(e, 'BSC', c.fiscal_year) < 3",
      "man_days_used(e, p.program, c.fiscal_year) + 1 <= p.ratio",
      "max_need(e) >= 3",
      "total_need(e) / 5 > 1.5",
      "e.needs.digital >= 3 or e.needs.marketing == 5",
      "e.needs == nil or e.needs.entrepreneurship < 2",
      "e.certifications.fda and e.certifications.gmp or certification_count(e) >= 2",
      "clamp(e.employees, 5, 50) * 2 - 10 > e.members",
      "clamp(e.digital_readiness, 1, 4) == e.digital_readiness",
      "e.own_farm_produce == true",
      "not e.vat_registered",
      "e.vat_registered == false",
      "e.gs1_barcode or e.monthly_capacity_units > 1000",
      "e.shelf_life_days / 30 >= 6",
      "-e.years_operating < -3",
      "e.otop_stars >= 3 or e.sector == 'trade_services'",
      "e.annual_revenue_thb / e.employees > 500000",
      "e.province == 'TH-50' or e.province == 'TH-10'",
      "e.members == nil or e.members > 10",
      "(e.employees or e.members or 0) > 20",
      "(e.sector and 'known' or 'unknown') == 'known'",
      "e.name ~= '' and e.id ~= nil and e.identifier ~= nil",
      "c.fiscal_year_be == 2569 and c.as_of ~= '2026-01-01' and e.vat_registered",
      "e.years_operating > 1 and p.pilot",
      // C++ asks Lua: an ordered comparison of texts, or arithmetic on a text.
      "c.as_of > '2026-01-01' and e.years_operating > 1",
      "e.sector < 'p'",
      "'10' + e.employees > 20",
      // A rule error for anyone with a province (a text plus a number), needs information
      // without one.
      "e.province + 1 > 0",
      // Raises without missing data for some applicants (nil compared) only through fields.
      "e.members > 5 or e.employees > 5",
  };
  return conditions;
}

// Program `C<i>` whose one criterion tests `condition`, as a condition or as a Lua function;
// odd programs declare a score (so an eligible applicant goes on to Lua on the fast path).
std::string TwoWayProgram(size_t i, const std::string& condition, bool as_function) {
  char id_text[24];
  std::snprintf(id_text, sizeof id_text, "C%02zu", i);  // decisions come in program id order
  const std::string id = id_text;
  const std::string test =
      as_function ? "function(e, p, c) return " + condition + " end" : "\"" + condition + "\"";
  std::string s =
      "program { id = \"" + id + "\", version = \"1\", effective_from = \"2025-10-01\", "
      "name = { th = \"โครงการ " + id + "\", en = \"program " + id + "\" } }\n"
      "parameter \"min_years\" { value = 3, th = \"ปี\", en = \"years\" }\n"
      "parameter \"max_employees\" { value = 50, th = \"คน\", en = \"persons\" }\n"
      "parameter \"ratio\" { value = 2.5, th = \"อัตรา\", en = \"ratio\" }\n"
      "parameter \"sizes\" { value = { \"micro\", \"small\" }, th = \"ขนาด\", en = \"sizes\" }\n"
      "parameter \"industries\" { value = { \"food\", \"coffee_tea\", \"herbs\" }, th = \"อุตสาหกรรม\", "
      "en = \"industries\" }\n"
      "parameter \"forms\" { value = { \"community_enterprise\", \"farmer_group\" }, th = \"รูปแบบ\", "
      "en = \"forms\" }\n"
      "parameter \"pilot\" { value = true, th = \"นำร่อง\", en = \"pilot\" }\n"
      "parameter \"program\" { value = \"BSC\", th = \"โครงการ\", en = \"program\" }\n"
      "criterion \"t\" { th = \"เกณฑ์\", en = \"criterion\", fail = { th = \"ไม่ผ่าน\", en = \"failed\" }, "
      "test = " + test + " }\n";
  if (i % 2 == 1) s += "score(function(e, p, c) return 40 + (e.otop_stars or 0) end)\n";
  return s;
}

Result<std::shared_ptr<const RuleSet>> TwoWayRules(bool as_function) {
  std::vector<RuleSet::File> files;
  const std::vector<std::string>& conditions = TwoWayConditions();
  for (size_t i = 0; i < conditions.size(); ++i) {
    char path[64];
    std::snprintf(path, sizeof path, "rules/programs/c%02zu.lua", i);
    files.push_back({path, TwoWayProgram(i, conditions[i], as_function)});
  }
  files.push_back({"rules/data/provinces.csv", ProvincesCsv()});
  return RuleSet::FromFiles(std::move(files));
}

TEST(ConditionDifferential, RuleSetWrittenBothWaysDecidesAlike) {
  Screeners conditions = Create(TwoWayRules(false));
  Screeners functions = Create(TwoWayRules(true));
  ASSERT_NE(conditions.rules, nullptr);
  ASSERT_NE(functions.rules, nullptr);
  const size_t n = TwoWayConditions().size();
  ASSERT_EQ(conditions.rules->programs().size(), n);
  for (size_t j = 0; j < n; ++j) {
    EXPECT_NE(conditions.rules->programs()[j].criteria.at(0).compiled, nullptr) << j;
    EXPECT_EQ(functions.rules->programs()[j].criteria.at(0).compiled, nullptr) << j;
  }
  ScreenOptions fast_options, explain_options;
  fast_options.as_of = explain_options.as_of = D("2026-03-01");
  fast_options.explain = false;
  explain_options.explain = true;
  EnterpriseProfile p;
  std::vector<Decision> by_condition, by_function, explained;
  // Per program: outcomes seen on the fast path of the conditions.
  std::vector<std::array<int, 4>> outcomes(n);
  std::vector<int> mismatches(n);
  for (uint64_t i = 0; i < kEnterprises; ++i) {
    Enterprise(i, &p);
    ASSERT_TRUE(conditions.fast->Screen(p, fast_options, &by_condition).ok());
    ASSERT_TRUE(functions.fast->Screen(p, fast_options, &by_function).ok());
    ASSERT_TRUE(conditions.explain->Screen(p, explain_options, &explained).ok());
    ASSERT_EQ(by_condition.size(), n);
    ASSERT_EQ(by_function.size(), n);
    ASSERT_EQ(explained.size(), n);
    for (size_t j = 0; j < n; ++j) {
      char id[24];
      std::snprintf(id, sizeof id, "C%02zu", j);
      ASSERT_EQ(by_condition[j].program->id, id);
      ++outcomes[j][static_cast<size_t>(by_condition[j].outcome)];
      const std::string& text = TwoWayConditions()[j];
      // Compare by program id: the two rule sets are distinct objects.
      Decision f = by_function[j];
      f.program = by_condition[j].program;
      Decision x = explained[j];
      x.program = by_condition[j].program;
      ::testing::AssertionResult same = SameDecision(by_condition[j], f);
      if (!same && ++mismatches[j] <= 3) {
        ADD_FAILURE() << "\"" << text << "\" for " << p.id << " (enterprise " << i
                      << "): condition vs function, fast path:" << same.message();
      }
      same = SameDecision(by_condition[j], x);
      if (!same && ++mismatches[j] <= 3) {
        ADD_FAILURE() << "\"" << text << "\" for " << p.id << " (enterprise " << i
                      << "): condition, fast vs explain:" << same.message();
      }
      if (by_condition[j].outcome == Outcome::kError) {
        EXPECT_TRUE(Contains(by_condition[j].error.message(), "rules/programs/c"))
            << by_condition[j].error.ToString();
      }
    }
  }
  // Each condition is exercised: it passes for some and fails or needs information for others
  // (the ones that are rule errors for most applicants aside).
  for (size_t j = 0; j < n; ++j) {
    const std::string& text = TwoWayConditions()[j];
    SCOPED_TRACE(text);
    EXPECT_EQ(mismatches[j], 0);
    const auto& o = outcomes[j];
    if (text == "e.province + 1 > 0") {
      EXPECT_GT(o[static_cast<size_t>(Outcome::kError)], 100);
      EXPECT_GT(o[static_cast<size_t>(Outcome::kNeedsInformation)], 100);
      continue;
    }
    EXPECT_GT(o[static_cast<size_t>(Outcome::kEligible)], 0);
    EXPECT_GT(o[static_cast<size_t>(Outcome::kIneligible)] +
                  o[static_cast<size_t>(Outcome::kNeedsInformation)],
              0);
  }
}

// Conditions where Lua's integers and floats matter: Lua wraps integer overflow (the C++
// evaluator leaves that to Lua) and accepts fiscal years up to 2^63 in participated.
TEST(ConditionDifferential, IntegerEdgeCasesDecideAsLua) {
  EnterpriseProfile p = Applicant();
  p.employees = 2;  // Lua: 2 * 9e18 wraps to -446744073709551616
  p.years_operating.reset();
  for (const char* text : {
           "e.employees * 9000000000000000000 > 0",
           "9223372036854775807 + 1 < 0",
           "not participated(e, 'BSC', 10000000000000000, e.years_operating)",
       }) {
    SCOPED_TRACE(text);
    std::vector<RuleSet::File> cond = {{"rules/programs/c.lua", TwoWayProgram(0, text, false)},
                                       {"rules/data/provinces.csv", ProvincesCsv()}};
    std::vector<RuleSet::File> func = {{"rules/programs/c.lua", TwoWayProgram(0, text, true)},
                                       {"rules/data/provinces.csv", ProvincesCsv()}};
    Screeners a = Create(RuleSet::FromFiles(cond));
    Screeners b = Create(RuleSet::FromFiles(func));
    ASSERT_NE(a.rules, nullptr);
    ASSERT_NE(b.rules, nullptr);
    ScreenOptions o;
    o.as_of = D("2026-03-01");
    o.explain = false;
    std::vector<Decision> da, db;
    ASSERT_TRUE(a.fast->Screen(p, o, &da).ok());
    ASSERT_TRUE(b.fast->Screen(p, o, &db).ok());
    db[0].program = da[0].program;
    EXPECT_TRUE(SameDecision(da[0], db[0]));
  }
}

// A script may assign a helper's global (`function one_of() ... end`); the condition's Lua
// function must still call the engine's helper, as C++ does: either the rule set is refused
// or both paths decide alike.
TEST(ConditionDifferential, ScriptRedefiningAHelperDecidesAlikeOrIsRefused) {
  std::string script = TwoWayProgram(0, "one_of(e.industry, p.industries)", false);
  script = "function one_of(v, list) return true end\n" + script;
  auto rules = RuleSet::FromFiles({{"rules/programs/c.lua", script},
                                   {"rules/data/provinces.csv", ProvincesCsv()}});
  if (!rules.ok()) {
    EXPECT_TRUE(Contains(rules.status().message(), "one_of")) << rules.status().ToString();
    return;
  }
  Screeners s = Create(std::move(rules));
  ASSERT_NE(s.rules, nullptr);
  EnterpriseProfile p = Applicant();
  p.industry = Industry::kTextile;  // not in the list
  ScreenOptions fast, explain;
  fast.as_of = explain.as_of = D("2026-03-01");
  fast.explain = false;
  std::vector<Decision> a, b;
  ASSERT_TRUE(s.fast->Screen(p, fast, &a).ok());
  ASSERT_TRUE(s.explain->Screen(p, explain, &b).ok());
  EXPECT_TRUE(SameDecision(a[0], b[0]));
}

// ---------------------------------------------------------------------------------------------
// Loading rule sets with conditions

constexpr char kX[] = "rules/programs/x.lua";

// Program X: line 1 program, line 2 parameter, line 3 the criterion testing `test` (as written,
// quotes included).
std::string ProgramX(const std::string& test, const std::string& id = "X") {
  return "program { id = \"" + id + "\", version = \"1\", effective_from = \"2025-10-01\", "
         "name = { th = \"ทดสอบ\", en = \"test\" } }\n"
         "parameter \"min_years\" { value = 3, th = \"ปี\", en = \"years\" }\n"
         "criterion \"old_enough\" { th = \"อายุกิจการ\", en = \"years operating\", "
         "fail = { th = \"ไม่ผ่าน\", en = \"failed\" }, test = " + test + " }\n";
}

Result<std::shared_ptr<const RuleSet>> LoadX(const std::string& test,
                                             std::vector<RuleSet::File> more = {}) {
  more.push_back({kX, ProgramX(test)});
  more.push_back({"rules/data/provinces.csv", ProvincesCsv()});
  return RuleSet::FromFiles(std::move(more));
}

TEST(ConditionLoad, CompilesConditionsAndKeepsTheirText) {
  auto rules = LoadX("\"e.years_operating >= p.min_years\"");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  const CriterionInfo& c = (*rules)->programs().at(0).criteria.at(0);
  EXPECT_EQ(c.condition, "e.years_operating >= p.min_years");
  ASSERT_NE(c.compiled, nullptr);
  EXPECT_EQ(c.compiled->text(), c.condition);
  EXPECT_EQ(c.line, 3);
  // A function test has neither.
  rules = LoadX("function(e, p) return e.years_operating >= p.min_years end");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_TRUE((*rules)->programs().at(0).criteria.at(0).condition.empty());
  EXPECT_EQ((*rules)->programs().at(0).criteria.at(0).compiled, nullptr);
}

TEST(ConditionLoad, LuaSyntaxErrorIsRefusedAtTheCriterionLine) {
  auto rules = LoadX("\"e.years_operating >=\"");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument) << rules.status().ToString();
  EXPECT_TRUE(Contains(rules.status().message(), "rules/programs/x.lua:3: criterion 'old_enough': condition"));
  rules = LoadX("\"e.years_operating >= (p.min_years\"");
  ASSERT_FALSE(rules.ok());
  EXPECT_TRUE(Contains(rules.status().message(), "rules/programs/x.lua:3: criterion 'old_enough': condition"));
}

TEST(ConditionLoad, UnknownFieldIsRefusedWithTheCompileMessage) {
  auto rules = LoadX("\"e.years_operatng >= p.min_years\"");
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument) << rules.status().ToString();
  EXPECT_TRUE(Contains(rules.status().message(),
                       "rules/programs/x.lua:3: criterion 'old_enough': condition, column "));
  EXPECT_TRUE(Contains(rules.status().message(), "unknown profile field 'e.years_operatng'"));
}

TEST(ConditionLoad, EveryBadConditionIsReported) {
  auto rules = LoadX("\"e.years_operatng >= p.min_years\"",
                     {{"rules/programs/y.lua",
                       "program { id = \"Y\", version = \"1\", effective_from = \"2025-10-01\", "
                       "name = { th = \"ย\", en = \"y\" } }\n"
                       "criterion \"a\" { th = \"ก\", en = \"a\", fail = { th = \"ข\", en = \"b\" }, "
                       "test = \"#e.name > 1\" }\n"}});
  ASSERT_FALSE(rules.ok());
  EXPECT_TRUE(Contains(rules.status().message(), "rules/programs/x.lua:3: criterion 'old_enough'"));
  EXPECT_TRUE(Contains(rules.status().message(),
                       "rules/programs/y.lua:2: criterion 'a': condition, column 1: '#' is not supported"));
}

TEST(ConditionLoad, HostileConditionIsRefused) {
  for (const char* test : {"\"(function() while true do end end)()\"",
                           "\"(function() local s = 'x' for i = 1, 1e9 do s = s .. s end end)()\"",
                           "\"load('while true do end')()\""}) {
    SCOPED_TRACE(test);
    auto rules = LoadX(test);
    ASSERT_FALSE(rules.ok());
    EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument) << rules.status().ToString();
    EXPECT_TRUE(Contains(rules.status().message(), "rules/programs/x.lua:3: criterion 'old_enough'"));
  }
}

// A long chain (a + a + … 100,000 times) is one level deep for Lua's parser but 100,000 for
// an evaluator that recurses: refused before anything runs, not a stack overflow.
TEST(ConditionCompile, DeepChainsAndNestingAreRefused) {
  std::string chain = "e.employees";
  for (int i = 0; i < 100000; ++i) chain += " + e.employees";
  EXPECT_TRUE(Contains(CompileError(chain + " > 0"), "more than 200 operators deep"));
  std::string nested = std::string(300, '(') + "e.employees" + std::string(300, ')') + " > 0";
  EXPECT_TRUE(Contains(CompileError(nested), "more than 200 operators deep"));
  std::string nots;
  for (int i = 0; i < 300; ++i) nots += "not ";
  EXPECT_TRUE(Contains(CompileError(nots + "true"), "more than 200 operators deep"));
  std::string parens = std::string(100000, '(') + "true" + std::string(100000, ')');
  EXPECT_TRUE(Contains(CompileError(parens), "more than 200 operators deep"));
  // 150 terms are fine.
  std::string fine = "e.employees";
  for (int i = 0; i < 150; ++i) fine += " + 1";
  EXPECT_TRUE(Condition::Compile(fine + " > 0", {}).ok());
}

TEST(ConditionLoad, ConditionLeftToLuaIsARuleErrorOfItsProgramOnly) {
  std::vector<RuleSet::File> files = {
      {"rules/programs/y.lua",
       "program { id = \"Y\", version = \"1\", effective_from = \"2025-10-01\", "
       "name = { th = \"ย\", en = \"y\" } }\n"
       "criterion \"a\" { th = \"ก\", en = \"a\", fail = { th = \"ข\", en = \"b\" }, "
       "test = \"e.years_operating >= 3\" }\n"},
      {"rules/programs/z.lua",
       "program { id = \"Z\", version = \"1\", effective_from = \"2025-10-01\", "
       "name = { th = \"ซ\", en = \"z\" } }\n"
       "criterion \"a\" { th = \"ก\", en = \"a\", fail = { th = \"ข\", en = \"b\" }, "
       "test = \"e.employees <= 10\" }\n"}};
  Screeners s = Create(LoadX("\"e.province + 1 > 0\"", files));
  ASSERT_NE(s.rules, nullptr);
  // The condition compiles: only evaluating it shows that C++ leaves it to Lua.
  const Condition* c = s.rules->programs().at(0).criteria.at(0).compiled.get();
  ASSERT_NE(c, nullptr);
  EnterpriseProfile p = Applicant();  // TH-50, 9 years, 42 employees
  ConditionApplicant a;
  a.Set(p, s.rules->provinces(), s.rules->size_tie_break());
  a.fiscal_year = 2026;
  uint64_t missing = 0;
  EXPECT_EQ(ResultName(c->Evaluate(a, &missing)), "ask_lua");
  for (bool explain : {false, true}) {
    SCOPED_TRACE(explain ? "explain" : "fast");
    ScreenOptions o;
    o.as_of = D("2026-03-01");
    o.explain = explain;
    std::vector<Decision> d;
    ASSERT_TRUE((explain ? s.explain : s.fast)->Screen(p, o, &d).ok());
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].program->id, "X");
    EXPECT_EQ(d[0].outcome, Outcome::kError) << Describe(d[0]);
    EXPECT_TRUE(Contains(d[0].error.message(), "rules/programs/x.lua:3:")) << d[0].error.ToString();
    // Lua 5.4's message for a text that is not a number in arithmetic.
    EXPECT_TRUE(Contains(d[0].error.message(), "attempt to add a 'string' with a 'number'"))
        << d[0].error.ToString();
    EXPECT_EQ(d[1].program->id, "Y");
    EXPECT_EQ(d[1].outcome, Outcome::kEligible) << Describe(d[1]);
    EXPECT_EQ(d[2].program->id, "Z");
    EXPECT_EQ(d[2].outcome, Outcome::kIneligible) << Describe(d[2]);
    EXPECT_EQ(d[2].failed, 1u);
  }
  // Without a province the same condition needs information, on both paths.
  p.province.reset();
  for (bool explain : {false, true}) {
    ScreenOptions o;
    o.as_of = D("2026-03-01");
    o.explain = explain;
    std::vector<Decision> d;
    ASSERT_TRUE((explain ? s.explain : s.fast)->Screen(p, o, &d).ok());
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].outcome, Outcome::kNeedsInformation) << Describe(d[0]);
    EXPECT_EQ(d[0].missing_fields, Bit(ProfileField::kProvince));
    EXPECT_EQ(d[1].outcome, Outcome::kEligible);
  }
}

}  // namespace
}  // namespace smematch
