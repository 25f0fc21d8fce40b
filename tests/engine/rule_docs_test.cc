#include "smematch/rule_docs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "smematch/rule_check.h"
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

std::shared_ptr<const RuleSet> Load(const std::string& rel) {
  Result<std::shared_ptr<const RuleSet>> r = RuleSet::Load((SourceDir() / rel).string());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

const DocFile* Find(const std::vector<DocFile>& files, const std::string& name) {
  auto it =
      std::find_if(files.begin(), files.end(), [&](const DocFile& f) { return f.name == name; });
  return it == files.end() ? nullptr : &*it;
}

void ExpectContains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "missing: " << part;
}

TEST(RuleDocs, OnePagePerProgramInBothFormatsAndAnIndex) {
  std::shared_ptr<const RuleSet> rules = Load("rules");
  ASSERT_NE(rules, nullptr);
  std::vector<DocFile> files = RenderRuleDocs(*rules);
  std::vector<std::string> names;
  for (const DocFile& f : files) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"bsc.html", "bsc.md", "index.html", "index.md",
                                             "itc.html", "itc.md", "smart_farmer.html",
                                             "smart_farmer.md", "star_sme.html", "star_sme.md"}));
  RuleDocsOptions md_only;
  md_only.html = false;
  for (const DocFile& f : RenderRuleDocs(*rules, md_only))
    EXPECT_TRUE(f.name.ends_with(".md")) << f.name;
}

TEST(RuleDocs, ProgramPageHasCriteriaParametersDatesSourcesAndAssumedMarkers) {
  std::shared_ptr<const RuleSet> rules = Load("rules");
  ASSERT_NE(rules, nullptr);
  std::string md = ProgramDocMarkdown(*rules, "BSC");
  ExpectContains(md, "# BSC — โครงการเพิ่มขีดความสามารถในการดำเนินธุรกิจด้วยบริการปรึกษาแนะนำเบื้องต้น (BSC)");
  ExpectContains(md, "Business Service Center: initial business consulting (BSC)");
  ExpectContains(md, rules->hash());
  // Versions with the effective date and its Thai fiscal year.
  ExpectContains(
      md, "| `2026.1` | 2025-10-01 (ปีงบประมาณ พ.ศ. 2569 · FY 2026) | ไม่กำหนด · open-ended |");
  // Every criterion, in both languages, with its source, assumed marker and script line.
  for (const ProgramInfo& p : rules->programs()) {
    if (p.id != "BSC") continue;
    for (const CriterionInfo& c : p.criteria) {
      ExpectContains(md, "`" + c.id + "`");
      ExpectContains(md, c.title.th);
      ExpectContains(md, c.title.en);
      ExpectContains(md, "`bsc.lua:" + std::to_string(c.line) + "`");
    }
  }
  ExpectContains(md, "| `registered_identifier` |");
  // A criterion written as a condition shows it.
  ExpectContains(md, "`man_days_used(e, 'BSC', c.fiscal_year) < p.man_days_per_year`");
  ExpectContains(md, "⚠ สมมติฐาน · assumed");
  // Parameters with their value and unit; reasons show parameter values, not placeholders.
  ExpectContains(md, "| `man_days_per_year` | 3 | วันทำการ · man-days |");
  ExpectContains(md, "all 3 man-days of fiscal year ‹year› are used");
  EXPECT_EQ(md.find("{p."), std::string::npos) << "parameter placeholders are filled in";
  ExpectContains(md, "seed 003");
  // The ITC page shows list parameters with their labels.
  std::string itc = ProgramDocMarkdown(*rules, "ITC");
  ExpectContains(itc, "`coffee_tea` กาแฟและชา · coffee and tea");
  // STAR_SME has groups; amounts are grouped by thousands.
  std::string star = ProgramDocMarkdown(*rules, "STAR_SME");
  ExpectContains(star, "กลุ่มสตาร์");
  ExpectContains(star, "10,000,000");
  EXPECT_EQ(ProgramDocMarkdown(*rules, "NOPE"), "");
}

TEST(RuleDocs, HtmlIsSelfContained) {
  std::shared_ptr<const RuleSet> rules = Load("rules");
  ASSERT_NE(rules, nullptr);
  for (const DocFile& f : RenderRuleDocs(*rules)) {
    if (!f.name.ends_with(".html")) continue;
    SCOPED_TRACE(f.name);
    EXPECT_EQ(f.text.find("<!DOCTYPE html>"), 0u);
    ExpectContains(f.text, "<meta charset=\"utf-8\">");
    ExpectContains(f.text, "<style>");
    EXPECT_EQ(f.text.find("<script"), std::string::npos);
    EXPECT_EQ(f.text.find("<link"), std::string::npos);
    EXPECT_EQ(f.text.find("http://"), std::string::npos);
    EXPECT_EQ(f.text.find("https://"), std::string::npos);
    EXPECT_EQ(f.text.find("@import"), std::string::npos);
    EXPECT_EQ(f.text.find("url("), std::string::npos);
    ExpectContains(f.text, "</html>\n");
  }
  std::vector<DocFile> files = RenderRuleDocs(*rules);
  const DocFile* index = Find(files, "index.html");
  ASSERT_NE(index, nullptr);
  ExpectContains(index->text, "<a href=\"bsc.html\">BSC</a>");
  const DocFile* index_md = Find(files, "index.md");
  ASSERT_NE(index_md, nullptr);
  ExpectContains(index_md->text, "[BSC](bsc.md)");
}

TEST(RuleDocs, HtmlEscapesTheScriptsTexts) {
  std::vector<RuleSet::File> files = {
      {"t/data/provinces.csv",
       [] {
         std::ifstream in(SourceDir() / "rules/data/provinces.csv", std::ios::binary);
         std::ostringstream s;
         s << in.rdbuf();
         return s.str();
       }()},
      {"t/programs/a.lua",
       "program { id = \"ALPHA\", version = \"1\", effective_from = \"2025-10-01\",\n"
       "  name = { th = \"<b>ทดสอบ</b> & co\", en = \"<script>alert(1)</script>\" } }\n"
       "criterion \"small\" { th = \"a | b\", en = \"x < y\", fail = { th = \"ไม่ผ่าน\", en = "
       "\"failed\" },\n"
       "  test = function(e) return true end }\n"}};
  Result<std::shared_ptr<const RuleSet>> rules = RuleSet::FromFiles(files);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  std::string html = ProgramDocHtml(**rules, "ALPHA");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  ExpectContains(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
  ExpectContains(html, "&lt;b&gt;ทดสอบ&lt;/b&gt; &amp; co");
  std::string md = ProgramDocMarkdown(**rules, "ALPHA");
  ExpectContains(md, "a \\| b");  // a pipe does not break the table
  EXPECT_EQ(md.find("<script>"), std::string::npos);
}

TEST(RuleDocs, EveryVersionAndParameterValuesOverTime) {
  std::shared_ptr<const RuleSet> rules = Load("tests/testdata/policy_versions");
  ASSERT_NE(rules, nullptr);
  std::string md = ProgramDocMarkdown(*rules, "BSC");
  ExpectContains(md,
                 "| `2026.1` | 2025-10-01 (ปีงบประมาณ พ.ศ. 2569 · FY 2026) | 2026-09-30 (ปีงบประมาณ "
                 "พ.ศ. 2569 · FY 2026) |");
  ExpectContains(
      md, "| `2027.1` | 2026-10-01 (ปีงบประมาณ พ.ศ. 2570 · FY 2027) | ไม่กำหนด · open-ended |");
  ExpectContains(md, "## ค่าพารามิเตอร์ตามช่วงเวลา · Parameter values over time");
  ExpectContains(md, "| `man_days_per_year` | 3 | 5 |");
  // The newest version comes first in the details.
  EXPECT_LT(md.find("## เวอร์ชัน 2027.1"), md.find("## เวอร์ชัน 2026.1"));
}

TEST(RuleDocs, SameRulesGiveTheSameBytes) {
  std::shared_ptr<const RuleSet> a = Load("rules");
  std::shared_ptr<const RuleSet> b = Load("rules");
  ASSERT_NE(a, nullptr);
  std::vector<DocFile> x = RenderRuleDocs(*a), y = RenderRuleDocs(*b);
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(x[i].text, y[i].text) << x[i].name;
}

}  // namespace
}  // namespace smematch
