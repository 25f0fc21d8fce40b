// smematch match mentors|channels, run in-process on the demo data (docs/cli.md, docs/matching.md).
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "cli_test_util.h"

namespace smematch::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const std::string kEnterprises = "data/demo/enterprises.jsonl";

// The common arguments of a mentor run on the demo data.
std::vector<std::string> Mentors(std::vector<std::string> extra,
                                 const std::string& registry = "data/demo/mentors.json") {
  std::vector<std::string> args = {"match", "mentors", Src(kEnterprises), "--mentors", Src(registry),
                                   "--rules", Src("rules"), "--as-of", "2026-03-01"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

class MatchCliTest : public TempDirTest {};

// Capacities from the demo registry.
std::map<std::string, int> DemoCapacities() {
  std::map<std::string, int> cap;
  for (const json& m : json::parse(ReadFile(Src("data/demo/mentors.json")))) {
    cap[m["id"].get<std::string>()] = m["active"].get<bool>() ? m["capacity"].get<int>() : 0;
  }
  return cap;
}

TEST_F(MatchCliTest, MentorsJsonLinesOneLinePerEnterpriseThenSummaryCapacitiesHeld) {
  CliRun r = Cli(Mentors({"--format", "jsonl"}));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  std::vector<json> lines = JsonLines(r.out);
  ASSERT_GE(lines.size(), 2u);
  const json& summary = lines.back()["summary"];
  ASSERT_TRUE(summary.is_object()) << lines.back();
  // The demo file has invalid rows: reported by row and field on stderr, the rest matched.
  EXPECT_TRUE(Contains(r.err, "row 27 (RN-007): /employees")) << r.err;
  EXPECT_EQ(summary["enterprises"].get<size_t>(), lines.size() - 1);
  std::map<std::string, int> used;
  int matched = 0;
  int64_t total = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    const json& l = lines[i];
    ASSERT_TRUE(l.contains("enterprise_id")) << l;
    if (l["status"] == "unmatched") {
      EXPECT_FALSE(l.contains("mentor_id")) << l;
      EXPECT_FALSE(l["reason"]["th"].get<std::string>().empty()) << l;
      EXPECT_FALSE(l["reason"]["en"].get<std::string>().empty()) << l;
      continue;
    }
    ++matched;
    ++used[l["mentor_id"].get<std::string>()];
    int64_t parts = 0;
    for (const json& p : l["parts"]) parts += p["score"].get<int64_t>();
    EXPECT_EQ(parts, l["score"].get<int64_t>()) << "score is the sum of its parts: " << l;
    total += l["score"].get<int64_t>();
  }
  EXPECT_GT(matched, 0);
  EXPECT_EQ(summary["matched"].get<int>(), matched);
  EXPECT_EQ(summary["total_score"].get<int64_t>(), total);
  std::map<std::string, int> cap = DemoCapacities();
  for (const auto& [id, n] : used) EXPECT_LE(n, cap[id]) << id;
  EXPECT_TRUE(Contains(r.err, "scoring")) << "timings on stderr: " << r.err;
}

TEST_F(MatchCliTest, SameBytesFromJsonAndCsvRegistryAndAcrossThreadCounts) {
  CliRun json1 = Cli(Mentors({"--format", "jsonl", "--threads", "1", "-q"}));
  CliRun json2 = Cli(Mentors({"--format", "jsonl", "--threads", "2", "-q"}));
  CliRun csv2 = Cli(Mentors({"--format", "jsonl", "--threads", "2", "-q"}, "data/demo/mentors.csv"));
  ASSERT_EQ(json1.code, kExitOk) << json1.err;
  EXPECT_EQ(json1.out, json2.out);
  EXPECT_EQ(json1.out, csv2.out);
}

TEST_F(MatchCliTest, CsvOutputFileHasBomAndHeaderAndNoBomOnRequest) {
  const std::string out = Path("m.csv");
  CliRun r = Cli(Mentors({"-o", out, "-q"}));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(r.out.empty());
  std::string text = ReadFile(out);
  ASSERT_GT(text.size(), 3u);
  EXPECT_EQ(text.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(text.substr(3, 14), "enterprise_id,");
  CliRun plain = Cli(Mentors({"--format", "csv", "--no-bom", "-q"}));
  ASSERT_EQ(plain.code, kExitOk) << plain.err;
  EXPECT_EQ(plain.out, text.substr(3));
}

TEST_F(MatchCliTest, TableHasAHeaderAndTheSummaryInTheChosenLanguage) {
  CliRun r = Cli(Mentors({"--format", "table", "--lang", "en", "-q"}));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out.substr(0, 10), "enterprise");
  EXPECT_TRUE(Contains(r.out, "alternatives: ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "\nmatched ")) << r.out;
  EXPECT_TRUE(Contains(r.out, " matched\n")) << r.out;  // a row's status
  CliRun th = Cli(Mentors({"--format", "table", "-q"}));
  EXPECT_TRUE(Contains(th.out, "จับคู่ได้")) << th.out;
  // Statuses are words an officer reads, not the JSON ids.
  EXPECT_TRUE(Contains(th.out, " จับคู่แล้ว\n")) << th.out;
  EXPECT_FALSE(Contains(th.out, " matched\n")) << th.out;
  EXPECT_FALSE(Contains(th.out, " unmatched")) << th.out;
}

// Only STAR_SME-eligible enterprises: screened here, or taken from `smematch screen` output.
TEST_F(MatchCliTest, EligibleOnlyAndScreenedOutputGiveTheSameEnterprises) {
  const std::string screened = Path("screened.jsonl");
  CliRun s = Cli({"screen", Src(kEnterprises), "--rules", Src("rules"), "--as-of", "2026-03-01",
                  "--format", "jsonl", "-q", "-o", screened});
  ASSERT_EQ(s.code, kExitOk) << s.err;
  std::set<std::string> eligible;
  for (const json& l : JsonLines(ReadFile(screened))) {
    if (!l.contains("decisions")) continue;
    for (const json& d : l["decisions"]) {
      if (d["program"] == "STAR_SME" && d["outcome"] == "eligible") eligible.insert(l["id"].get<std::string>());
    }
  }
  ASSERT_FALSE(eligible.empty());
  CliRun a = Cli(Mentors({"--format", "jsonl", "--eligible-only"}));
  CliRun b = Cli(Mentors({"--format", "jsonl", "--screened", screened, "-q"}));
  ASSERT_EQ(a.code, kExitOk) << a.err;
  ASSERT_EQ(b.code, kExitOk) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_TRUE(Contains(a.err, "not eligible for STAR_SME (left out)")) << a.err;
  std::set<std::string> matched_ids;
  std::vector<json> lines = JsonLines(a.out);
  for (size_t i = 0; i + 1 < lines.size(); ++i) matched_ids.insert(lines[i]["enterprise_id"].get<std::string>());
  EXPECT_EQ(matched_ids, eligible);

  CliRun bad = Cli(Mentors({"--screened", Write("bad.jsonl", "not json\n")}));
  EXPECT_EQ(bad.code, kExitIo) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "line 1")) << bad.err;
}

TEST_F(MatchCliTest, PinForbidUnavailableAndControlsFile) {
  CliRun base = Cli(Mentors({"--format", "jsonl", "-q"}));
  ASSERT_EQ(base.code, kExitOk) << base.err;
  std::vector<json> lines = JsonLines(base.out);
  // CM-001's mentor: forbid it, and make it unavailable; pin CM-001 to its first alternative.
  const json* cm1 = nullptr;
  for (const json& l : lines) {
    if (l.value("enterprise_id", "") == "CM-001") cm1 = &l;
  }
  ASSERT_NE(cm1, nullptr);
  ASSERT_EQ((*cm1)["status"], "matched");
  const std::string chosen = (*cm1)["mentor_id"];
  ASSERT_FALSE((*cm1)["alternatives"].empty());
  const std::string alt = (*cm1)["alternatives"][0]["mentor_id"];

  auto mentor_of = [](const std::string& out, const std::string& id) {
    for (const json& l : JsonLines(out)) {
      if (l.value("enterprise_id", "") == id) return l;
    }
    return json();
  };
  CliRun forbid = Cli(Mentors({"--format", "jsonl", "-q", "--forbid", "CM-001=" + chosen}));
  ASSERT_EQ(forbid.code, kExitOk) << forbid.err;
  EXPECT_NE(mentor_of(forbid.out, "CM-001").value("mentor_id", ""), chosen);

  CliRun pin = Cli(Mentors({"--format", "jsonl", "-q", "--pin", "CM-001=" + alt}));
  ASSERT_EQ(pin.code, kExitOk) << pin.err;
  EXPECT_EQ(mentor_of(pin.out, "CM-001")["mentor_id"], alt);
  EXPECT_EQ(mentor_of(pin.out, "CM-001")["status"], "pinned");

  CliRun off = Cli(Mentors({"--format", "jsonl", "-q", "--unavailable", chosen}));
  ASSERT_EQ(off.code, kExitOk) << off.err;
  for (const json& l : JsonLines(off.out)) {
    if (l.contains("mentor_id")) {
      EXPECT_NE(l["mentor_id"], chosen) << l;
    }
  }

  // The same pin and quota from a controls file; TH-50 quota 2.
  const std::string controls = Write(
      "controls.json", R"({"pins":[{"enterprise":"CM-001","mentor":")" + alt +
                           R"("}],"province_quota":{"TH-50":2},"min_score":0})");
  CliRun c = Cli(Mentors({"--format", "jsonl", "-q", "--controls", controls}));
  ASSERT_EQ(c.code, kExitOk) << c.err;
  int th50 = 0;
  for (const json& l : JsonLines(c.out)) {
    if (l.contains("province") && l["province"] == "TH-50" && l["status"] != "unmatched") ++th50;
  }
  EXPECT_EQ(th50, 2);
  EXPECT_EQ(mentor_of(c.out, "CM-001")["mentor_id"], alt);

  // Unknown ids and bad controls: exit 2 naming the problem.
  CliRun unknown = Cli(Mentors({"--pin", "CM-001=M-999"}));
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_TRUE(Contains(unknown.err, "M-999")) << unknown.err;
  CliRun badkey = Cli(Mentors({"--controls", Write("c2.json", R"({"pinz":[]})")}));
  EXPECT_EQ(badkey.code, kExitUsage);
  EXPECT_TRUE(Contains(badkey.err, "/pinz: unknown control")) << badkey.err;
  CliRun badquota = Cli(Mentors({"--quota", "TH-50=-1"}));
  EXPECT_EQ(badquota.code, kExitUsage) << badquota.err;
}

TEST_F(MatchCliTest, RematchKeepsPairsWhoseMentorStaysAndCountsChanges) {
  const std::string first = Path("first.jsonl");
  CliRun r1 = Cli(Mentors({"--format", "jsonl", "-q", "-o", first}));
  ASSERT_EQ(r1.code, kExitOk) << r1.err;
  std::map<std::string, std::string> before;
  for (const json& l : JsonLines(ReadFile(first))) {
    if (l.contains("mentor_id") && l["mentor_id"].is_string()) before[l["enterprise_id"]] = l["mentor_id"];
  }
  ASSERT_FALSE(before.empty());
  const std::string leaving = before.begin()->second;
  CliRun r2 = Cli(Mentors({"--format", "jsonl", "--previous", first, "--unavailable", leaving}));
  ASSERT_EQ(r2.code, kExitOk) << r2.err;
  EXPECT_TRUE(Contains(r2.err, "re-matching: ")) << r2.err;
  std::vector<json> lines = JsonLines(r2.out);
  int changed = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    const json& l = lines[i];
    auto it = before.find(l["enterprise_id"]);
    if (it == before.end()) continue;
    if (it->second != leaving) {
      EXPECT_EQ(l.value("mentor_id", ""), it->second) << "kept: " << l;
      EXPECT_EQ(l["status"], "kept") << l;
    } else {
      EXPECT_NE(l.value("mentor_id", ""), leaving) << l;
    }
    if (l["changed"].get<bool>()) ++changed;
  }
  EXPECT_GT(changed, 0);
  EXPECT_EQ(lines.back()["summary"]["rematch"]["changed"].get<int>(), changed);
}

TEST_F(MatchCliTest, BadRegistryRowsAreReportedAndGoodRowsMatchedStrictExitsOne) {
  std::string csv = ReadFile(Src("data/demo/mentors.csv"));
  csv += "M-BAD,ผิด,9,0,0,0,0,food,TH-50,North,th,two,true\n";
  const std::string reg = Write("mentors.csv", csv);
  CliRun r = Cli({"match", "mentors", Src(kEnterprises), "--mentors", reg, "--rules", Src("rules"),
                  "--format", "jsonl"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_TRUE(Contains(r.err, "row 44 (M-BAD): expertise_entrepreneurship")) << r.err;
  EXPECT_TRUE(Contains(r.err, "capacity")) << r.err;
  EXPECT_TRUE(Contains(r.err, "1 invalid registry rows")) << r.err;
  EXPECT_FALSE(JsonLines(r.out).empty());
  CliRun strict = Cli({"match", "mentors", Src(kEnterprises), "--mentors", reg, "--rules",
                       Src("rules"), "--format", "jsonl", "--strict", "-q"});
  EXPECT_EQ(strict.code, kExitRecordErrors);
  EXPECT_EQ(strict.out, r.out);
}

TEST_F(MatchCliTest, ExitCodesForUsageRulesAndIo) {
  EXPECT_EQ(Cli({"match"}).code, kExitUsage);
  EXPECT_EQ(Cli({"match", "teachers"}).code, kExitUsage);
  EXPECT_EQ(Cli({"match", "mentors", "--help"}).code, kExitOk);
  EXPECT_EQ(Cli(Mentors({"--format", "xml"})).code, kExitUsage);
  EXPECT_EQ(Cli(Mentors({"--objective", "stable"})).code, kExitUsage);
  EXPECT_EQ(Cli(Mentors({"--top-k", "99"})).code, kExitUsage);
  EXPECT_EQ(Cli({"match", "mentors", "--mentors", Src("data/demo/mentors.json")}).code, kExitUsage);
  CliRun no_rules = Cli({"match", "mentors", Src(kEnterprises), "--mentors",
                         Src("data/demo/mentors.json"), "--rules", Path("nowhere")});
  EXPECT_EQ(no_rules.code, kExitRules) << no_rules.err;
  CliRun no_input = Cli({"match", "mentors", Path("none.jsonl"), "--mentors",
                         Src("data/demo/mentors.json"), "--rules", Src("rules")});
  EXPECT_EQ(no_input.code, kExitIo) << no_input.err;
  CliRun no_reg = Cli({"match", "mentors", Src(kEnterprises), "--mentors", Path("none.json"),
                       "--rules", Src("rules")});
  EXPECT_EQ(no_reg.code, kExitIo) << no_reg.err;
  CliRun bad_header = Cli({"match", "mentors", Src(kEnterprises), "--mentors",
                           Write("m.csv", "id,name,shoe_size\nM-1,x,42\n"), "--rules", Src("rules")});
  EXPECT_EQ(bad_header.code, kExitIo) << bad_header.err;
  EXPECT_TRUE(Contains(bad_header.err, "shoe_size")) << bad_header.err;
}

// -o: written only when complete; a failed run leaves an existing file as it was and no
// temporary file behind.
TEST_F(MatchCliTest, OutputFileIsAtomic) {
  const std::string out = Write("out.jsonl", "previous content\n");
  CliRun bad = Cli(Mentors({"-o", out, "--pin", "CM-001=M-999"}));
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_EQ(ReadFile(out), "previous content\n");
  CliRun missing_dir = Cli(Mentors({"-o", Path("no/such/dir/out.jsonl")}));
  EXPECT_EQ(missing_dir.code, kExitIo) << missing_dir.err;
  CliRun ok = Cli(Mentors({"-o", out, "-q"}));
  ASSERT_EQ(ok.code, kExitOk) << ok.err;
  EXPECT_NE(ReadFile(out), "previous content\n");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 1u) << "no temporary files left";
}

// A fit script that never ends on one mentor: killed by the instruction budget, the pair
// reported, the others matched; exit 1.
TEST_F(MatchCliTest, EndlessFitScriptIsKilledAndExitsOne) {
  const fs::path rules = dir_ / "rules";
  fs::copy(Src("rules"), rules, fs::copy_options::recursive);
  const fs::path script = rules / "matching" / "mentor_fit.lua";
  std::string text = ReadFile(script);
  text += "\npart 'stuck' { th = 'ค้าง', en = 'stuck', score = function(e, m, p)\n"
          "  if m.id == 'M-001' then while true do end end\n  return 0 end }\n";
  {
    std::ofstream o(script, std::ios::binary | std::ios::trunc);
    o << text;
  }
  CliRun r = Cli({"match", "mentors", Src(kEnterprises), "--mentors", Src("data/demo/mentors.json"),
                  "--rules", rules.string(), "--format", "jsonl"});
  EXPECT_EQ(r.code, kExitRecordErrors) << r.err;
  EXPECT_TRUE(Contains(r.err, "/ M-001: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "instruction budget")) << r.err;
  std::vector<json> lines = JsonLines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_GT(lines.back()["summary"]["matched"].get<int>(), 0);
  EXPECT_GT(lines.back()["summary"]["script_errors"].get<int>(), 0);
  for (const json& l : lines) {
    if (l.contains("mentor_id")) {
      EXPECT_NE(l["mentor_id"], "M-001") << l;
    }
  }
}

TEST_F(MatchCliTest, ChannelsReadinessAndSlotsInJson) {
  CliRun r = Cli({"match", "channels", Src(kEnterprises), "--channels", Src("data/demo/channels.json"),
                  "--rules", Src("rules"), "--format", "json", "-q"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  json doc = json::parse(r.out);
  ASSERT_TRUE(doc.contains("summary")) << r.out.substr(0, 500);
  std::map<std::string, int> slots;
  for (const json& c : json::parse(ReadFile(Src("data/demo/channels.json")))) {
    if (c.contains("slots")) slots[c["id"].get<std::string>()] = c["slots"].get<int>();
  }
  for (const json& c : doc["summary"]["channels"]) {
    const std::string id = c["channel_id"];
    if (slots.count(id)) {
      EXPECT_LE(c["assigned"].get<int>(), slots[id]) << id;
    }
    EXPECT_LE(c["assigned"].get<int>(), c["ready"].get<int>()) << id;
  }
  EXPECT_GT(doc["summary"]["assignments"].get<int>(), 0);
  // Same from the CSV registry.
  CliRun csv = Cli({"match", "channels", Src(kEnterprises), "--channels", Src("data/demo/channels.csv"),
                    "--rules", Src("rules"), "--format", "json", "-q"});
  EXPECT_EQ(csv.out, r.out);
  CliRun table = Cli({"match", "channels", Src(kEnterprises), "--channels",
                      Src("data/demo/channels.json"), "--rules", Src("rules"), "--format", "table",
                      "--lang", "en", "-q"});
  EXPECT_TRUE(Contains(table.out, "needs HACCP certification")) << table.out.substr(0, 2000);
  CliRun th = Cli({"match", "channels", Src(kEnterprises), "--channels",
                   Src("data/demo/channels.json"), "--rules", Src("rules"), "--format", "table", "-q"});
  EXPECT_TRUE(Contains(th.out, "HACCP")) << th.out.substr(0, 2000);
}

// CSV inputs with a UTF-8 byte order mark (as Excel saves them): the same result as JSON.
TEST_F(MatchCliTest, CsvInputsWithByteOrderMarkMatchLikeJson) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::string ents = Write("enterprises.csv", bom + ReadFile(Src("data/demo/enterprises.csv")));
  const std::string reg = Write("mentors.csv", bom + ReadFile(Src("data/demo/mentors.csv")));
  CliRun csv = Cli({"match", "mentors", ents, "--mentors", reg, "--rules", Src("rules"), "--format",
                    "jsonl", "-q"});
  CliRun js = Cli({"match", "mentors", Src("data/demo/enterprises.csv"), "--mentors",
                   Src("data/demo/mentors.json"), "--rules", Src("rules"), "--format", "jsonl", "-q"});
  ASSERT_EQ(csv.code, kExitOk) << csv.err;
  ASSERT_EQ(js.code, kExitOk) << js.err;
  EXPECT_EQ(csv.out, js.out);
  EXPECT_GT(JsonLines(csv.out).back()["summary"]["matched"].get<int>(), 0);
}

}  // namespace
}  // namespace smematch::cli
