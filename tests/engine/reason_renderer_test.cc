// Tests of the reason texts of the explain path (engine/src/lua/reason_renderer.cc renders them
// in C++): every kind of value and format shows exactly as the prelude's show() shows it, in
// both languages, including the values C++ hands back to show() (metatables, floats under a
// label set) and the needs-information text.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "smematch/profile.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"

namespace smematch {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A program whose one criterion passes with the values below and whose pass texts are
// `th` and `en`.
std::string Script(const std::string& th, const std::string& en) {
  return R"(program { id = "R", version = "1", effective_from = "2025-10-01",
  name = { th = "ทดสอบ", en = "test" } }
parameter "limit" { value = 1234567.891, th = "x", en = "x" }
parameter "forms" { value = { "community_enterprise", "individual" }, th = "x", en = "x" }
parameter "flag" { value = true, th = "x", en = "x" }
criterion "shown" {
  th = "แสดง", en = "shown",
  test = function(e, p) return true end,
  values = function(e, p, c)
    local list = setmetatable({}, { __index = function(_, i) if i <= 2 then return "L" .. i end end,
                                    __len = function() return 2 end })
    return {
      i = 42, f = 42 / 7, third = 1 / 3, tie = 0.125, tie2 = 0.375, neg = -4000.5, small = -0.004,
      big = 1234567, m = 620000000, m2 = 1800000, pct = 12.345, yes = true, no = false,
      list = { "food", "zzz", 7, 1.5 }, nested = { { 1, 2 }, { 3 } }, mi = math.mininteger,
      flt = 12.0, size = "small", meta = list, e15 = 1e15 + 0.3, inf = 1 / 0,
    }
  end,
  pass = { th = ")" + th + R"(", en = ")" + en + R"(" },
  fail = { th = "x", en = "x" },
}
criterion "lacks" {
  th = "ขาด", en = "lacks",
  test = function(e) return e.members > 1 and e.shelf_life_days > 1 end,
  fail = { th = "x", en = "x" },
}
)";
}

Decision ScreenOne(const std::string& th, const std::string& en) {
  std::vector<RuleSet::File> files = {
      {"rules/programs/r.lua", Script(th, en)},
      {"rules/data/provinces.csv", ReadFile(SMEMATCH_SOURCE_DIR "/rules/data/provinces.csv")},
  };
  auto rules = RuleSet::FromFiles(std::move(files));
  EXPECT_TRUE(rules.ok()) << rules.status().ToString();
  if (!rules.ok()) return {};
  auto screener = Screener::Create(*rules);
  EXPECT_TRUE(screener.ok()) << screener.status().ToString();
  if (!screener.ok()) return {};
  EnterpriseProfile p;
  p.id = "T-1";
  p.legal_form = LegalForm::kCommunityEnterprise;
  p.sector = SmeSector::kManufacturing;
  p.industry = Industry::kCoffeeTea;
  p.province = "TH-50";
  p.employees = 12;
  p.annual_revenue_thb = 2'750'000.5;
  ScreenOptions options;
  options.as_of = *Date::Parse("2026-03-01");
  options.explain = true;
  std::vector<Decision> d;
  EXPECT_TRUE((*screener)->Screen(p, options, &d).ok());
  EXPECT_EQ(d.size(), 1u);
  if (d.size() != 1) return {};
  EXPECT_EQ(d[0].criteria.size(), 2u);
  return d[0];
}

TEST(ReasonRendererTest, NumbersShowAsTheFormatsSay) {
  Decision d = ScreenOne(
      "{v.i} {v.i|thb} {v.i|mthb} {v.i|num} {v.i|pct} {v.f} {v.third} {v.third|pct} "
      "{v.tie|num} {v.tie2|num} {v.neg|thb} {v.neg|int} {v.neg} {v.small} {v.big|thb} "
      "{v.m|mthb} {v.m2|mthb} {v.pct|pct} {v.mi} {v.mi|int} {v.e15} {v.e15|thb} {v.inf}",
      "{v.i|int}");
  ASSERT_EQ(d.criteria.size(), 2u);
  EXPECT_EQ(d.criteria[0].reason.th,
            "42 42 0 42 42% 6 0.33 0.3% 0.12 0.38 -4,000 -4,001 -4000.5 -0 1,234,567 620 1.8 "
            "12.3% -9223372036854775808 -9,223,372,036,854,775,808 1000000000000000.25 "
            "1,000,000,000,000,000 inf");
  EXPECT_EQ(d.criteria[0].reason.en, "42");
}

TEST(ReasonRendererTest, LabelsListsBooleansAndUnknownsInBothLanguages) {
  const std::string tpl =
      "{v.size|size}; {v.list|industry}; {v.nested}; {v.yes} {v.no} {v.missing}; {v.flt|size}; "
      "{v.meta}; {p.forms|legal_form}; {p.limit} {p.limit|thb} {p.flag}; {e.legal_form|legal_form} "
      "{e.employees} {e.annual_revenue_thb} {e.annual_revenue_thb|thb} {e.members} {e.id} "
      "{e.certifications} {c.fiscal_year_be} {c.as_of} { x|y z} {{v.i}} }{";
  Decision d = ScreenOne(tpl, tpl);
  ASSERT_EQ(d.criteria.size(), 2u);
  EXPECT_EQ(d.criteria[0].reason.th,
            "วิสาหกิจขนาดย่อม; อาหาร zzz 7 1.5; 1 2 3; ใช่ ไม่ใช่ ไม่ทราบ; 12.0; L1 L2; "
            "วิสาหกิจชุมชน บุคคลธรรมดา; 1234567.89 1,234,568 ใช่; วิสาหกิจชุมชน 12 2750000.5 "
            "2,750,001 ไม่ทราบ T-1 ไม่ทราบ 2569 2026-03-01 { x|y z} {42} }{");
  EXPECT_EQ(d.criteria[0].reason.en,
            "small enterprise; food, zzz, 7, 1.5; 1, 2, 3; yes no unknown; 12.0; L1, L2; "
            "community enterprise, individual; 1234567.89 1,234,568 yes; community enterprise 12 "
            "2750000.5 2,750,001 unknown T-1 unknown 2569 2026-03-01 { x|y z} {42} }{");
}

TEST(ReasonRendererTest, NeedsInformationListsTheMissingFields) {
  Decision d = ScreenOne("x", "x");
  ASSERT_EQ(d.criteria.size(), 2u);
  EXPECT_EQ(d.criteria[1].outcome, CriterionOutcome::kNeedsInformation);
  EXPECT_EQ(d.criteria[1].reason.en, "needs information: members");
}

}  // namespace
}  // namespace smematch
