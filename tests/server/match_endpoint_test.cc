// POST /v1/match/mentors and /v1/match/channels: answers on the demo registries agree with the
// engine called directly, errors carry pointers, and a broken matching script or registry is
// refused on reload while the old snapshot keeps serving.
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server.h"
#include "smematch/matching.h"
#include "smematch/registry.h"
#include "smematch/rule_set.h"

namespace smematch::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = SMEMATCH_SOURCE_DIR;
constexpr const char* kToken = "test-admin-token-match";

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("smematch_match_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static inline int n = 0;
};

// A server on an ephemeral port over a copy of the rules and demo registries in `dir`.
class Running {
 public:
  explicit Running(const fs::path& dir) {
    rules_ = dir / "rules";
    fs::copy(kSource / "rules", rules_, fs::copy_options::recursive);
    mentors_ = dir / "mentors.json";
    channels_ = dir / "channels.json";
    fs::copy_file(kSource / "data/demo/mentors.json", mentors_);
    fs::copy_file(kSource / "data/demo/channels.json", channels_);
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 4;
    o.rules_dir = rules_.string();
    o.mentors_registry = mentors_.string();
    o.channels_registry = channels_.string();
    o.admin_token = kToken;
    o.max_match_enterprises = 100;
    o.body_limit_bytes = 1u << 20;
    auto s = Server::Create(o);
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return;
    }
    server_ = std::move(*s);
    EXPECT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { server_->Run(); });
    for (int i = 0; i < 500; ++i) {
      auto r = Client().Get("/healthz");
      if (r && r->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~Running() {
    if (server_) {
      server_->Stop();
      thread_.join();
    }
  }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(60, 0);
    return c;
  }
  Server& server() { return *server_; }
  fs::path rules_, mentors_, channels_;

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

httplib::Result Post(httplib::Client& c, const std::string& path, const json& body) {
  return c.Post(path.c_str(), body.dump(), "application/json");
}

json ExpectProblem(const httplib::Result& r, int status) {
  EXPECT_TRUE(r);
  if (!r) return {};
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  json j = json::parse(r->body, nullptr, false);
  EXPECT_EQ(j["status"], status);
  EXPECT_TRUE(j["errors"].is_array());
  return j;
}

json Ok(const httplib::Result& r) {
  EXPECT_TRUE(r);
  if (!r) return {};
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  return json::parse(r->body, nullptr, false);
}

// The valid demo enterprises, as JSON objects (the file has deliberately bad lines: left out,
// as ReadProfiles leaves them out for the engine below).
json DemoEnterprises() {
  auto rules = RuleSet::Load((kSource / "rules").string());
  EXPECT_TRUE(rules.ok());
  json out = json::array();
  std::istringstream in(ReadText(kSource / "data/demo/enterprises.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<RegistryRowError> bad;
    auto one = ReadProfiles(line, RegistryFormat::kJsonLines, (*rules)->provinces(), &bad);
    if (!one.ok() || one->size() != 1) continue;
    out.push_back(json::parse(line));
  }
  return out;
}

// The engine called directly on the same inputs.
struct Direct {
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const MatchRules> match;
  std::vector<EnterpriseProfile> profiles;
  MentorRegistry mentors;
  ChannelRegistry channels;
  Direct() {
    rules = *RuleSet::Load((kSource / "rules").string());
    match = *MatchRules::Load((kSource / "rules").string(), rules->provinces());
    std::vector<RegistryRowError> bad;
    profiles = *ReadProfiles(ReadText(kSource / "data/demo/enterprises.jsonl"),
                             RegistryFormat::kJsonLines, rules->provinces(), &bad);
    mentors = *ReadMentorsFile((kSource / "data/demo/mentors.json").string(), rules->provinces());
    channels =
        *ReadChannelsFile((kSource / "data/demo/channels.json").string(), rules->provinces());
  }
};

TEST(MatchEndpoint, MentorsAgreeWithTheEngine) {
  TempDir dir;
  Running s(dir.path);
  auto c = s.Client();
  json enterprises = DemoEnterprises();
  json j = Ok(Post(c, "/v1/match/mentors", {{"enterprises", enterprises}, {"lang", "en"}}));
  Direct d;
  ASSERT_EQ(d.profiles.size(), enterprises.size());
  MatchOptions o;
  auto r = MatchMentors(d.profiles, d.mentors.items, *d.match, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(j["match_rules"], d.match->hash());
  EXPECT_EQ(j["rule_set"], d.rules->hash());
  EXPECT_EQ(j["lang"], "en");
  ASSERT_EQ(j["matches"].size(), r->matches.size());
  int matched = 0;
  for (size_t i = 0; i < r->matches.size(); ++i) {
    const EnterpriseMatch& m = r->matches[i];
    const json& h = j["matches"][i];
    EXPECT_EQ(h["enterprise_id"], d.profiles[m.enterprise].id);
    EXPECT_EQ(h["status"], std::string(MatchStatusName(m.status)));
    if (m.mentor >= 0) {
      ++matched;
      EXPECT_EQ(h["mentor_id"], d.mentors.items[m.mentor].id) << h.dump();
      EXPECT_EQ(h["mentor_name"], d.mentors.items[m.mentor].name);
      EXPECT_EQ(h["score"], m.score);
      int64_t sum = 0;
      for (const json& p : h["parts"]) sum += p["score"].get<int64_t>();
      EXPECT_EQ(sum, m.score);  // the breakdown adds up
    } else {
      EXPECT_EQ(h["unmatched"], m.unmatched_code);
    }
    EXPECT_EQ(h["reason"]["en"], m.reason.en);
    ASSERT_EQ(h["alternatives"].size(), m.alternatives.size());
    for (size_t k = 0; k < m.alternatives.size(); ++k) {
      EXPECT_EQ(h["alternatives"][k]["mentor_name"], d.mentors.items[m.alternatives[k].mentor].name);
    }
  }
  EXPECT_GT(matched, 0);
  EXPECT_EQ(j["summary"]["matched"], r->summary.matched);
  EXPECT_EQ(j["summary"]["total_score"], r->summary.total_score);
}

TEST(MatchEndpoint, SingleEnterpriseGetsSuggestions) {
  TempDir dir;
  Running s(dir.path);
  auto c = s.Client();
  json e = DemoEnterprises()[0];
  json j = Ok(Post(c, "/v1/match/mentors", {{"enterprise", e}, {"top_k", 2}}));
  ASSERT_EQ(j["matches"].size(), 1u);
  EXPECT_EQ(j["matches"][0]["enterprise_id"], e["id"]);
  EXPECT_LE(j["matches"][0]["alternatives"].size(), 2u);
  EXPECT_FALSE(j["matches"][0]["reason"]["th"].get<std::string>().empty());
  // Controls: forbidding the chosen mentor picks another (or none), never that one.
  if (j["matches"][0].contains("mentor_id")) {
    std::string chosen = j["matches"][0]["mentor_id"];
    json k = Ok(Post(c, "/v1/match/mentors",
                     {{"enterprise", e},
                      {"forbids", json::array({{{"enterprise", e["id"]}, {"mentor", chosen}}})}}));
    EXPECT_NE(k["matches"][0].value("mentor_id", ""), chosen);
    json u = Ok(Post(c, "/v1/match/mentors",
                     {{"enterprise", e}, {"unavailable", json::array({chosen})}}));
    EXPECT_NE(u["matches"][0].value("mentor_id", ""), chosen);
  }
}

TEST(MatchEndpoint, EligibleOnlyLeavesOutTheOthers) {
  TempDir dir;
  Running s(dir.path);
  auto c = s.Client();
  json enterprises = DemoEnterprises();
  json j = Ok(Post(c, "/v1/match/mentors",
                   {{"enterprises", enterprises}, {"eligible_only", true}, {"as_of", "2026-11-21"}}));
  EXPECT_EQ(j["matches"].size() + j["screened_out"].size(), enterprises.size());
  for (const json& x : j["screened_out"]) EXPECT_NE(x["star_sme"], "eligible");
}

TEST(MatchEndpoint, ChannelsAgreeWithTheEngine) {
  TempDir dir;
  Running s(dir.path);
  auto c = s.Client();
  json enterprises = DemoEnterprises();
  json j = Ok(Post(c, "/v1/match/channels", {{"enterprises", enterprises}}));
  Direct d;
  auto r = MatchChannels(d.profiles, d.channels.items, *d.match, ChannelOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(j["enterprises"].size(), r->enterprises.size());
  int ready = 0, gaps = 0;
  for (size_t i = 0; i < r->enterprises.size(); ++i) {
    const json& h = j["enterprises"][i];
    ASSERT_EQ(h["channels"].size(), r->enterprises[i].channels.size());
    for (size_t k = 0; k < r->enterprises[i].channels.size(); ++k) {
      const ChannelFit& f = r->enterprises[i].channels[k];
      const json& hc = h["channels"][k];
      EXPECT_EQ(hc["channel_id"], d.channels.items[f.channel].id);
      EXPECT_EQ(hc["readiness"], std::string(ReadinessName(f.readiness)));
      EXPECT_EQ(hc["assigned"], f.assigned);
      EXPECT_EQ(hc["gaps"].size(), f.gaps.size());
      if (f.score) {
        EXPECT_EQ(hc["score"], *f.score);
      }
      ready += f.readiness == Readiness::kReady;
      if (f.readiness == Readiness::kNotReady) {
        ++gaps;
        EXPECT_FALSE(hc["gaps"][0]["th"].get<std::string>().empty());
        EXPECT_FALSE(hc["gaps"][0]["en"].get<std::string>().empty());
      }
    }
  }
  EXPECT_GT(ready, 0);
  EXPECT_GT(gaps, 0);
  EXPECT_EQ(j["summary"]["assignments"], r->summary.assignments);
  EXPECT_EQ(j["match_rules"], d.match->hash());
}

TEST(MatchEndpoint, ErrorsNameTheField) {
  TempDir dir;
  Running s(dir.path);
  auto c = s.Client();
  json enterprises = DemoEnterprises();
  // A bad profile field in the 4th enterprise.
  json bad = enterprises;
  bad[3]["province"] = "TH-999";
  json j = ExpectProblem(Post(c, "/v1/match/mentors", {{"enterprises", bad}}), 400);
  ASSERT_FALSE(j["errors"].empty());
  EXPECT_EQ(j["errors"][0]["pointer"], "/enterprises/3/province") << j.dump();
  j = ExpectProblem(Post(c, "/v1/match/channels", {{"enterprises", bad}}), 400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/enterprises/3/province");
  // Unknown ids in the controls name the control.
  std::string first = enterprises[0]["id"];
  j = ExpectProblem(Post(c, "/v1/match/mentors",
                         {{"enterprises", enterprises},
                          {"pins", json::array({{{"enterprise", first}, {"mentor", "M-NOPE"}}})}}),
                    400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/pins/0/mentor");
  j = ExpectProblem(Post(c, "/v1/match/mentors",
                         {{"enterprises", enterprises}, {"unavailable", json::array({"X"})}}),
                    400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/unavailable/0");
  j = ExpectProblem(Post(c, "/v1/match/mentors",
                         {{"enterprises", enterprises}, {"province_quota", {{"TH-00", 1}}}}),
                    400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/province_quota/TH-00");
  // Options of the wrong kind, bad values.
  j = ExpectProblem(Post(c, "/v1/match/channels", {{"enterprises", enterprises}, {"top_k", 1}}),
                    400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/top_k");
  j = ExpectProblem(Post(c, "/v1/match/mentors", {{"enterprises", enterprises}, {"top_k", 99}}),
                    400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/top_k");
  j = ExpectProblem(Post(c, "/v1/match/mentors", {{"enterprises", json::array({1})}}), 400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/enterprises/0");
  // Duplicate ids.
  j = ExpectProblem(
      Post(c, "/v1/match/mentors", {{"enterprises", json::array({enterprises[0], enterprises[0]})}}),
      400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/enterprises/1/id");
  // More enterprises than a request may carry (the test server allows 100).
  json many = json::array();
  for (int i = 0; i < 101; ++i) many.push_back({{"id", "E" + std::to_string(i)}});
  j = ExpectProblem(Post(c, "/v1/match/mentors", {{"enterprises", many}}), 400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/enterprises");
  // Wrong type, unknown kind, wrong method, too large.
  ExpectProblem(c.Post("/v1/match/mentors", "{}", "text/plain"), 415);
  ExpectProblem(Post(c, "/v1/match/teachers", {{"enterprises", enterprises}}), 404);
  auto r = c.Get("/v1/match/mentors");
  ExpectProblem(r, 405);
  std::string huge = R"({"enterprises":[{"id":"x","name":")" + std::string(2 << 20, 'a') + "\"}]}";
  ExpectProblem(c.Post("/v1/match/mentors", huge, "application/json"), 413);
}

TEST(MatchEndpoint, MetricsLabelTheRoutes) {
  TempDir dir;
  Running s(dir.path);
  auto c = s.Client();
  json e = DemoEnterprises()[0];
  Ok(Post(c, "/v1/match/mentors", {{"enterprise", e}}));
  Ok(Post(c, "/v1/match/channels", {{"enterprise", e}}));
  // A request is counted after its response is written: poll.
  std::string body;
  for (int i = 0; i < 200; ++i) {
    auto m = c.Get("/metrics");
    ASSERT_TRUE(m);
    body = m->body;
    if (body.find(R"(route="/v1/match/channels",status="200")") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_NE(body.find(R"(smematch_http_requests_total{route="/v1/match/mentors",status="200"} 1)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"(smematch_http_requests_total{route="/v1/match/channels",status="200"} 1)"),
            std::string::npos);
}

TEST(MatchEndpoint, ReloadRefusesABrokenScriptOrRegistry) {
  TempDir dir;
  Running s(dir.path);
  auto c = s.Client();
  json e = DemoEnterprises()[0];
  json before = Ok(Post(c, "/v1/match/mentors", {{"enterprise", e}}));
  std::string hash = s.server().match_rules_hash();
  httplib::Headers auth = {{"Authorization", std::string("Bearer ") + kToken}};
  // A syntax error in mentor_fit.lua.
  fs::path script = s.rules_ / "matching/mentor_fit.lua";
  std::string good = ReadText(script);
  { std::ofstream(script, std::ios::trunc) << good << "\nthis is not lua (\n"; }
  json j = ExpectProblem(c.Post("/v1/admin/reload", auth, "", "application/json"), 422);
  EXPECT_NE(j["detail"].get<std::string>().find("mentor_fit.lua"), std::string::npos) << j.dump();
  EXPECT_EQ(s.server().match_rules_hash(), hash);
  json after = Ok(Post(c, "/v1/match/mentors", {{"enterprise", e}}));
  EXPECT_EQ(after["match_rules"], hash);
  EXPECT_EQ(after["matches"], before["matches"]);
  { std::ofstream(script, std::ios::trunc) << good; }
  // A registry with a bad row.
  std::string mentors = ReadText(s.mentors_);
  json reg = json::parse(mentors);
  reg[1]["capacity"] = -4;
  { std::ofstream(s.mentors_, std::ios::trunc) << reg.dump(); }
  j = ExpectProblem(c.Post("/v1/admin/reload", auth, "", "application/json"), 422);
  EXPECT_NE(j["detail"].get<std::string>().find("row 2"), std::string::npos) << j.dump();
  EXPECT_EQ(Ok(Post(c, "/v1/match/mentors", {{"enterprise", e}}))["matches"], before["matches"]);
  // Fixed: the reload goes through, and a registry change is served.
  reg[1]["capacity"] = 3;
  reg.erase(reg.begin());  // without the first mentor
  { std::ofstream(s.mentors_, std::ios::trunc) << reg.dump(); }
  auto r = c.Post("/v1/admin/reload", auth, "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  json now = Ok(Post(c, "/v1/match/mentors", {{"enterprise", e}}));
  EXPECT_EQ(now["summary"]["mentor_utilisation"].size(), reg.size());
}

}  // namespace
}  // namespace smematch::server
