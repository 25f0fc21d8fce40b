// Matching end to end: registries, the matching scripts in their sandbox, pruning, operator
// controls, optimality against exhaustive search, determinism, channels.
#include "smematch/matching.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "smematch/registry.h"
#include "smematch/rule_set.h"

namespace smematch {
namespace {

using ::testing::HasSubstr;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const ProvinceTable& Provinces() {
  static const ProvinceTable* table = [] {
    auto t = ProvinceTable::Parse(ReadText(std::string(SMEMATCH_SOURCE_DIR) + "/rules/data/provinces.csv"));
    return new ProvinceTable(std::move(*t));
  }();
  return *table;
}

std::shared_ptr<const MatchRules> RepoRules() {
  static std::shared_ptr<const MatchRules> rules = [] {
    auto r = MatchRules::Load(std::string(SMEMATCH_SOURCE_DIR) + "/rules", Provinces());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }();
  return rules;
}

// A matching rule set with the repository's channel script and `mentor_script` as the fit.
Result<std::shared_ptr<const MatchRules>> WithMentorScript(const std::string& mentor_script,
                                                           const RuleLimits& limits = {}) {
  std::vector<RuleSet::File> files = {
      {"rules/matching/mentor_fit.lua", mentor_script},
      {"rules/matching/channel_readiness.lua",
       ReadText(std::string(SMEMATCH_SOURCE_DIR) + "/rules/matching/channel_readiness.lua")},
  };
  return MatchRules::FromFiles(files, Provinces(), limits);
}

// A simple fit whose score C++ can recompute: marketing need x marketing expertise, plus 10 in
// the mentor's home province.
constexpr const char* kSimpleFit = R"(
matching { id = "t", version = "1", th = "ท", en = "t",
  prune = { "mentor_active", "mentor_capacity", "province_served", "industry_covered" } }
part "m" { th = "ต", en = "marketing", score = function(e, m, p)
  return (e.needs and e.needs.marketing or 0) * m.expertise.marketing end }
part "home" { th = "บ", en = "home", score = function(e, m, p)
  return m.home_province == e.province and 10 or 0 end }
)";

int64_t SimpleScore(const EnterpriseProfile& e, const Mentor& m) {
  int64_t s = (e.needs ? (*e.needs)[1] : 0) * m.expertise[1];
  return s + (m.home_province == e.province.value_or("") ? 10 : 0);
}

bool Allowed(const EnterpriseProfile& e, const Mentor& m, const ProvinceTable& provinces) {
  if (!m.active || m.capacity <= 0 || !e.province) return false;
  const Province* p = provinces.Find(*e.province);
  if (!m.served.Has(static_cast<int>(p - provinces.all().data()))) return false;
  return m.all_industries || (e.industry && (m.industries & (1u << static_cast<int>(*e.industry))));
}

const char* kProvinceCodes[] = {"TH-50", "TH-51", "TH-10", "TH-90"};

EnterpriseProfile Ent(std::string id, const char* province, Industry industry, int marketing_need) {
  EnterpriseProfile e;
  e.id = std::move(id);
  e.name = "กิจการ " + e.id;
  e.province = province;
  e.industry = industry;
  e.needs = std::array<int, kDimensionCount>{1, marketing_need, 1, 1, 1};
  return e;
}

Mentor Men(std::string id, const char* home, std::vector<int> served, uint32_t industries,
           int marketing, int capacity) {
  Mentor m;
  m.id = std::move(id);
  m.name = "พี่เลี้ยง " + m.id;
  m.home_province = home;
  const auto& all = Provinces().all();
  for (int i = 0; i < static_cast<int>(all.size()); ++i) {
    if (all[i].iso_code == home) m.served.Add(i);
  }
  for (int s : served) {
    for (int i = 0; i < static_cast<int>(all.size()); ++i) {
      if (all[i].iso_code == kProvinceCodes[s]) m.served.Add(i);
    }
  }
  m.industries = industries;
  m.expertise = {1, marketing, 1, 1, 1};
  m.languages = {"th"};
  m.capacity = capacity;
  return m;
}

// ----------------------------------------------------------------------------- registries

TEST(Registry, BadMentorRowsAreReportedWithRowAndFieldAndGoodRowsKept) {
  const std::string text = R"([
    {"id": "M-1", "name": "ก", "expertise": {"marketing": 4}, "industries": ["food"], "home_province": "TH-50", "capacity": 2},
    {"id": "M-2", "name": "ข", "expertise": {"marketing": 9}, "industries": ["food"], "home_province": "TH-50", "capacity": 2},
    {"id": "M-3", "name": "ค", "expertise": {}, "industries": ["fud"], "home_province": "TH-99", "serves": ["Nord"], "capacity": -1},
    {"id": "M-1", "name": "ง", "expertise": {}, "industries": ["all"], "home_province": "TH-10", "capacity": 1}
  ])";
  Result<MentorRegistry> r = ReadMentors(text, RegistryFormat::kJson, Provinces());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].id, "M-1");
  ASSERT_EQ(r->bad_rows.size(), 3u);
  EXPECT_EQ(r->bad_rows[0].row, 2u);
  EXPECT_EQ(r->bad_rows[0].errors[0].field, "/expertise/marketing");
  EXPECT_THAT(r->bad_rows[0].errors[0].message, HasSubstr("from 0 to 5, got 9"));
  EXPECT_EQ(r->bad_rows[1].row, 3u);
  std::string fields;
  for (const FieldError& e : r->bad_rows[1].errors) fields += e.field + " ";
  EXPECT_EQ(fields, "/industries/0 /home_province /serves/0 /capacity ");
  EXPECT_EQ(r->bad_rows[2].row, 4u);
  EXPECT_THAT(r->bad_rows[2].errors[0].message, HasSubstr("duplicate id \"M-1\" (first in row 1)"));
}

TEST(Registry, CsvUsesColumnNamesAndBothListSeparators) {
  const std::string text =
      "\xEF\xBB\xBFid,name,expertise_marketing,industries,home_province,serves,languages,capacity,active\r\n"
      "M-1,ก,4,food;herbs,TH-50,North|TH-10,th|en,3,yes\r\n"
      "M-2,ข,x,food,TH-50,,th,3,maybe\r\n";
  Result<MentorRegistry> r = ReadMentors(text, RegistryFormat::kCsv, Provinces());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 1u);
  const Mentor& m = r->items[0];
  EXPECT_EQ(m.industries, (1u << static_cast<int>(Industry::kFood)) | (1u << static_cast<int>(Industry::kHerbs)));
  EXPECT_EQ(m.served.Count(), 10);  // 9 northern provinces + Bangkok
  EXPECT_EQ(m.languages, (std::vector<std::string>{"th", "en"}));
  ASSERT_EQ(r->bad_rows.size(), 1u);
  EXPECT_EQ(r->bad_rows[0].row, 2u);
  ASSERT_EQ(r->bad_rows[0].errors.size(), 2u);
  EXPECT_EQ(r->bad_rows[0].errors[0].field, "expertise_marketing");
  EXPECT_EQ(r->bad_rows[0].errors[1].field, "active");
}

TEST(Registry, CsvHeaderWithUnknownColumnIsRefusedAsAWhole) {
  Result<MentorRegistry> r = ReadMentors("id,name,colour\r\nM-1,a,red\r\n", RegistryFormat::kCsv, Provinces());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("\"colour\" (unknown column)"));
}

TEST(Registry, DemoRegistriesReadWithoutErrorsInBothFormats) {
  for (const char* f : {"mentors.json", "mentors.csv"}) {
    Result<MentorRegistry> r = ReadMentorsFile(std::string(SMEMATCH_SOURCE_DIR) + "/data/demo/" + f, Provinces());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->bad_rows.empty()) << f;
    EXPECT_GE(r->items.size(), 40u);
  }
  for (const char* f : {"channels.json", "channels.csv"}) {
    Result<ChannelRegistry> r = ReadChannelsFile(std::string(SMEMATCH_SOURCE_DIR) + "/data/demo/" + f, Provinces());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->bad_rows.empty()) << f;
    EXPECT_GE(r->items.size(), 8u);
  }
}

TEST(Registry, BadChannelRequirementNamesTheItem) {
  Result<ChannelRegistry> r = ReadChannels(
      R"({"id": "C", "chain": "x", "industries": ["all"], "requires": ["fda", "iso9001"], "serves": ["all"]})",
      RegistryFormat::kJsonLines, Provinces());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->bad_rows.size(), 1u);
  EXPECT_EQ(r->bad_rows[0].errors[0].field, "/requires/1");
}

// ----------------------------------------------------------------------------- scripts

TEST(MatchRules, RepositoryScriptsLoadAndDeclareTheirPruning) {
  std::shared_ptr<const MatchRules> rules = RepoRules();
  ASSERT_TRUE(rules);
  const MatchScriptInfo& m = rules->script(MatchKind::kMentor);
  EXPECT_EQ(m.path, "rules/matching/mentor_fit.lua");
  EXPECT_TRUE(m.Prunes("province_served"));
  EXPECT_FALSE(m.parts.empty());
  for (const ParameterInfo& p : m.parameters) EXPECT_TRUE(p.assumed) << p.name;
  const MatchScriptInfo& c = rules->script(MatchKind::kChannel);
  EXPECT_TRUE(c.Prunes("region_served"));
  EXPECT_THAT(rules->hash(), HasSubstr("sha256:"));
}

TEST(MatchRules, BrokenScriptIsRefusedAtLoadWithFileAndLine) {
  Result<std::shared_ptr<const MatchRules>> r = WithMentorScript(
      "matching { id = 'x', version = '1', th = 'ก', en = 'x', prune = { 'mentor_active', 'postcode' } }\n"
      "part 'a' { th = 'ก', en = 'a', score = 3 }\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("rules/matching/mentor_fit.lua:1: matching: prune[2] \"postcode\""));
  EXPECT_THAT(r.status().message(), HasSubstr("rules/matching/mentor_fit.lua:2: part \"a\": score must be a function"));
  Result<std::shared_ptr<const MatchRules>> syntax = WithMentorScript("matching {\n part 'a' {{\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_THAT(syntax.status().message(), HasSubstr("rules/matching/mentor_fit.lua:"));
}

TEST(MatchRules, EscapesAndGlobalsAreRefused) {
  for (const char* body : {"os.exit()", "io.open('x')", "require('x')", "load('x')", "string.dump(print)"}) {
    Result<std::shared_ptr<const MatchRules>> r = WithMentorScript(std::string(body) + "\n" + kSimpleFit);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_THAT(r.status().message(), HasSubstr("rules/matching/mentor_fit.lua:1:")) << body;
  }
}

TEST(MatchRules, EndlessLoopInTheFitScriptIsKilledAndReportedPerPair) {
  RuleLimits limits;
  limits.instructions_per_decision = 100'000;
  Result<std::shared_ptr<const MatchRules>> rules = WithMentorScript(
      std::string(kSimpleFit) +
          "part 'loop' { th = 'ว', en = 'loop', score = function(e, m, p)\n"
          "  if m.id == 'M-2' then while true do pcall(function() while true do end end) end end\n"
          "  return 0 end }\n",
      limits);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  std::vector<EnterpriseProfile> ents = {Ent("E-1", "TH-50", Industry::kFood, 3)};
  std::vector<Mentor> mentors = {Men("M-1", "TH-50", {}, 1u << 0, 2, 1), Men("M-2", "TH-50", {}, 1u << 0, 5, 1)};
  MatchOptions o;
  Result<MentorMatchResult> r = MatchMentors(ents, mentors, **rules, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->summary.script_errors, 1);
  ASSERT_EQ(r->summary.error_samples.size(), 1u);
  EXPECT_THAT(r->summary.error_samples[0], HasSubstr("E-1 / M-2: rules/matching/mentor_fit.lua:"));
  EXPECT_THAT(r->summary.error_samples[0], HasSubstr("instruction budget"));
  // The pair that failed is not assigned; the other one is.
  EXPECT_EQ(r->matches[0].mentor, 0);
}

TEST(MatchRules, NonIntegerPartScoreIsAnErrorNamingThePart) {
  Result<std::shared_ptr<const MatchRules>> rules = WithMentorScript(
      "matching { id = 'x', version = '1', th = 'ก', en = 'x' }\n"
      "part 'half' { th = 'ก', en = 'a', score = function() return 0.5 end }\n");
  ASSERT_TRUE(rules.ok());
  std::vector<EnterpriseProfile> ents = {Ent("E-1", "TH-50", Industry::kFood, 3)};
  std::vector<Mentor> mentors = {Men("M-1", "TH-50", {}, 1, 2, 1)};
  Result<MentorMatchResult> r = MatchMentors(ents, mentors, **rules, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->summary.error_samples.size(), 1u);
  EXPECT_THAT(r->summary.error_samples[0],
              HasSubstr("rules/matching/mentor_fit.lua:2: part \"half\" must return a whole number"));
}

// ----------------------------------------------------------------------------- mentors

struct Instance {
  std::vector<EnterpriseProfile> ents;
  std::vector<Mentor> mentors;
};

Instance RandomInstance(std::mt19937& rng) {
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Instance in;
  const int n_ent = uni(1, 6), n_men = uni(1, 4);
  for (int e = 0; e < n_ent; ++e) {
    in.ents.push_back(Ent("E-" + std::to_string(e), kProvinceCodes[uni(0, 3)],
                          static_cast<Industry>(uni(0, 2)), uni(0, 5)));
  }
  for (int m = 0; m < n_men; ++m) {
    std::vector<int> served;
    for (int s = 0; s < 4; ++s) {
      if (uni(0, 1)) served.push_back(s);
    }
    Mentor men = Men("M-" + std::to_string(m), kProvinceCodes[uni(0, 3)], served, uni(1, 7), uni(0, 5), uni(0, 2));
    men.active = uni(0, 5) > 0;
    in.mentors.push_back(men);
  }
  return in;
}

// Best total under capacities, quotas, min score and the hard constraints, by recursion.
struct Brute {
  const Instance& in;
  const std::map<std::string, int>& quota;
  int64_t min_score;
  bool most_matched;
  std::vector<int> cap;
  std::map<std::string, int> used;
  std::pair<int, int64_t> best{-1, -1};
  void Run(size_t e, int matched, int64_t total) {
    if (e == in.ents.size()) {
      std::pair<int, int64_t> v{most_matched ? matched : 0, total};
      if (v > best) best = v;
      return;
    }
    Run(e + 1, matched, total);
    const EnterpriseProfile& ent = in.ents[e];
    auto q = quota.find(*ent.province);
    if (q != quota.end() && used[*ent.province] >= q->second) return;
    for (size_t m = 0; m < in.mentors.size(); ++m) {
      if (!Allowed(ent, in.mentors[m], Provinces()) || cap[m] == 0) continue;
      const int64_t s = SimpleScore(ent, in.mentors[m]);
      if (s < min_score) continue;
      --cap[m];
      ++used[*ent.province];
      Run(e + 1, matched + 1, total + s);
      --used[*ent.province];
      ++cap[m];
    }
  }
};

TEST(MatchMentors, OptimalAgainstBruteForceWithQuotasAndMinScoreOn300RandomInstances) {
  auto rules = WithMentorScript(kSimpleFit);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    Instance in = RandomInstance(rng);
    MatchOptions o;
    o.objective = round % 3 == 0 ? AssignmentObjective::kMostMatchedThenFit : AssignmentObjective::kMaxTotalFit;
    if (round % 2) o.province_quota = {{"TH-50", 1}, {"TH-10", 2}};
    if (round % 5 == 1) o.min_score = 8;
    Result<MentorMatchResult> r = MatchMentors(in.ents, in.mentors, **rules, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    // Constraints hold.
    std::vector<int> load(in.mentors.size(), 0);
    std::map<std::string, int> per_province;
    int64_t total = 0;
    int matched = 0;
    for (const EnterpriseMatch& m : r->matches) {
      if (m.mentor < 0) continue;
      const EnterpriseProfile& e = in.ents[m.enterprise];
      const Mentor& men = in.mentors[m.mentor];
      EXPECT_TRUE(Allowed(e, men, Provinces())) << "round " << round;
      EXPECT_EQ(m.score, SimpleScore(e, men));
      EXPECT_GE(m.score, o.min_score);
      ++load[m.mentor];
      ++per_province[*e.province];
      total += m.score;
      ++matched;
    }
    for (size_t k = 0; k < in.mentors.size(); ++k) EXPECT_LE(load[k], in.mentors[k].capacity);
    for (const auto& [code, q] : o.province_quota) EXPECT_LE(per_province[code], q);
    EXPECT_EQ(total, r->summary.total_score);
    Brute b{in, o.province_quota, o.min_score, o.objective == AssignmentObjective::kMostMatchedThenFit,
            {}, {}, {-1, -1}};
    for (const Mentor& m : in.mentors) b.cap.push_back(m.capacity);
    b.Run(0, 0, 0);
    EXPECT_EQ(total, b.best.second) << "round " << round;
    if (b.most_matched) {
      EXPECT_EQ(matched, b.best.first) << "round " << round;
    }
  }
}

std::map<std::string, std::string> Pairs(const MentorMatchResult& r, std::span<const EnterpriseProfile> ents,
                                         std::span<const Mentor> mentors) {
  std::map<std::string, std::string> out;
  for (const EnterpriseMatch& m : r.matches) {
    out[ents[m.enterprise].id] = m.mentor >= 0 ? mentors[m.mentor].id : "-";
  }
  return out;
}

TEST(MatchMentors, SameResultAcrossThreadCountsAndInputOrder) {
  std::mt19937 rng(7);
  Instance in;
  for (int e = 0; e < 300; ++e) {
    in.ents.push_back(Ent("E-" + std::to_string(1000 + e), kProvinceCodes[e % 4],
                          static_cast<Industry>(e % 3), e % 6));
  }
  // Many equal scores on purpose: ties must resolve the same way.
  for (int m = 0; m < 12; ++m) {
    in.mentors.push_back(Men("M-" + std::to_string(10 + m), kProvinceCodes[m % 4], {0, 1, 2, 3}, 7, m % 3, 10));
  }
  MatchOptions o;
  o.threads = 1;
  auto one = MatchMentors(in.ents, in.mentors, *RepoRules(), o);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  o.threads = 3;
  auto three = MatchMentors(in.ents, in.mentors, *RepoRules(), o);
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(Pairs(*one, in.ents, in.mentors), Pairs(*three, in.ents, in.mentors));
  Instance shuffled = in;
  std::shuffle(shuffled.ents.begin(), shuffled.ents.end(), rng);
  std::shuffle(shuffled.mentors.begin(), shuffled.mentors.end(), rng);
  auto again = MatchMentors(shuffled.ents, shuffled.mentors, *RepoRules(), o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Pairs(*one, in.ents, in.mentors), Pairs(*again, shuffled.ents, shuffled.mentors));
  EXPECT_EQ(one->summary.total_score, again->summary.total_score);
  EXPECT_GT(one->summary.matched, 0);
}

TEST(MatchMentors, PinsForbidsAndUnavailableMentors) {
  auto rules = WithMentorScript(kSimpleFit);
  ASSERT_TRUE(rules.ok());
  std::vector<EnterpriseProfile> ents = {Ent("E-1", "TH-50", Industry::kFood, 5),
                                         Ent("E-2", "TH-50", Industry::kFood, 5)};
  std::vector<Mentor> mentors = {Men("M-1", "TH-50", {}, 1, 5, 1), Men("M-2", "TH-50", {}, 1, 1, 1),
                                 Men("M-3", "TH-50", {}, 1, 3, 1)};
  MatchOptions o;
  o.pins = {{"E-1", "M-2"}};
  o.forbids = {{"E-2", "M-1"}};
  auto r = MatchMentors(ents, mentors, **rules, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->matches[0].mentor, 1);
  EXPECT_EQ(r->matches[0].status, MatchStatus::kPinned);
  EXPECT_EQ(r->matches[1].mentor, 2);  // M-1 forbidden, M-2 full
  o.unavailable = {"M-3"};
  r = MatchMentors(ents, mentors, **rules, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->matches[1].mentor, -1);
  EXPECT_EQ(r->matches[1].unmatched_code, "all_suitable_full");
  // A pin on a pair a hard constraint excludes is refused with the reason.
  o = {};
  o.pins = {{"E-1", "M-9"}};
  EXPECT_EQ(MatchMentors(ents, mentors, **rules, o).status().code(), StatusCode::kInvalidArgument);
  mentors.push_back(Men("M-4", "TH-90", {}, 1, 5, 1));
  o.pins = {{"E-1", "M-4"}};
  auto bad = MatchMentors(ents, mentors, **rules, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("pins[0] (E-1, M-4): not an allowed pair"));
}

TEST(MatchMentors, UnmatchedSaysWhichConstraintExcludedTheMentors) {
  std::vector<EnterpriseProfile> ents = {Ent("E-1", "TH-90", Industry::kFood, 5),
                                         Ent("E-2", "TH-50", Industry::kFood, 5)};
  ents[1].province.reset();
  std::vector<Mentor> mentors = {Men("M-1", "TH-50", {}, 1, 5, 1), Men("M-2", "TH-50", {}, 1, 5, 0)};
  auto r = MatchMentors(ents, mentors, *RepoRules(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->matches[0].unmatched_code, "no_allowed_mentor");
  ASSERT_EQ(r->matches[0].excluded.size(), 2u);
  EXPECT_EQ(r->matches[0].excluded[0].constraint, "mentor_capacity");
  EXPECT_EQ(r->matches[0].excluded[1].constraint, "province_served");
  EXPECT_THAT(r->matches[0].reason.en, HasSubstr("mentor does not serve the enterprise's province (1)"));
  EXPECT_EQ(r->matches[1].unmatched_code, "no_province");
}

TEST(MatchMentors, RematchKeepsUnaffectedPairsAndCountsChanges) {
  auto rules = WithMentorScript(kSimpleFit);
  ASSERT_TRUE(rules.ok());
  std::vector<EnterpriseProfile> ents;
  for (int e = 0; e < 6; ++e) ents.push_back(Ent("E-" + std::to_string(e), "TH-50", Industry::kFood, e));
  std::vector<Mentor> mentors = {Men("M-1", "TH-50", {}, 1, 5, 2), Men("M-2", "TH-50", {}, 1, 3, 2),
                                 Men("M-3", "TH-50", {}, 1, 1, 2)};
  auto first = MatchMentors(ents, mentors, **rules, {});
  ASSERT_TRUE(first.ok());
  MatchOptions o;
  for (const EnterpriseMatch& m : first->matches) {
    if (m.mentor >= 0) o.previous[ents[m.enterprise].id] = mentors[m.mentor].id;
  }
  ASSERT_EQ(o.previous.size(), 6u);
  // M-1 leaves: its two enterprises are re-matched; the other four keep their mentor.
  o.unavailable = {"M-1"};
  auto second = MatchMentors(ents, mentors, **rules, o);
  ASSERT_TRUE(second.ok());
  int kept = 0;
  for (const EnterpriseMatch& m : second->matches) {
    if (m.status == MatchStatus::kKept) ++kept;
    EXPECT_NE(m.mentor, 0);
  }
  EXPECT_EQ(kept, 4);
  EXPECT_EQ(second->summary.kept, 4);
  EXPECT_EQ(second->summary.changed, 2);
  // Re-optimising everything may move more pairs, never fewer than the two that lost M-1.
  o.keep_previous = false;
  auto all = MatchMentors(ents, mentors, **rules, o);
  ASSERT_TRUE(all.ok());
  EXPECT_GE(all->summary.changed, 2);
  EXPECT_GE(all->summary.total_score, second->summary.total_score);
}

TEST(MatchMentors, AlternativesCarrySlackAndSummaryHasQuantiles) {
  auto rules = WithMentorScript(kSimpleFit);
  ASSERT_TRUE(rules.ok());
  std::vector<EnterpriseProfile> ents = {Ent("E-1", "TH-50", Industry::kFood, 4)};
  std::vector<Mentor> mentors = {Men("M-1", "TH-50", {}, 1, 5, 1), Men("M-2", "TH-50", {}, 1, 3, 1),
                                 Men("M-3", "TH-51", {0}, 1, 5, 1)};
  MatchOptions o;
  o.top_k = 2;
  auto r = MatchMentors(ents, mentors, **rules, o);
  ASSERT_TRUE(r.ok());
  const EnterpriseMatch& m = r->matches[0];
  EXPECT_EQ(m.mentor, 0);
  EXPECT_EQ(m.score, 30);
  ASSERT_EQ(m.alternatives.size(), 2u);
  // M-2 scores 22 (8 below), M-3 scores 20 (10 below).
  EXPECT_EQ(m.alternatives[0].mentor, 1);
  EXPECT_EQ(m.alternatives[0].slack, 8);
  EXPECT_EQ(m.alternatives[1].slack, 10);
  EXPECT_EQ(r->summary.score_quantiles[2], 30);
  EXPECT_EQ(m.parts, (std::vector<int64_t>{20, 10}));
}

// ----------------------------------------------------------------------------- channels

TEST(MatchChannels, ReadinessGapsInThaiAndEnglishAndSlotsRespected) {
  Result<ChannelRegistry> reg = ReadChannelsFile(std::string(SMEMATCH_SOURCE_DIR) + "/data/demo/channels.json", Provinces());
  ASSERT_TRUE(reg.ok());
  std::vector<EnterpriseProfile> ents;
  for (int e = 0; e < 20; ++e) {
    EnterpriseProfile p = Ent("E-" + std::to_string(e), "TH-50", Industry::kFood, 3);
    if (e % 2 == 0) p.certifications = 0b11;  // fda, gmp
    p.gs1_barcode = e % 3 != 0;
    p.vat_registered = true;
    p.monthly_capacity_units = 1000 * e;
    p.shelf_life_days = 200;
    ents.push_back(p);
  }
  ChannelOptions o;
  o.max_channels_per_enterprise = 2;
  auto r = MatchChannels(ents, reg->items, *RepoRules(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  int seven = -1;
  for (size_t c = 0; c < reg->items.size(); ++c) {
    if (reg->items[c].id == "CPALL-7ELEVEN") seven = static_cast<int>(c);
  }
  ASSERT_GE(seven, 0);
  const ChannelFit& f = r->enterprises[1].channels[seven];  // no FDA
  EXPECT_EQ(f.readiness, Readiness::kNotReady);
  ASSERT_FALSE(f.gaps.empty());
  EXPECT_EQ(f.gaps[0].th, "ต้องมีเลขสารบบอาหาร อย.");
  EXPECT_THAT(f.gaps[0].en, HasSubstr("needs Thai FDA food registration"));
  std::vector<int> per_channel(reg->items.size(), 0);
  for (const EnterpriseChannels& ec : r->enterprises) {
    int mine = 0;
    for (const ChannelFit& c : ec.channels) {
      if (!c.assigned) continue;
      EXPECT_EQ(c.readiness, Readiness::kReady);
      ++mine;
      ++per_channel[c.channel];
    }
    EXPECT_LE(mine, 2);
  }
  for (size_t c = 0; c < reg->items.size(); ++c) {
    if (reg->items[c].slots) {
      EXPECT_LE(per_channel[c], *reg->items[c].slots) << reg->items[c].id;
    }
    if (!reg->items[c].active) {
      EXPECT_EQ(per_channel[c], 0);
    }
  }
  EXPECT_GT(r->summary.assignments, 0);
}

// Slot assignment: the best total readiness score under the channels' slots and the
// per-enterprise limit, against exhaustive search over the ready pairs the script reported;
// the same placements whatever the thread count and the order of the channel rows.
TEST(MatchChannels, SlotsOptimalAgainstBruteForceAndDeterministicOn200RandomInstances) {
  std::mt19937 rng(11);
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const auto& all = Provinces().all();
  int64_t placements = 0, contested = 0;  // the instances are not trivial
  for (int round = 0; round < 200; ++round) {
    std::vector<EnterpriseProfile> ents;
    for (int e = 0, n = uni(1, 5); e < n; ++e) {
      EnterpriseProfile p = Ent("E-" + std::to_string(e), kProvinceCodes[uni(0, 3)], Industry::kFood, 3);
      p.certifications = static_cast<uint32_t>(uni(0, 3));  // fda, gmp
      p.gs1_barcode = uni(0, 1) == 1;
      p.vat_registered = true;
      p.monthly_capacity_units = 500 * uni(0, 8);
      p.shelf_life_days = 30 * uni(1, 12);
      p.otop_stars = uni(0, 5);
      ents.push_back(p);
    }
    std::vector<Channel> channels;
    for (int c = 0, n = uni(1, 3); c < n; ++c) {
      Channel ch;
      ch.id = "C-" + std::to_string(c);
      ch.chain = "chain " + ch.id;
      ch.all_industries = true;
      ch.requires_mask = static_cast<uint32_t>(uni(0, 1)) | (uni(0, 3) == 0 ? kRequiresGs1Barcode : 0u);
      if (uni(0, 1)) ch.min_monthly_capacity_units = 1000;
      for (int i = 0; i < static_cast<int>(all.size()); ++i) {
        if (uni(0, 4) > 0 || all[i].iso_code == "TH-50") ch.served.Add(i);
      }
      if (uni(0, 3) > 0) ch.slots = uni(0, 2);
      ch.active = uni(0, 6) > 0;
      channels.push_back(ch);
    }
    ChannelOptions o;
    o.max_channels_per_enterprise = uni(0, 2);
    if (round % 4 == 3) o.min_score = 20;
    o.threads = 1 + round % 2;
    auto r = MatchChannels(ents, channels, *RepoRules(), o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->summary.script_errors, 0);
    struct P { int e, c; int64_t s; };
    std::vector<P> ready;
    int64_t total = 0;
    std::vector<int> per_channel(channels.size(), 0);
    for (const EnterpriseChannels& ec : r->enterprises) {
      int mine = 0;
      for (const ChannelFit& f : ec.channels) {
        if (f.readiness == Readiness::kReady && f.score && *f.score >= o.min_score) {
          ready.push_back({ec.enterprise, f.channel, *f.score});
        }
        if (!f.assigned) continue;
        EXPECT_EQ(f.readiness, Readiness::kReady) << "round " << round;
        ASSERT_TRUE(f.score.has_value());
        EXPECT_GE(*f.score, o.min_score);
        total += *f.score;
        ++mine;
        ++per_channel[f.channel];
      }
      if (o.max_channels_per_enterprise > 0) {
        EXPECT_LE(mine, o.max_channels_per_enterprise);
      }
    }
    for (size_t c = 0; c < channels.size(); ++c) {
      if (channels[c].slots) {
        EXPECT_LE(per_channel[c], *channels[c].slots) << "round " << round;
      }
      if (!channels[c].active) {
        EXPECT_EQ(per_channel[c], 0);
      }
    }
    EXPECT_EQ(total, r->summary.total_score);
    ASSERT_LE(ready.size(), 15u);
    std::vector<int> slots_left(channels.size()), taken(ents.size(), 0);
    for (size_t c = 0; c < channels.size(); ++c) slots_left[c] = channels[c].slots.value_or(1000);
    int64_t best = 0;
    std::function<void(size_t, int64_t)> brute = [&](size_t k, int64_t sum) {
      if (k == ready.size()) {
        best = std::max(best, sum);
        return;
      }
      brute(k + 1, sum);
      const P& p = ready[k];
      if (slots_left[p.c] == 0) return;
      if (o.max_channels_per_enterprise > 0 && taken[p.e] >= o.max_channels_per_enterprise) return;
      --slots_left[p.c];
      ++taken[p.e];
      brute(k + 1, sum + p.s);
      --taken[p.e];
      ++slots_left[p.c];
    };
    brute(0, 0);
    EXPECT_EQ(total, best) << "round " << round;
    placements += r->summary.assignments;
    if (static_cast<int64_t>(ready.size()) > r->summary.assignments) ++contested;

    // Reversed channel rows, other thread count: the same placements.
    std::vector<Channel> reversed(channels.rbegin(), channels.rend());
    o.threads = 3 - o.threads;
    auto again = MatchChannels(ents, reversed, *RepoRules(), o);
    ASSERT_TRUE(again.ok());
    std::set<std::pair<std::string, std::string>> a, b;
    for (const EnterpriseChannels& ec : r->enterprises) {
      for (const ChannelFit& f : ec.channels) {
        if (f.assigned) a.insert({ents[ec.enterprise].id, channels[f.channel].id});
      }
    }
    for (const EnterpriseChannels& ec : again->enterprises) {
      for (const ChannelFit& f : ec.channels) {
        if (f.assigned) b.insert({ents[ec.enterprise].id, reversed[f.channel].id});
      }
    }
    EXPECT_EQ(a, b) << "round " << round;
  }
  EXPECT_GT(placements, 100);
  EXPECT_GT(contested, 30);
}

}  // namespace
}  // namespace smematch
