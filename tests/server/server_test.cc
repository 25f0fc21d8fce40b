// Integration tests of the HTTP service: each test starts a Server in-process on an ephemeral
// loopback port and talks to it with httplib::Client.
#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit_log.h"

namespace smematch::server {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = SMEMATCH_SOURCE_DIR;
constexpr const char* kToken = "test-admin-token-0123456789";

// CM-005 of the demo data: an individual with a national ID.
constexpr const char* kIndividual =
    R"({"id":"CM-005","identifier":"3500100882153","name":"ร้านสมุนไพรแม่ศรีนวล",)"
    R"("legal_form":"individual","sector":"manufacturing","industry":"herbs","province":"TH-50",)"
    R"("employees":2,"annual_revenue_thb":640000,"years_operating":15,"certifications":["fda"]})";
constexpr const char* kCompany =
    R"({"id":"CM-001","identifier":"0505558004121","name":"Doi Saket Coffee",)"
    R"("legal_form":"juristic_person","sector":"manufacturing","industry":"coffee_tea",)"
    R"("province":"TH-50","employees":12,"annual_revenue_thb":9500000,"years_operating":6})";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// A fresh temporary directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("smematch_server_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static inline int counter = 0;
};

// Copies the real rule set to `dir`/rules and returns that path.
fs::path CopyRules(const fs::path& dir) {
  fs::path rules = dir / "rules";
  fs::copy(kSource / "rules", rules, fs::copy_options::recursive);
  return rules;
}

class Running {
 public:
  explicit Running(ServerOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    auto s = Server::Create(o);
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return;
    }
    server_ = std::move(*s);
    Status bound = server_->Bind();
    EXPECT_TRUE(bound.ok()) << bound.ToString();
    thread_ = std::thread([this] { server_->Run(); });
    // Wait until it answers.
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
  Server& server() { return *server_; }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(5, 0);
    c.set_read_timeout(60, 0);
    c.set_write_timeout(60, 0);
    return c;
  }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// Client threads that run `request` in a loop until Stop, counting 200 answers and the rest.
// At most 4 threads (the shared build machine: docs/server.md, "Tests"); the destructor stops
// and joins them, so a failed assertion never leaves a client running.
class Load {
 public:
  Load(const Running& s, int n, std::function<httplib::Result(httplib::Client&)> request) {
    for (int t = 0; t < std::min(n, 4); ++t) {
      threads_.emplace_back([this, &s, request] {
        auto c = s.Client();
        while (!stop_) {
          auto r = request(c);
          if (r && r->status == 200) ++ok;
          else ++failed;
        }
      });
    }
  }
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::atomic<int> ok{0}, failed{0};

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

ServerOptions Options(const fs::path& dir) {
  ServerOptions o;
  o.rules_dir = (kSource / "rules").string();
  o.audit_db = (dir / "audit.db").string();
  o.audit_sync_full = false;
  o.threads = 4;
  o.admin_token = kToken;
  return o;
}

httplib::Result PostJson(httplib::Client& c, const std::string& path, const std::string& body) {
  return c.Post(path.c_str(), body, "application/json");
}

json Body(const httplib::Result& r) { return json::parse(r->body, nullptr, false); }

// Expects an RFC 9457 problem with `status`; returns its body.
json ExpectProblem(const httplib::Result& r, int status) {
  EXPECT_TRUE(r);
  if (!r) return {};
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  json j = Body(r);
  EXPECT_EQ(j["status"], status);
  EXPECT_TRUE(j["type"].get<std::string>().starts_with("https://smematch.example/problems/"));
  EXPECT_TRUE(j["errors"].is_array());
  return j;
}

TEST(Server, ASecondServerOnAPortInUseFailsToBind) {
  TempDir dir, other;
  Running first(Options(dir.path));
  ServerOptions o = Options(other.path);
  o.host = "127.0.0.1";
  o.port = first.server().port();
  auto second = Server::Create(o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Status bound = (*second)->Bind();
  EXPECT_EQ(bound.code(), StatusCode::kUnavailable) << bound.ToString();
  EXPECT_NE(bound.message().find(std::to_string(o.port)), std::string::npos) << bound.message();
}

TEST(Server, OpsEndpoints) {
  TempDir dir;
  Running s(Options(dir.path));
  auto c = s.Client();
  auto r = c.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Body(r)["status"], "ok");
  r = c.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Body(r)["rule_set"], s.server().rule_set_hash());
  r = c.Get("/v1/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json api = Body(r);
  EXPECT_TRUE(api["openapi"].get<std::string>().starts_with("3."));
  EXPECT_EQ(api, json::parse(ReadFile(kSource / "docs/openapi.json")));
  for (const char* path : {"/v1/screen", "/v1/screen/batch", "/v1/programs", "/v1/programs/{id}",
                           "/v1/provinces", "/v1/decisions/{decision_id}",
                           "/v1/enterprises/{id}/decisions", "/v1/decisions/{decision_id}/replay",
                           "/v1/admin/reload", "/healthz", "/readyz", "/metrics",
                           "/v1/openapi.json", "/v1/match/mentors", "/v1/match/channels"}) {
    EXPECT_TRUE(api["paths"].contains(path)) << path;
  }
  PostJson(c, "/v1/screen", std::string(R"({"enterprise":)") + kCompany + "}");
  // A request is counted after its response is written: poll.
  for (int i = 0; i < 200; ++i) {
    r = c.Get("/metrics");
    ASSERT_TRUE(r);
    if (r->body.find("route=\"/v1/screen\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find(R"(smematch_http_requests_total{route="/v1/screen",status="200"} 1)"),
            std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("smematch_http_request_duration_seconds_bucket{route=\"/v1/screen\""),
            std::string::npos);
  EXPECT_NE(r->body.find(R"(smematch_decisions_total{program="BSC",outcome=)"), std::string::npos);
  EXPECT_NE(r->body.find("smematch_budget_kills_total 0"), std::string::npos);
  EXPECT_NE(r->body.find("# TYPE smematch_audit_queue_bytes gauge\nsmematch_audit_queue_bytes "),
            std::string::npos)
      << r->body;
}

TEST(Server, WebPageWithStrictCsp) {
  TempDir dir;
  Running s(Options(dir.path));
  auto c = s.Client();
  auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r->get_header_value("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(r->body, ReadFile(kSource / "server/web/index.html"));
  r = c.Get("/static/index.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ExpectProblem(c.Get("/static/nope.js"), 404);
  ExpectProblem(c.Get("/static/../CMakeLists.txt"), 404);
}

TEST(Server, ScreenOneEnterpriseAndLookItUp) {
  TempDir dir;
  Running s(Options(dir.path));
  auto c = s.Client();
  c.set_default_headers({{"X-Caller-Id", "case-system"}});
  auto r = PostJson(c, "/v1/screen",
                    std::string(R"({"enterprise":)") + kCompany +
                        R"(,"lang":"en","as_of":"2026-11-21"})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = Body(r);
  const std::string first_body = r->body;
  std::string id = j["decision_id"];
  EXPECT_TRUE(id.starts_with("dec_"));
  EXPECT_EQ(j["id"], "CM-001");
  EXPECT_EQ(j["as_of"], "2026-11-21");
  EXPECT_EQ(j["rule_set"], s.server().rule_set_hash());
  ASSERT_EQ(j["decisions"].size(), 4u);
  EXPECT_EQ(j["decisions"][0]["program"], "BSC");
  EXPECT_FALSE(j["decisions"][0]["criteria"].empty());
  EXPECT_TRUE(j["summary"]["BSC"].is_string());

  // A subset of programs.
  r = PostJson(c, "/v1/screen",
               std::string(R"({"enterprise":)") + kCompany + R"(,"programs":["ITC"]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  ASSERT_EQ(Body(r)["decisions"].size(), 1u);
  EXPECT_EQ(Body(r)["decisions"][0]["program"], "ITC");

  r = c.Get(("/v1/decisions/" + id).c_str());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json stored = Body(r);
  EXPECT_EQ(stored["decision_id"], id);
  EXPECT_EQ(stored["caller"], "case-system@127.0.0.1");
  EXPECT_EQ(stored["result"], j);
  // Byte for byte the answer the caller got (stored compressed; a lookup that did not
  // decompress would put a zstd frame here).
  EXPECT_TRUE(r->body.ends_with(",\"result\":" + first_body + "}")) << r->body;
  EXPECT_EQ(stored["input"]["identifier"], "0505558004121");  // a company's number is kept
  EXPECT_EQ(stored["outcomes"].size(), 4u);

  r = c.Get("/v1/enterprises/CM-001/decisions");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json list = Body(r)["decisions"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_GT(list[0]["decision_id"].get<std::string>(), id);  // newest first; ids sort by time
  EXPECT_EQ(list[1]["decision_id"], id);

  r = c.Post(("/v1/decisions/" + id + "/replay").c_str(), "", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json replay = Body(r);
  EXPECT_EQ(replay["changed"], false);
  EXPECT_EQ(replay["reproduced"], true);
  EXPECT_EQ(replay["stored_rule_set"], replay["current_rule_set"]);
  EXPECT_TRUE(replay["differences"].empty());

  ExpectProblem(c.Get("/v1/decisions/dec_00000000000000000000000000"), 404);
  ExpectProblem(c.Get("/v1/decisions/nonsense"), 404);
}

TEST(Server, NationalIdIsStoredMaskedAndReplayStillWorks) {
  TempDir dir;
  Running s(Options(dir.path));
  auto c = s.Client();
  auto r = PostJson(c, "/v1/screen", std::string(R"({"enterprise":)") + kIndividual + "}");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string id = Body(r)["decision_id"];
  r = c.Get(("/v1/decisions/" + id).c_str());
  ASSERT_TRUE(r);
  json stored = Body(r);
  EXPECT_EQ(stored["input"]["identifier"], "3XXXXXXXXXXXX");
  EXPECT_EQ(stored["input_masked"], true);
  EXPECT_EQ(r->body.find("3500100882153"), std::string::npos);
  r = c.Post(("/v1/decisions/" + id + "/replay").c_str(), "", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["reproduced"], true);
  EXPECT_EQ(Body(r)["input_masked"], true);
}

TEST(Server, ScreenErrors) {
  TempDir dir;
  ServerOptions o = Options(dir.path);
  o.body_limit_bytes = 64 * 1024;
  Running s(o);
  auto c = s.Client();
  json j = ExpectProblem(PostJson(c, "/v1/screen", "{\"enterprise\": {"), 400);
  EXPECT_EQ(j["errors"][0]["pointer"], "");
  EXPECT_NE(j["detail"].get<std::string>().find("at byte"), std::string::npos) << j["detail"];
  // Invalid UTF-8 is malformed JSON (400, never a 500 when the text is written back).
  ExpectProblem(PostJson(c, "/v1/screen", "{\"enterprise\":{\"id\":\"x\",\"name\":\"\xff\"}}"), 400);
  // An unknown member's pointer is escaped (RFC 6901).
  j = ExpectProblem(PostJson(c, "/v1/screen", R"({"enterprise":{"id":"x","name":"y"},"a/b~":1})"),
                    400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/a~1b~0");
  j = ExpectProblem(PostJson(c, "/v1/screen", "[1,2]"), 400);
  j = ExpectProblem(PostJson(c, "/v1/screen", "{}"), 400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/enterprise");
  j = ExpectProblem(
      PostJson(c, "/v1/screen",
               R"({"enterprise":{"id":"x","name":"y","employees":-3,"province":"TH-99"},)"
               R"("programs":["BSC","NOPE"],"lang":"fr","as_of":"2026-02-30"})"),
      400);
  std::vector<std::string> pointers;
  for (const json& e : j["errors"]) pointers.push_back(e["pointer"]);
  for (const char* p : {"/programs/1", "/lang", "/as_of", "/enterprise/employees",
                        "/enterprise/province"}) {
    EXPECT_NE(std::find(pointers.begin(), pointers.end(), p), pointers.end()) << p;
  }
  // A number beyond a double is malformed JSON too (was a 500).
  j = ExpectProblem(
      PostJson(c, "/v1/screen", R"({"enterprise":{"id":"x","name":"y","employees":1e400}})"), 400);
  EXPECT_EQ(j["detail"], "the body is not valid JSON: a number out of range");
  ExpectProblem(c.Post("/v1/screen/batch", std::string(R"([{"id":"x","name":"y","employees":-1e999}])"),
                       "application/json"),
                400);
  // Content after the object is malformed JSON, with its byte position.
  j = ExpectProblem(PostJson(c, "/v1/screen", std::string(R"({"enterprise":)") + kCompany + "} x"),
                    400);
  EXPECT_EQ(j["errors"][0]["pointer"], "");
  EXPECT_NE(j["detail"].get<std::string>().find("not valid JSON: at byte"), std::string::npos)
      << j["detail"];
  // A duplicate member: the last one counts (as a JSON object is read everywhere else).
  {
    auto r = PostJson(c, "/v1/screen", std::string(R"({"lang":"fr","enterprise":)") + kCompany +
                                           R"(,"lang":"en"})");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(Body(r)["lang"], "en");
  }
  // An enterprise nested 40 levels deep: refused before parsing, naming the byte.
  j = ExpectProblem(PostJson(c, "/v1/screen", std::string(R"({"enterprise":{"id":"x","a":)") +
                                                  std::string(40, '[') + std::string(40, ']') +
                                                  "}}"),
                    400);
  EXPECT_EQ(j["detail"], "the body nests arrays and objects deeper than 32 levels (at byte 58)");
  // Nested brackets (a stack-exhaustion attempt): refused before parsing; the server lives on.
  std::string deep = std::string(R"({"enterprise":{"id":"x","name":"y","extra":)") +
                     std::string(20000, '[') + std::string(20000, ']') + "}}";
  j = ExpectProblem(PostJson(c, "/v1/screen", deep), 400);
  EXPECT_NE(j["detail"].get<std::string>().find("deeper than"), std::string::npos);
  ExpectProblem(c.Post("/v1/screen/batch", std::string(20000, '[') + std::string(20000, ']'),
                       "application/json"),
                400);
  {
    // In JSON Lines the deep line is one bad record (the profile reader bounds depth itself).
    auto r = c.Post("/v1/screen/batch",
                    std::string(20000, '[') + std::string(20000, ']') + "\n" + kCompany + "\n",
                    "application/x-ndjson");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body.substr(0, 300);
    EXPECT_EQ(Body(r)["summary"]["invalid"], 1);
    EXPECT_EQ(Body(r)["summary"]["screened"], 1);
  }
  // Wrong content type.
  ExpectProblem(c.Post("/v1/screen", std::string("{}"), "text/plain"), 415);
  ExpectProblem(c.Post("/v1/screen/batch", std::string("[]"), "text/csv"), 415);
  // Over the body limit.
  std::string big = R"({"enterprise":{"id":"x","name":")" + std::string(100 * 1024, 'a') + "\"}}";
  ExpectProblem(PostJson(c, "/v1/screen", big), 413);
  // Unknown path; method not allowed.
  ExpectProblem(c.Get("/v1/nothing"), 404);
  auto r = c.Get("/v1/screen");
  ExpectProblem(r, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  r = c.Delete("/v1/programs");
  ExpectProblem(r, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "GET");
  // A date on which no program version is effective: the rules cannot decide.
  j = ExpectProblem(PostJson(c, "/v1/screen", std::string(R"({"enterprise":)") + kCompany +
                                                  R"(,"as_of":"2001-01-01"})"),
                    422);
  EXPECT_EQ(j["errors"][0]["pointer"], "/as_of");
  // Matching needs enterprises (tests/server/match_endpoint_test.cc has the rest).
  j = ExpectProblem(PostJson(c, "/v1/match/mentors", "{}"), 400);
  EXPECT_EQ(j["errors"][0]["pointer"], "/enterprises");
}

TEST(Server, BatchReportsBadItemsAndScreensTheRest) {
  TempDir dir;
  Running s(Options(dir.path));
  auto c = s.Client();
  std::string array = std::string("[") + kCompany + R"(,{"id":"bad","name":"b","province":"XX"},)" +
                      kIndividual + ",7]";
  auto r = c.Post("/v1/screen/batch?programs=BSC,ITC&as_of=2026-11-21", array, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json j = Body(r);
  EXPECT_EQ(j["as_of"], "2026-11-21");
  ASSERT_EQ(j["results"].size(), 4u);
  EXPECT_EQ(j["results"][0]["index"], 0);
  EXPECT_TRUE(j["results"][0]["decision_id"].get<std::string>().starts_with("dec_"));
  EXPECT_EQ(j["results"][0]["decisions"].size(), 2u);
  EXPECT_EQ(j["results"][1]["error"]["status"], 400);
  EXPECT_EQ(j["results"][1]["error"]["errors"][0]["pointer"], "/1/province");
  EXPECT_EQ(j["results"][3]["error"]["errors"][0]["pointer"], "/3");
  EXPECT_EQ(j["summary"]["screened"], 2);
  EXPECT_EQ(j["summary"]["invalid"], 2);
  json bsc = j["summary"]["by_program"]["BSC"];
  EXPECT_EQ(bsc["eligible"].get<int>() + bsc["ineligible"].get<int>() +
                bsc["needs_information"].get<int>() + bsc["error"].get<int>(),
            2);
  EXPECT_TRUE(j["summary"]["by_province"]["TH-50"].contains("ITC"));
  // Each screened record is stored with its own answer (the batch item without its index).
  for (size_t i : {0u, 2u}) {
    json item = j["results"][i];
    auto stored = c.Get(("/v1/decisions/" + item["decision_id"].get<std::string>()).c_str());
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->status, 200) << stored->body;
    item.erase("index");
    EXPECT_EQ(Body(stored)["result"], item);
  }

  std::string lines = std::string(kCompany) + "\n\n" + R"({"id":"x"})" + "\n" + kIndividual + "\n";
  r = c.Post("/v1/screen/batch", lines, "application/x-ndjson");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  j = Body(r);
  ASSERT_EQ(j["results"].size(), 3u);
  EXPECT_EQ(j["results"][1]["line"], 3);
  EXPECT_EQ(j["results"][1]["error"]["errors"][0]["pointer"], "/1/name");
  EXPECT_EQ(j["results"][2]["decisions"].size(), 4u);

  ExpectProblem(c.Post("/v1/screen/batch", std::string("{}"), "application/json"), 400);
  ExpectProblem(c.Post("/v1/screen/batch?programs=NOPE", std::string("[]"), "application/json"),
                400);
}

TEST(Server, ProgramsAndProvinces) {
  TempDir dir;
  Running s(Options(dir.path));
  auto c = s.Client();
  auto r = c.Get("/v1/programs");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json j = Body(r);
  EXPECT_EQ(j["rule_set"], s.server().rule_set_hash());
  ASSERT_GE(j["programs"].size(), 4u);
  json p = j["programs"][0];
  for (const char* k : {"id", "version", "name", "description", "effective_from", "effective_to",
                        "source", "parameters", "criteria", "groups"}) {
    EXPECT_TRUE(p.contains(k)) << k;
  }
  EXPECT_TRUE(p["parameters"][0].contains("assumed"));
  r = c.Get("/v1/programs/STAR_SME?as_of=2026-11-21");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(Body(r)["id"], "STAR_SME");
  EXPECT_FALSE(Body(r)["groups"].empty());
  // A criterion written as a condition shows its text.
  json established;
  const json star = Body(r);
  for (const json& cj : star["criteria"]) {
    if (cj["id"] == "established") established = cj;
  }
  EXPECT_EQ(established.value("condition", ""), "e.years_operating >= p.min_years_operating");
  ExpectProblem(c.Get("/v1/programs/NOPE"), 404);
  r = c.Get("/v1/provinces");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  j = Body(r);
  EXPECT_EQ(j["provinces"].size(), 77u);
  bool found = false;
  for (const json& pr : j["provinces"]) {
    if (pr["code"] == "TH-50") found = pr["name_en"] == "Chiang Mai";
    if (found) break;
  }
  EXPECT_TRUE(found);
}

TEST(Server, ReloadNeedsTheToken) {
  TempDir dir;
  Running s(Options(dir.path));
  auto c = s.Client();
  auto r = c.Post("/v1/admin/reload", "", "application/json");
  ExpectProblem(r, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate").rfind("Bearer", 0), 0u);
  c.set_bearer_token_auth("wrong-token");
  ExpectProblem(c.Post("/v1/admin/reload", "", "application/json"), 401);
  c.set_bearer_token_auth(kToken);
  r = c.Post("/v1/admin/reload", "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["changed"], false);

  TempDir dir2;
  ServerOptions o = Options(dir2.path);
  o.admin_token.clear();
  Running closed(o);
  auto c2 = closed.Client();
  c2.set_bearer_token_auth(kToken);
  ExpectProblem(c2.Post("/v1/admin/reload", "", "application/json"), 403);
}

// Screens continuously from several threads while the rules are changed and reloaded, broken
// and refused, and changed back: no request may fail.
TEST(Server, ReloadUnderLoadFailsNoRequest) {
  TempDir dir;
  fs::path rules = CopyRules(dir.path);
  ServerOptions o = Options(dir.path);
  o.rules_dir = rules.string();
  Running s(o);
  std::string original_hash = s.server().rule_set_hash();
  Load load(s, 4, [](httplib::Client& c) {
    return PostJson(c, "/v1/screen", std::string(R"({"enterprise":)") + kCompany + "}");
  });
  auto admin = s.Client();
  admin.set_bearer_token_auth(kToken);
  fs::path bsc = rules / "programs/bsc.lua";
  std::string text = ReadFile(bsc);
  std::set<std::string> hashes;
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    WriteFile(bsc, text + "\n-- edited " + std::to_string(round) + "\n");
    auto r = admin.Post("/v1/admin/reload", "", "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    hashes.insert(Body(r)["rule_set"].get<std::string>());
    std::string good = s.server().rule_set_hash();
    // A broken edit is refused with its error; the previous rules keep serving.
    WriteFile(bsc, text + "\ncriterion \"broken\" {\n");
    json j = ExpectProblem(admin.Post("/v1/admin/reload", "", "application/json"), 422);
    ASSERT_FALSE(j["errors"].empty());
    EXPECT_NE(j["errors"][0]["detail"].get<std::string>().find("bsc.lua"), std::string::npos);
    EXPECT_EQ(s.server().rule_set_hash(), good);
  }
  WriteFile(bsc, text);
  auto r = admin.Post("/v1/admin/reload", "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(Body(r)["rule_set"], original_hash);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  load.Stop();
  EXPECT_EQ(load.failed, 0);
  EXPECT_GT(load.ok, 0);
  EXPECT_EQ(hashes.size(), 3u);
  // Decisions made under an edited rule set replay on it.
  auto c = s.Client();
  auto list = Body(c.Get("/v1/enterprises/CM-001/decisions?limit=10000"))["decisions"];
  std::set<std::string> used;
  for (const json& d : list) used.insert(d["rule_set"].get<std::string>());
  EXPECT_GE(used.size(), 2u);
  for (const json& d : list) {
    if (d["rule_set"] == original_hash) continue;
    auto rr = c.Post(("/v1/decisions/" + d["decision_id"].get<std::string>() + "/replay").c_str(),
                     "", "application/json");
    ASSERT_TRUE(rr);
    ASSERT_EQ(rr->status, 200) << rr->body;
    EXPECT_EQ(Body(rr)["reproduced"], true);
    EXPECT_NE(Body(rr)["stored_rule_set"], Body(rr)["current_rule_set"]);
    break;
  }
}

TEST(Server, WatchedRulesFolderReloads) {
  TempDir dir;
  fs::path rules = CopyRules(dir.path);
  ServerOptions o = Options(dir.path);
  o.rules_dir = rules.string();
  o.watch_rules_seconds = 1;
  Running s(o);
  std::string before = s.server().rule_set_hash();
  fs::path bsc = rules / "programs/bsc.lua";
  WriteFile(bsc, ReadFile(bsc) + "\n-- watched edit\n");
  for (int i = 0; i < 100 && s.server().rule_set_hash() == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(s.server().rule_set_hash(), before);
}

// Hostile rules: an endless loop and a memory bomb are stopped by their budgets (422), while
// other requests keep being served.
TEST(Server, HostileRuleIsStoppedByItsBudget) {
  TempDir dir;
  fs::path rules = CopyRules(dir.path);
  WriteFile(rules / "programs/zz_loop.lua", R"(
program { id = "LOOP", version = "1", effective_from = "2025-10-01", name = { th = "ลูป", en = "loop" } }
criterion "forever" { th = "ลูป", en = "loop",
  test = function(e) while true do end end,
  fail = { th = "ไม่ผ่าน", en = "failed" } }
)");
  WriteFile(rules / "programs/zz_memory.lua", R"(
program { id = "MEMORY", version = "1", effective_from = "2025-10-01", name = { th = "หน่วยความจำ", en = "memory" } }
criterion "bomb" { th = "ระเบิด", en = "bomb",
  test = function(e)
    local t, s, i = {}, string.rep("x", 10000), 0
    while true do i = i + 1; t[i] = s .. i end
  end,
  fail = { th = "ไม่ผ่าน", en = "failed" } }
)");
  ServerOptions o = Options(dir.path);
  o.rules_dir = rules.string();
  Running s(o);
  Load load(s, 2, [](httplib::Client& c) {
    return PostJson(c, "/v1/screen", std::string(R"({"enterprise":)") + kCompany +
                                         R"(,"programs":["BSC","ITC"]})");
  });
  auto c = s.Client();
  for (const char* program : {"LOOP", "MEMORY"}) {
    for (int i = 0; i < 3; ++i) {
      json j = ExpectProblem(PostJson(c, "/v1/screen",
                                      std::string(R"({"enterprise":)") + kCompany +
                                          R"(,"programs":[")" + program + R"(","BSC"]})"),
                             422);
      EXPECT_EQ(j["type"], "https://smematch.example/problems/rule-error");
      std::string detail = j["errors"][0]["detail"];
      EXPECT_NE(detail.find(std::string(program) == "LOOP" ? "instruction budget" : "memory limit"),
                std::string::npos)
          << detail;
      // The decision is still recorded and returned, with the other program decided.
      EXPECT_TRUE(j["result"]["decision_id"].get<std::string>().starts_with("dec_"));
      EXPECT_EQ(j["result"]["decisions"][0]["outcome"], "error");
      EXPECT_NE(j["result"]["decisions"][1]["outcome"], "error");
    }
  }
  load.Stop();
  EXPECT_EQ(load.failed, 0);
  EXPECT_GT(load.ok, 0);
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("smematch_budget_kills_total 6"), std::string::npos) << m->body;
  EXPECT_NE(m->body.find(R"(smematch_decisions_total{program="LOOP",outcome="error"} 3)"),
            std::string::npos);
}

// A raw loopback TCP connection, for what httplib::Client does not send.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool Send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Reads what arrives within `seconds`; stops at the end of a response whose headers and
  // Content-Length-sized body are in, or when the server closes (sets closed()).
  std::string Read(int seconds) {
    std::string in;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      in.append(buf, static_cast<size_t>(n));
      size_t end = in.find("\r\n\r\n");
      size_t cl = in.find("Content-Length: ");
      if (end != std::string::npos && cl != std::string::npos &&
          in.size() >= end + 4 + std::stoul(in.substr(cl + 16))) {
        break;
      }
    }
    return in;
  }
  bool closed() const { return closed_; }
  // TCP segments this socket has received so far: tcpi_segs_in of Linux's TCP_INFO (4.2+),
  // which glibc's struct tcp_info stops short of (the kernel's struct only grows at its end).
  uint32_t SegmentsIn() const {
    struct {
      tcp_info glibc;
      uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
      uint32_t segs_out, segs_in;
    } info{};
    socklen_t size = sizeof info;
    EXPECT_EQ(getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &size), 0);
    EXPECT_GE(size, sizeof info) << "kernel without tcpi_segs_in";
    return info.segs_in;
  }

 private:
  int fd_ = -1;
  bool closed_ = false;
};

// The rule tick (a signal every 250 µs on a thread that evaluated rules) must not keep
// cpp-httplib's timeouts from expiring: a silent keep-alive connection is closed after the
// keep-alive timeout, and a body without a length is refused (411) instead of read for ever.
TEST(Server, SilentClientsDoNotHoldWorkers) {
  TempDir dir;
  ServerOptions o = Options(dir.path);
  o.keep_alive_timeout_seconds = 1;
  Running s(o);
  RawConnection idle(s.server().port());
  ASSERT_TRUE(idle.ok());
  std::string body = std::string(R"({"enterprise":)") + kCompany + "}";
  ASSERT_TRUE(idle.Send("POST /v1/screen HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  std::string response = idle.Read(30);
  ASSERT_TRUE(response.starts_with("HTTP/1.1 200")) << response.substr(0, 200);
  // Now silent: the worker that just ran the rules must still time the connection out.
  idle.Read(30);
  EXPECT_TRUE(idle.closed()) << "the server kept a silent keep-alive connection open";

  RawConnection no_length(s.server().port());
  ASSERT_TRUE(no_length.ok());
  ASSERT_TRUE(no_length.Send(
      "POST /v1/screen HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\r\n"));
  response = no_length.Read(30);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 411")) << response.substr(0, 200);
  EXPECT_NE(response.find("application/problem+json"), std::string::npos);
}

// httplib writes headers and body with two send() calls; the screen handler corks the socket so
// that an answer on a keep-alive connection arrives as one TCP segment, not two
// (response_cork.h). Counted on the client's socket.
TEST(Server, ScreenAnswersOnAKeepAliveConnectionAreOneSegmentEach) {
  TempDir dir;
  Running s(Options(dir.path));
  RawConnection conn(s.server().port());
  ASSERT_TRUE(conn.ok());
  std::string body = std::string(R"({"enterprise":)") + kCompany + R"(,"explain":false})";
  std::string request = "POST /v1/screen HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  auto answer = [&] {
    ASSERT_TRUE(conn.Send(request));
    std::string response = conn.Read(30);
    ASSERT_TRUE(response.starts_with("HTTP/1.1 200")) << response.substr(0, 200);
    EXPECT_NE(response.find("\"decision_id\""), std::string::npos);
  };
  answer();  // the first request of a connection is not corked (response_cork.h)
  uint32_t before = conn.SegmentsIn();
  constexpr int kAnswers = 20;
  for (int i = 0; i < kAnswers; ++i) answer();
  uint32_t segments = conn.SegmentsIn() - before;
  EXPECT_LE(segments, kAnswers + kAnswers / 4) << "two segments per answer: not corked";
  // Other routes on the same connection are not held back by a cork left behind.
  ASSERT_TRUE(conn.Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto t0 = std::chrono::steady_clock::now();
  std::string health = conn.Read(30);
  EXPECT_TRUE(health.starts_with("HTTP/1.1 200")) << health.substr(0, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150))
      << "a corked socket waits 200 ms before it sends";
}

TEST(Server, AuditOffStillAnswersWithIds) {
  TempDir dir;
  ServerOptions o = Options(dir.path);
  o.audit_db.clear();
  Running s(o);
  auto c = s.Client();
  auto r = PostJson(c, "/v1/screen", std::string(R"({"enterprise":)") + kCompany + "}");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  std::string id = Body(r)["decision_id"];
  ExpectProblem(c.Get(("/v1/decisions/" + id).c_str()), 404);
  EXPECT_FALSE(fs::exists(dir.path / "audit.db"));
}

TEST(Server, RefusesABrokenRuleSetAtStart) {
  ServerOptions o;
  o.rules_dir = (kSource / "tests/testdata/policy_broken").string();
  auto s = Server::Create(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace smematch::server
