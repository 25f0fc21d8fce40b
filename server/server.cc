#include "server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <mutex>
#include <regex>
#include <set>
#include <unordered_map>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "decision_id.h"
#include "json_util.h"
#include "match_api.h"
#include "metrics.h"
#include "problem.h"
#include "replay.h"
#include "response_cork.h"
#include "screen_request.h"
#include "smematch/decision_writer.h"
#include "smematch/profile_io.h"
#include "smematch/screener.h"

namespace smematch {
struct EmbeddedFile {
  const char* name;
  const unsigned char* data;
  size_t size;
};
extern const EmbeddedFile kWebFiles[];
extern const size_t kWebFilesCount;
extern const unsigned char kOpenApiJson[];
extern const size_t kOpenApiJsonSize;
}  // namespace smematch

namespace smematch::server {
namespace {

using nlohmann::json;

// Route labels for metrics; the index is what handlers record.
enum Route : size_t {
  kRouteIndex, kRouteStatic, kRouteScreen, kRouteBatch, kRoutePrograms, kRouteProgram,
  kRouteProvinces, kRouteDecision, kRouteEnterpriseDecisions, kRouteReplay, kRouteReload,
  kRouteHealthz, kRouteReadyz, kRouteMetrics, kRouteOpenApi, kRouteMatchMentors,
  kRouteMatchChannels, kRouteOther,
};
std::vector<std::string> RouteLabels() {
  return {"/", "/static/{file}", "/v1/screen", "/v1/screen/batch", "/v1/programs",
          "/v1/programs/{id}", "/v1/provinces", "/v1/decisions/{id}",
          "/v1/enterprises/{id}/decisions", "/v1/decisions/{id}/replay", "/v1/admin/reload",
          "/healthz", "/readyz", "/metrics", "/v1/openapi.json", "/v1/match/mentors",
          "/v1/match/channels", "other"};
}

constexpr const char* kJson = "application/json";
constexpr const char* kCsp =
    "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; "
    "object-src 'none'";

// The Lua sandbox's per-thread tick (engine/src/lua/lua_sandbox.cc: a CLOCK_MONOTONIC timer
// signalling SIGRTMIN + 3 every 250 µs to the thread, for as long as the thread lives, once it
// has evaluated a rule). cpp-httplib restarts an interrupted poll() with its full timeout, so
// a thread receiving 4,000 signals a second never times out a silent client: a keep-alive
// connection or a body that never comes would hold a worker for ever and block shutdown.
// So the tick is blocked on the HTTP threads (Run blocks it before the pool is created; the
// threads inherit the mask) and unblocked only while a handler runs (TickWindow), which is
// where every rule is evaluated. A POSIX timer queues at most one pending signal, so a blocked
// tick costs nothing; the one pending is delivered at the next window, outside any Lua call,
// where the sandbox ignores it.
sigset_t TickSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGRTMIN + 3);
  return set;
}

class TickWindow {
 public:
  // SIG_UNBLOCK opens the window; SIG_BLOCK closes it for a scope inside one (a wait that
  // runs no rule, such as the audit commit: ticks would wake the waiting futex every 250 µs).
  explicit TickWindow(int how = SIG_UNBLOCK) {
    sigset_t set = TickSignalSet();
    if (how == SIG_UNBLOCK) DropPendingTick(set);
    pthread_sigmask(how, &set, &old_);
  }
  ~TickWindow() {
    sigset_t set = TickSignalSet();
    if (!sigismember(&old_, SIGRTMIN + 3)) DropPendingTick(set);
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  TickWindow(const TickWindow&) = delete;
  TickWindow& operator=(const TickWindow&) = delete;

 private:
  // A tick that came while the signal was blocked would be delivered the moment the window
  // opens, outside any Lua call, where the sandbox ignores it: dequeue it instead, which costs
  // one system call rather than a signal frame (the AVX state saved and restored).
  static void DropPendingTick(const sigset_t& set) {
    static const timespec kNoWait{0, 0};
    sigtimedwait(&set, nullptr, &kNoWait);
  }

  sigset_t old_;
};

// Per worker thread: the request's timing and route, and a Screener for one rule-set snapshot.
thread_local std::chrono::steady_clock::time_point tl_start;
thread_local size_t tl_route = kRouteOther;

struct WorkerState {
  std::shared_ptr<const RuleSet> rules;
  std::unique_ptr<Screener> screener;
  std::unique_ptr<ProfileReader> reader;
  EnterpriseProfile profile;
  std::vector<Decision> decisions;
  std::vector<FieldError> errors;
};
thread_local WorkerState tl_worker;

// Returns this thread's Screener for `rules`, building it when the snapshot changed (a reload).
Result<WorkerState*> Worker(const std::shared_ptr<const RuleSet>& rules) {
  WorkerState& w = tl_worker;
  if (w.rules != rules) {
    w.screener.reset();
    w.reader.reset();
    w.rules.reset();
    auto screener = Screener::Create(rules);
    if (!screener.ok()) return screener.status();
    w.screener = std::move(*screener);
    w.reader = std::make_unique<ProfileReader>(&rules->provinces());
    w.rules = rules;
  }
  return &w;
}

std::string MediaType(const httplib::Request& req) {
  std::string ct = req.get_header_value("Content-Type");
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  while (!ct.empty() && ct.front() == ' ') ct.erase(0, 1);
  for (char& c : ct) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ct;
}

std::string_view OutcomeLabel(Outcome o, Lang lang) {
  if (lang == Lang::kEn) {
    switch (o) {
      case Outcome::kEligible: return "Eligible";
      case Outcome::kIneligible: return "Not eligible";
      case Outcome::kNeedsInformation: return "Needs information";
      case Outcome::kError: return "Rule error";
    }
  }
  switch (o) {
    case Outcome::kEligible: return "มีสิทธิ์";
    case Outcome::kIneligible: return "ไม่มีสิทธิ์";
    case Outcome::kNeedsInformation: return "ต้องการข้อมูลเพิ่มเติม";
    case Outcome::kError: return "กฎทำงานผิดพลาด";
  }
  return "";
}

// {"BSC":"Not eligible: <reasons of the failed or undecided criteria>", ...} in `lang`.
void AppendSummary(const std::vector<Decision>& decisions, Lang lang, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < decisions.size(); ++i) {
    const Decision& d = decisions[i];
    if (i) out->push_back(',');
    AppendJsonString(d.program->id, out);
    out->push_back(':');
    std::string text(OutcomeLabel(d.outcome, lang));
    if (d.outcome == Outcome::kError) {
      text += ": " + d.error.message();
    } else {
      bool problems = d.failed != 0 || d.undecided != 0;
      std::string reasons;
      for (const CriterionResult& c : d.criteria) {
        if (problems && c.outcome == CriterionOutcome::kPass) continue;
        if (!problems) break;
        if (!reasons.empty()) reasons += "; ";
        reasons += lang == Lang::kTh ? c.reason.th : c.reason.en;
      }
      if (!reasons.empty()) text += ": " + reasons;
    }
    AppendJsonString(text, out);
  }
  out->push_back('}');
}

json TextJson(const LocalizedText& t) { return {{"th", t.th}, {"en", t.en}}; }

json ProgramJson(const ProgramInfo& p) {
  json j = {{"id", p.id},
            {"version", p.version},
            {"name", TextJson(p.name)},
            {"description", TextJson(p.description)},
            {"effective_from", p.effective_from.ToString()},
            {"effective_to", p.effective_to ? json(p.effective_to->ToString()) : json(nullptr)},
            {"source", p.source},
            {"script", p.script},
            {"has_score", p.has_score}};
  json params = json::array();
  for (const ParameterInfo& q : p.parameters) {
    params.push_back({{"name", q.name}, {"value", q.value}, {"type", q.type}, {"unit", q.unit},
                      {"description", TextJson(q.description)}, {"source", q.source},
                      {"assumed", q.assumed}});
  }
  j["parameters"] = std::move(params);
  json criteria = json::array();
  for (const CriterionInfo& c : p.criteria) {
    json cj = {{"id", c.id}, {"title", TextJson(c.title)}, {"source", c.source}, {"assumed", c.assumed}};
    if (!c.condition.empty()) cj["condition"] = c.condition;
    criteria.push_back(std::move(cj));
  }
  j["criteria"] = std::move(criteria);
  json groups = json::array();
  for (const GroupInfo& g : p.groups) groups.push_back({{"id", g.id}, {"label", TextJson(g.label)}});
  j["groups"] = std::move(groups);
  j["benefit"] = p.benefit ? TextJson(*p.benefit) : json(nullptr);
  return j;
}

// Checks `token` against `expected` in time independent of where they differ (both are hashed
// first, so the length of `expected` does not leak either).
bool TokenMatches(std::string_view token, std::string_view expected) {
  unsigned char a[EVP_MAX_MD_SIZE], b[EVP_MAX_MD_SIZE];
  unsigned int la = 0, lb = 0;
  EVP_Digest(token.data(), token.size(), a, &la, EVP_sha256(), nullptr);
  EVP_Digest(expected.data(), expected.size(), b, &lb, EVP_sha256(), nullptr);
  return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

std::string ContentTypeFor(std::string_view name) {
  auto ends = [&](std::string_view s) { return name.ends_with(s); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".woff2")) return "font/woff2";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  httplib::Server http;
  Metrics metrics{RouteLabels()};
  DecisionIdGenerator ids;
  std::unique_ptr<AuditLog> audit;
  RuleSetCache replay_cache;
  int port = 0;

  mutable std::mutex rules_mu;
  std::shared_ptr<const RuleSet> rules;  // guarded by rules_mu; swapped whole
  std::shared_ptr<const MatchData> match;  // guarded by rules_mu; swapped with `rules`
  std::string mentors_path, channels_path;  // resolved at Create (DefaultRegistryPath)
  std::mutex reload_mu;                  // one reload at a time

  std::mutex watch_mu;
  std::condition_variable watch_cv;
  bool watch_stop = false;
  std::thread watcher;
  std::string watch_failed_hash;

  // Stop before or while Run: see Server::Stop.
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> run_started{false};
  std::atomic<bool> run_finished{false};  // the last refused content, so it is reported once

  std::shared_ptr<const RuleSet> Snapshot() const {
    std::lock_guard lock(rules_mu);
    return rules;
  }
  std::shared_ptr<const MatchData> MatchSnapshot() const {
    std::lock_guard lock(rules_mu);
    return match;
  }

  Result<std::shared_ptr<const MatchData>> LoadMatch(const RuleSet& next) {
    return LoadMatchData(options.rules_dir, next.provinces(), options.limits, mentors_path,
                         channels_path);
  }

  void Log(const std::string& line) { std::fprintf(stderr, "smematch serve: %s\n", line.c_str()); }

  // Swaps in `next` after storing it in the audit trail.
  // Swaps in `next` (after storing it in the audit trail when it is new) and `next_match`
  // together.
  Status Install(std::shared_ptr<const RuleSet> next, std::shared_ptr<const MatchData> next_match) {
    bool changed = !rules || rules->hash() != next->hash();
    if (changed && audit) SMEMATCH_RETURN_IF_ERROR(audit->StoreRuleSet(*next));
    if (changed) metrics.SetRuleSet(next->hash(), static_cast<int64_t>(std::time(nullptr)));
    std::lock_guard lock(rules_mu);
    rules = std::move(next);
    match = std::move(next_match);
    return Status::Ok();
  }

  Result<std::string> Reload() {
    std::lock_guard lock(reload_mu);
    auto files = RuleSet::ReadFiles(options.rules_dir);
    if (!files.ok()) {
      metrics.ObserveReload(false);
      return files.status();
    }
    return LoadAndSwap(std::move(*files));
  }

  Result<std::string> LoadAndSwap(std::vector<RuleSet::File> files) {
    auto next = RuleSet::FromFiles(std::move(files), options.limits);
    if (!next.ok()) {
      metrics.ObserveReload(false);
      return next.status();
    }
    // The matching scripts and the registries are part of the snapshot: a broken one refuses
    // the whole reload.
    auto next_match = LoadMatch(**next);
    if (!next_match.ok()) {
      metrics.ObserveReload(false);
      return next_match.status();
    }
    std::string hash = (*next)->hash();
    bool changed = hash != Snapshot()->hash();
    Status s = Install(*next, *next_match);
    if (!s.ok()) {
      metrics.ObserveReload(false);
      return s;
    }
    if (changed) Log("rule set " + hash + " loaded");
    metrics.ObserveReload(true);
    return hash;
  }

  void WatchLoop() {
    // Like the HTTP threads, the watcher sleeps with the rule tick blocked (see TickWindow).
    sigset_t tick = TickSignalSet();
    pthread_sigmask(SIG_BLOCK, &tick, nullptr);
    std::unique_lock lock(watch_mu);
    while (!watch_cv.wait_for(lock, std::chrono::seconds(options.watch_rules_seconds),
                              [&] { return watch_stop; })) {
      lock.unlock();
      auto files = RuleSet::ReadFiles(options.rules_dir);
      if (files.ok()) {
        const std::vector<RuleSet::File>& now = Snapshot()->files();
        bool same = now.size() == files->size();
        for (size_t i = 0; same && i < now.size(); ++i) {
          same = now[i].path == (*files)[i].path && now[i].text == (*files)[i].text;
        }
        std::string signature;
        for (const auto& f : *files) signature += f.path + '\0' + std::to_string(f.text.size()) +
                                                  '\0' + f.text;
        // The matching scripts count too (they are read again by LoadAndSwap).
        std::shared_ptr<const MatchData> m = MatchSnapshot();
        for (MatchKind kind : {MatchKind::kMentor, MatchKind::kChannel}) {
          std::string path = options.rules_dir + (kind == MatchKind::kMentor
                                                      ? "/matching/mentor_fit.lua"
                                                      : "/matching/channel_readiness.lua");
          std::ifstream in(path, std::ios::binary);
          std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
          signature += path + '\0' + text;
          if (m && m->rules && m->rules->file(kind).text != text) same = false;
          if (m && !m->rules && !text.empty()) same = false;
        }
        if (!same && signature != watch_failed_hash) {
          std::lock_guard rl(reload_mu);
          TickWindow window;
          auto r = LoadAndSwap(std::move(*files));
          if (!r.ok()) {
            watch_failed_hash = signature;
            Log("rules changed but were refused; still serving " + Snapshot()->hash() + ":\n" +
                r.status().message());
          }
        }
      }
      lock.lock();
    }
  }

  // ---- responses ----

  void Send(httplib::Response& res, int status, std::string body, const char* type = kJson) {
    res.status = status;
    res.set_content(std::move(body), type);
  }

  void SendProblem(httplib::Response& res, const Problem& p) {
    res.status = p.status;
    res.set_content(ProblemJson(p), std::string(kProblemContentType).c_str());
  }

  void BadRequest(httplib::Response& res, std::string detail, std::vector<ProblemField> errors) {
    Problem p;
    p.status = 400;
    p.slug = "invalid-request";
    p.title = "The request is not valid";
    p.detail = std::move(detail);
    p.errors = std::move(errors);
    SendProblem(res, p);
  }

  // Parses the body into `*body`, or sends 400: nested deeper than kMaxJsonDepth (checked
  // before parsing), or not JSON (with the parser's byte position; invalid UTF-8 included).
  bool ParseBody(const httplib::Request& req, httplib::Response& res, json* body) {
    RequestProblem problem;
    if (ParseJsonBody(req.body, body, &problem)) return true;
    BadRequest(res, std::move(problem.detail), std::move(problem.errors));
    return false;
  }

  bool RequireContentType(const httplib::Request& req, httplib::Response& res,
                          std::initializer_list<std::string_view> accepted) {
    std::string type = MediaType(req);
    for (std::string_view a : accepted) {
      if (type == a) return true;
    }
    Problem p;
    p.status = 415;
    p.slug = "unsupported-media-type";
    p.title = "Unsupported content type";
    std::string list;
    for (std::string_view a : accepted) list += (list.empty() ? "" : " or ") + std::string(a);
    p.detail = "Content-Type must be " + list + (type.empty() ? ", got none" : ", got " + type);
    SendProblem(res, p);
    return false;
  }

  std::string Caller(const httplib::Request& req) const {
    std::string header = req.get_header_value(options.caller_header.c_str());
    if (header.size() > 200) header.resize(200);
    return header.empty() ? req.remote_addr : header + "@" + req.remote_addr;
  }

  // Screens `w->profile` and appends the /v1/screen 200 body to `*out`; fills `*record` for the
  // audit trail. Returns the Screen status (kFailedPrecondition: no version effective).
  Status ScreenOne(WorkerState* w, const ScreenRequest& parsed, const std::string& caller,
                   std::string* out, AuditRecord* record, bool* rule_error) {
    ScreenOptions so;
    so.programs = parsed.programs;
    so.as_of = parsed.as_of;
    so.explain = parsed.explain;
    Screener::Stats before = w->screener->stats();
    Status s = w->screener->Screen(w->profile, so, &w->decisions);
    const Screener::Stats& after = w->screener->stats();
    metrics.AddScreenerDelta(after.rule_errors - before.rule_errors,
                             after.budget_kills - before.budget_kills,
                             after.replays - before.replays);
    if (!s.ok()) return s;
    metrics.ObserveDecisions(w->decisions);
    std::string id = ids.Next();
    out->append("{\"decision_id\":\"");
    out->append(id);
    out->append("\",");
    size_t open = out->size();
    WriteOptions write;
    write.rule_set = w->rules->hash();
    write.as_of = parsed.as_of;
    AppendDecisionsJson(w->profile, w->decisions, write, out);
    out->erase(open, 1);  // the writer's '{'
    out->pop_back();      // and its '}'
    out->append(",\"lang\":");
    out->append(parsed.lang == Lang::kTh ? "\"th\"" : "\"en\"");
    out->append(",\"summary\":");
    AppendSummary(w->decisions, parsed.lang, out);
    out->push_back('}');
    *rule_error = false;
    for (const Decision& d : w->decisions) *rule_error |= d.outcome == Outcome::kError;
    if (audit) {
      record->decision_id = id;
      record->time = AuditTimeNow();
      record->enterprise_id = w->profile.id;
      record->caller = caller;
      record->rule_set = w->rules->hash();
      record->as_of = parsed.as_of.ToString();
      if (!parsed.programs.empty()) {
        record->programs = "[";
        for (size_t i = 0; i < parsed.programs.size(); ++i) {
          if (i) record->programs.push_back(',');
          AppendJsonString(parsed.programs[i], &record->programs);
        }
        record->programs.push_back(']');
      }
      record->input_masked = false;
      if (options.mask_national_id) {
        AppendProfileJson(MaskProfile(w->profile, &record->input_masked), &record->input);
      } else {
        AppendProfileJson(w->profile, &record->input);
      }
      record->outcomes = "{";
      for (size_t i = 0; i < w->decisions.size(); ++i) {
        if (i) record->outcomes.push_back(',');
        AppendJsonString(w->decisions[i].program->id, &record->outcomes);
        record->outcomes.push_back(':');
        AppendJsonString(OutcomeName(w->decisions[i].outcome), &record->outcomes);
      }
      record->outcomes.push_back('}');
    }
    return Status::Ok();
  }

  // Commits `records` to the audit log (when on). An error means nothing may be acknowledged.
  Status Commit(std::vector<AuditRecord> records) {
    if (!audit || records.empty()) return Status::Ok();
    // Under --audit-sync full this may wait for an fdatasync (see TickWindow).
    if (options.audit_sync_full) {
      TickWindow no_ticks(SIG_BLOCK);
      return audit->Append(std::move(records));
    }
    return audit->Append(std::move(records));
  }

  void AuditFailed(httplib::Response& res, const Status& s) {
    Problem p;
    p.status = 503;
    p.slug = "audit-unavailable";
    p.title = "The decision could not be recorded";
    p.detail = "not answered because the audit trail could not record it: " + s.message();
    SendProblem(res, p);
  }

  // ---- handlers ----

  void HandleScreen(const httplib::Request& req, httplib::Response& res) {
    tl_route = kRouteScreen;
    CorkResponse(req.remote_addr, req.remote_port);  // uncorked by the logger (response_cork.h)
    if (!RequireContentType(req, res, {"application/json"})) return;
    std::shared_ptr<const RuleSet> snapshot = Snapshot();
    ScreenRequest parsed;
    RequestProblem problem;
    auto worker = Worker(snapshot);
    if (!worker.ok()) {
      // A body that is not JSON, or not an object, is still the caller's 400.
      if (!ParseScreenRequestDom(req.body, *snapshot, nullptr, &parsed, nullptr, nullptr,
                                 &problem)) {
        return BadRequest(res, std::move(problem.detail), std::move(problem.errors));
      }
      return SendProblem(res, ProblemFromStatus(worker.status()));
    }
    WorkerState* w = *worker;
    if (!ParseScreenRequest(req.body, *snapshot, w->reader.get(), &parsed, &w->profile,
                            &w->errors, &problem)) {
      return BadRequest(res, std::move(problem.detail), std::move(problem.errors));
    }
    std::string out;
    out.reserve(8192);
    std::vector<AuditRecord> records(1);
    bool rule_error = false;
    Status s = ScreenOne(w, parsed, Caller(req), &out, &records[0], &rule_error);
    if (!s.ok()) {
      Problem p = ProblemFromStatus(s);
      if (s.code() == StatusCode::kFailedPrecondition) p.errors.push_back({"/as_of", s.message()});
      return SendProblem(res, p);
    }
    if (audit) records[0].result = out;
    Status committed = Commit(std::move(records));
    if (!committed.ok()) return AuditFailed(res, committed);
    if (rule_error) {
      Problem p;
      p.status = 422;
      p.slug = "rule-error";
      p.title = "The rules could not decide";
      for (const Decision& d : w->decisions) {
        if (d.outcome != Outcome::kError) continue;
        p.errors.push_back({"", d.program->id + ": " + d.error.message()});
        if (p.detail.empty()) p.detail = d.program->id + ": " + d.error.message();
      }
      p.extra = "\"result\":" + out;
      return SendProblem(res, p);
    }
    Send(res, 200, std::move(out));
  }

  void HandleBatch(const httplib::Request& req, httplib::Response& res) {
    tl_route = kRouteBatch;
    if (!RequireContentType(req, res, {"application/json", "application/x-ndjson",
                                       "application/jsonl"})) {
      return;
    }
    std::shared_ptr<const RuleSet> snapshot = Snapshot();
    ScreenRequest parsed;
    std::vector<ProblemField> errors;
    if (req.has_param("programs")) {
      std::string list = req.get_param_value("programs");
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        if (comma > start) parsed.programs.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
      std::vector<ProblemField> program_errors;
      CheckPrograms(*snapshot, parsed.programs, "", &program_errors);
      for (auto& e : program_errors) errors.push_back({"", "query programs: " + e.detail});
    }
    if (req.has_param("as_of")) {
      auto d = Date::Parse(req.get_param_value("as_of"));
      if (d.ok()) parsed.as_of = *d;
      else errors.push_back({"", "query as_of: " + d.status().message()});
    }
    if (req.has_param("lang")) {
      std::string lang = req.get_param_value("lang");
      if (lang == "en") parsed.lang = Lang::kEn;
      else if (lang != "th") errors.push_back({"", "query lang: expected th or en"});
    }
    if (req.has_param("explain")) {
      std::string e = req.get_param_value("explain");
      if (e == "false" || e == "0") parsed.explain = false;
      else if (e != "true" && e != "1") errors.push_back({"", "query explain: expected true or false"});
    }
    // The records as text, each with its index (and line for JSON Lines).
    std::vector<std::string> items;
    std::vector<size_t> lines;
    std::vector<bool> not_object;
    if (MediaType(req) == "application/json") {
      json body;
      if (!ParseBody(req, res, &body)) return;
      if (!body.is_array()) {
        return BadRequest(res, "the body must be a JSON array of enterprise profiles",
                          {{"", "expected an array"}});
      }
      for (json& item : body) {
        not_object.push_back(!item.is_object());
        items.push_back(item.is_object() ? item.dump() : std::string());
        lines.push_back(0);
      }
    } else {
      size_t start = 0, line = 0;
      while (start < req.body.size()) {
        size_t end = req.body.find('\n', start);
        if (end == std::string::npos) end = req.body.size();
        ++line;
        std::string_view text(req.body.data() + start, end - start);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        if (text.find_first_not_of(" \t") != std::string_view::npos) {
          items.emplace_back(text);
          lines.push_back(line);
          not_object.push_back(false);
        }
        start = end + 1;
      }
    }
    if (!errors.empty()) {
      std::string detail = errors[0].detail;
      return BadRequest(res, std::move(detail), std::move(errors));
    }
    if (items.size() > options.max_batch_records) {
      Problem p;
      p.status = 413;
      p.slug = "too-many-records";
      p.title = "Too many records";
      p.detail = std::to_string(items.size()) + " records; the limit per request is " +
                 std::to_string(options.max_batch_records);
      return SendProblem(res, p);
    }
    auto worker = Worker(snapshot);
    if (!worker.ok()) return SendProblem(res, ProblemFromStatus(worker.status()));
    WorkerState* w = *worker;
    std::string caller = Caller(req);
    std::string results = "[";
    std::vector<AuditRecord> records;
    records.reserve(items.size());
    size_t screened = 0, invalid = 0;
    // program -> outcome counts; province -> program -> outcome counts.
    std::map<std::string, std::array<uint64_t, 4>> by_program;
    std::map<std::string, std::map<std::string, std::array<uint64_t, 4>>> by_province;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) results.push_back(',');
      std::string prefix = "/" + std::to_string(i);
      Problem p;
      p.status = 400;
      p.slug = "invalid-record";
      p.title = "The record is not a valid enterprise profile";
      if (not_object[i]) {
        p.errors.push_back({prefix, "expected an object"});
      } else if (!w->reader->ParseJson(items[i], &w->profile, &w->errors).ok()) {
        p.errors = ProfileFieldErrors(w->errors, prefix);
      }
      if (p.errors.empty()) {
        std::string one;
        AuditRecord record;
        bool rule_error = false;
        Status s = ScreenOne(w, parsed, caller, &one, &record, &rule_error);
        if (s.ok()) {
          ++screened;
          results += "{\"index\":" + std::to_string(i);
          if (lines[i]) results += ",\"line\":" + std::to_string(lines[i]);
          results.push_back(',');
          results.append(one, 1);  // without its '{'
          if (audit) {
            record.result = std::move(one);
            records.push_back(std::move(record));
          }
          for (const Decision& d : w->decisions) {
            size_t o = static_cast<size_t>(d.outcome);
            by_program[d.program->id][o]++;
            by_province[w->profile.province.value_or("none")][d.program->id][o]++;
          }
          continue;
        }
        p = ProblemFromStatus(s);
        if (s.code() == StatusCode::kFailedPrecondition) p.errors.push_back({"", s.message()});
      }
      ++invalid;
      if (p.detail.empty() && !p.errors.empty()) {
        p.detail = p.errors.size() == 1 ? p.errors[0].pointer + ": " + p.errors[0].detail
                                        : std::to_string(p.errors.size()) + " problems";
      }
      results += "{\"index\":" + std::to_string(i);
      if (lines[i]) results += ",\"line\":" + std::to_string(lines[i]);
      results += ",\"error\":";
      AppendProblemJson(p, &results);
      results.push_back('}');
    }
    results.push_back(']');
    Status committed = Commit(std::move(records));
    if (!committed.ok()) return AuditFailed(res, committed);
    static constexpr const char* kOutcomes[] = {"eligible", "ineligible", "needs_information",
                                                "error"};
    auto counts = [&](const std::array<uint64_t, 4>& c) {
      std::string s = "{";
      for (int k = 0; k < 4; ++k) {
        s += std::string(k ? "," : "") + "\"" + kOutcomes[k] + "\":" + std::to_string(c[k]);
      }
      return s + "}";
    };
    std::string out = "{\"rule_set\":" + JsonString(snapshot->hash()) + ",\"as_of\":\"" +
                      parsed.as_of.ToString() + "\",\"results\":" + results +
                      ",\"summary\":{\"screened\":" + std::to_string(screened) +
                      ",\"invalid\":" + std::to_string(invalid) + ",\"by_program\":{";
    bool first = true;
    for (const auto& [program, c] : by_program) {
      out += std::string(first ? "" : ",") + JsonString(program) + ":" + counts(c);
      first = false;
    }
    out += "},\"by_province\":{";
    first = true;
    for (const auto& [province, programs] : by_province) {
      out += std::string(first ? "" : ",") + JsonString(province) + ":{";
      first = false;
      bool first_p = true;
      for (const auto& [program, c] : programs) {
        out += std::string(first_p ? "" : ",") + JsonString(program) + ":" + counts(c);
        first_p = false;
      }
      out += "}";
    }
    out += "}}}";
    Send(res, 200, std::move(out));
  }

  void HandlePrograms(const httplib::Request& req, httplib::Response& res) {
    tl_route = kRoutePrograms;
    std::shared_ptr<const RuleSet> snapshot = Snapshot();
    std::optional<Date> as_of;
    if (req.has_param("as_of")) {
      auto d = Date::Parse(req.get_param_value("as_of"));
      if (!d.ok()) return BadRequest(res, "query as_of: " + d.status().message(), {});
      as_of = *d;
    }
    json programs = json::array();
    for (const ProgramInfo& p : snapshot->programs()) {
      if (as_of && !p.EffectiveOn(*as_of)) continue;
      programs.push_back(ProgramJson(p));
    }
    json out = {{"rule_set", snapshot->hash()}, {"programs", std::move(programs)}};
    Send(res, 200, out.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  void HandleProgram(const httplib::Request& req, httplib::Response& res) {
    tl_route = kRouteProgram;
    std::shared_ptr<const RuleSet> snapshot = Snapshot();
    Date as_of = Date::TodayInBangkok();
    if (req.has_param("as_of")) {
      auto d = Date::Parse(req.get_param_value("as_of"));
      if (!d.ok()) return BadRequest(res, "query as_of: " + d.status().message(), {});
      as_of = *d;
    }
    auto found = snapshot->Find(req.matches[1].str(), as_of);
    if (!found.ok()) {
      Problem p = ProblemFromStatus(found.status());
      p.status = 404, p.slug = "not-found", p.title = "Not found";
      return SendProblem(res, p);
    }
    json out = ProgramJson(**found);
    out["rule_set"] = snapshot->hash();
    Send(res, 200, out.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  void HandleProvinces(httplib::Response& res) {
    tl_route = kRouteProvinces;
    std::shared_ptr<const RuleSet> snapshot = Snapshot();
    json list = json::array();
    for (const Province& p : snapshot->provinces().all()) {
      list.push_back({{"code", p.iso_code}, {"name_th", p.name_th}, {"name_en", p.name_en},
                      {"region", p.region}, {"region_nesdb", p.region_nesdb},
                      {"diprom_center", p.diprom_center}, {"upper_north", p.upper_north}});
    }
    json out = {{"rule_set", snapshot->hash()}, {"provinces", std::move(list)}};
    Send(res, 200, out.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  bool RequireAudit(httplib::Response& res) {
    if (audit) return true;
    Problem p;
    p.status = 404;
    p.slug = "audit-off";
    p.title = "No audit trail";
    p.detail = "this server runs without an audit database (--audit-db)";
    SendProblem(res, p);
    return false;
  }

  void NoSuchDecision(httplib::Response& res, const std::string& id) {
    Problem p;
    p.status = 404;
    p.slug = "not-found";
    p.title = "Not found";
    p.detail = "no decision " + id;
    SendProblem(res, p);
  }

  void HandleDecision(const httplib::Request& req, httplib::Response& res) {
    tl_route = kRouteDecision;
    if (!RequireAudit(res)) return;
    std::string id = req.matches[1].str();
    if (!IsDecisionId(id)) return NoSuchDecision(res, id);
    auto r = audit->Find(id);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) return NoSuchDecision(res, id);
      return SendProblem(res, ProblemFromStatus(r.status()));
    }
    std::string out = "{\"decision_id\":" + JsonString(r->decision_id) +
                      ",\"time\":" + JsonString(r->time) + ",\"caller\":" + JsonString(r->caller) +
                      ",\"rule_set\":" + JsonString(r->rule_set) +
                      ",\"as_of\":" + JsonString(r->as_of) +
                      ",\"programs\":" + (r->programs.empty() ? "null" : r->programs) +
                      ",\"input\":" + r->input +
                      ",\"input_masked\":" + (r->input_masked ? "true" : "false") +
                      ",\"outcomes\":" + r->outcomes + ",\"result\":" + r->result + "}";
    Send(res, 200, std::move(out));
  }

  void HandleEnterpriseDecisions(const httplib::Request& req, httplib::Response& res) {
    tl_route = kRouteEnterpriseDecisions;
    if (!RequireAudit(res)) return;
    size_t limit = 100;
    if (req.has_param("limit")) {
      std::string l = req.get_param_value("limit");
      char* end = nullptr;
      long v = std::strtol(l.c_str(), &end, 10);
      if (l.empty() || *end || v < 1 || v > 10000) {
        return BadRequest(res, "query limit: expected a whole number from 1 to 10000", {});
      }
      limit = static_cast<size_t>(v);
    }
    std::string enterprise = req.matches[1].str();
    auto r = audit->ForEnterprise(enterprise, limit);
    if (!r.ok()) return SendProblem(res, ProblemFromStatus(r.status()));
    std::string out = "{\"enterprise_id\":" + JsonString(enterprise) + ",\"decisions\":[";
    for (size_t i = 0; i < r->size(); ++i) {
      const AuditRecord& d = (*r)[i];
      if (i) out.push_back(',');
      out += "{\"decision_id\":" + JsonString(d.decision_id) + ",\"time\":" + JsonString(d.time) +
             ",\"rule_set\":" + JsonString(d.rule_set) + ",\"as_of\":" + JsonString(d.as_of) +
             ",\"outcomes\":" + d.outcomes + "}";
    }
    out += "]}";
    Send(res, 200, std::move(out));
  }

  void HandleReplay(const httplib::Request& req, httplib::Response& res) {
    tl_route = kRouteReplay;
    if (!RequireAudit(res)) return;
    std::string id = req.matches[1].str();
    if (!IsDecisionId(id)) return NoSuchDecision(res, id);
    auto r = ReplayDecision(*audit, replay_cache, id, Snapshot());
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) {
        Problem p = ProblemFromStatus(r.status());
        return SendProblem(res, p);
      }
      Problem p = ProblemFromStatus(r.status());
      if (p.status < 500) p.status = 422, p.slug = "not-replayable", p.title = "Cannot replay";
      return SendProblem(res, p);
    }
    Send(res, 200, std::move(r->json));
  }

  void HandleReload(const httplib::Request& req, httplib::Response& res) {
    tl_route = kRouteReload;
    Problem p;
    if (options.admin_token.empty()) {
      p.status = 403, p.slug = "admin-disabled", p.title = "Administration is disabled";
      p.detail = "start the server with --admin-token-file or SMEMATCH_ADMIN_TOKEN";
      return SendProblem(res, p);
    }
    std::string auth = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() <= kBearer.size() || auth.compare(0, kBearer.size(), kBearer) != 0 ||
        !TokenMatches(std::string_view(auth).substr(kBearer.size()), options.admin_token)) {
      p.status = 401, p.slug = "unauthorized", p.title = "Authentication required";
      p.detail = "send Authorization: Bearer <admin token>";
      res.set_header("WWW-Authenticate", "Bearer realm=\"smematch-admin\"");
      return SendProblem(res, p);
    }
    std::string previous = Snapshot()->hash();
    auto r = Reload();
    if (!r.ok()) {
      Log("reload refused; still serving " + previous);
      p.status = r.status().code() == StatusCode::kUnavailable ? 503 : 422;
      p.slug = "rules-refused";
      p.title = "The rule set was refused; the previous one keeps serving";
      p.detail = r.status().message();
      std::string lines = r.status().message();
      size_t start = 0;
      while (start < lines.size()) {
        size_t nl = lines.find('\n', start);
        if (nl == std::string::npos) nl = lines.size();
        if (nl > start) p.errors.push_back({"", lines.substr(start, nl - start)});
        start = nl + 1;
      }
      p.extra = "\"rule_set\":" + JsonString(previous);
      return SendProblem(res, p);
    }
    Send(res, 200,
         "{\"rule_set\":" + JsonString(*r) + ",\"previous_rule_set\":" + JsonString(previous) +
             ",\"changed\":" + (*r != previous ? "true" : "false") + "}");
  }

  void MatchUnavailable(httplib::Response& res, const std::string& what) {
    Problem p;
    p.status = 503, p.slug = "matching-unavailable", p.title = "Matching is not configured";
    p.detail = "no " + what + " registry or no <rules>/matching scripts are loaded; start the "
               "server with --" + what + " FILE (docs/server.md)";
    SendProblem(res, p);
  }

  // POST /v1/match/mentors and /v1/match/channels (docs/server.md).
  void HandleMatch(const httplib::Request& req, httplib::Response& res) {
    const std::string kind_name = req.matches[1].str();
    if (kind_name != "mentors" && kind_name != "channels") {
      Problem p;
      p.status = 404, p.slug = "not-found", p.title = "Not found";
      p.detail = "no resource at " + req.path + "; matching is /v1/match/mentors or "
                 "/v1/match/channels";
      return SendProblem(res, p);
    }
    const MatchKind kind = kind_name == "mentors" ? MatchKind::kMentor : MatchKind::kChannel;
    tl_route = kind == MatchKind::kMentor ? kRouteMatchMentors : kRouteMatchChannels;
    if (!RequireContentType(req, res, {"application/json"})) return;
    std::shared_ptr<const RuleSet> snapshot;
    std::shared_ptr<const MatchData> data;
    {
      std::lock_guard lock(rules_mu);
      snapshot = rules;
      data = match;
    }
    if (!data->rules ||
        (kind == MatchKind::kMentor ? data->mentors_path.empty() : data->channels_path.empty())) {
      return MatchUnavailable(res, kind == MatchKind::kMentor ? "mentors" : "channels");
    }
    json body;
    if (!ParseBody(req, res, &body)) return;
    if (!body.is_object()) {
      return BadRequest(res, "the body must be a JSON object", {{"", "expected an object"}});
    }
    std::vector<ProblemField> errors;
    MatchRequest mr;
    ParseMatchRequest(body, kind, options.max_match_enterprises, &mr, &errors);
    auto worker = Worker(snapshot);
    if (!worker.ok()) return SendProblem(res, ProblemFromStatus(worker.status()));
    WorkerState* w = *worker;
    std::vector<EnterpriseProfile> profiles(mr.enterprises.size());
    std::set<std::string> seen;
    for (size_t i = 0; i < mr.enterprises.size(); ++i) {
      w->errors.clear();
      if (!w->reader->ParseJson(mr.enterprises[i], &profiles[i], &w->errors).ok()) {
        for (ProblemField& f : ProfileFieldErrors(w->errors, mr.pointers[i])) {
          errors.push_back(std::move(f));
        }
      } else if (!seen.insert(profiles[i].id).second) {
        errors.push_back({mr.pointers[i] + "/id", "duplicate enterprise id \"" + profiles[i].id +
                                                      "\" in this request"});
      }
    }
    if (errors.empty() && kind == MatchKind::kMentor) {
      CheckControlIds(mr.mentor, profiles, data->mentors, snapshot->provinces(), &errors);
    }
    if (!errors.empty()) {
      std::string detail = errors.size() == 1 ? errors[0].pointer + ": " + errors[0].detail
                                              : std::to_string(errors.size()) + " problems";
      return BadRequest(res, detail, std::move(errors));
    }
    // eligible_only: STAR_SME screening first; the rest are reported, not matched.
    json screened_out = json::array();
    if (mr.eligible_only) {
      ScreenOptions so;
      so.programs = {"STAR_SME"};
      so.as_of = mr.as_of;
      so.explain = false;
      std::vector<EnterpriseProfile> kept;
      for (size_t i = 0; i < profiles.size(); ++i) {
        Status s = w->screener->Screen(profiles[i], so, &w->decisions);
        if (!s.ok()) {
          Problem p = ProblemFromStatus(s);
          p.errors.push_back({"/eligible_only", s.message()});
          return SendProblem(res, p);
        }
        Outcome o = w->decisions.size() == 1 ? w->decisions[0].outcome : Outcome::kError;
        if (o == Outcome::kEligible) {
          kept.push_back(std::move(profiles[i]));
        } else {
          screened_out.push_back({{"enterprise_id", profiles[i].id},
                                  {"pointer", mr.pointers[i]},
                                  {"star_sme", std::string(OutcomeName(o))}});
        }
      }
      profiles = std::move(kept);
    }
    const bool thai = mr.lang == Lang::kTh;
    std::string text;
    if (kind == MatchKind::kMentor) {
      auto r = MatchMentors(profiles, data->mentors, *data->rules, mr.mentor);
      if (!r.ok()) return MatchRefused(res, r.status());
      metrics.AddScreenerDelta(static_cast<uint64_t>(r->summary.script_errors), 0,
                               r->summary.replays);
      WriteMentorMatches(*r, profiles, data->mentors, *data->rules, MatchOutput::kJson, thai,
                         false, &text);
    } else {
      auto r = MatchChannels(profiles, data->channels, *data->rules, mr.channel);
      if (!r.ok()) return MatchRefused(res, r.status());
      metrics.AddScreenerDelta(static_cast<uint64_t>(r->summary.script_errors), 0, 0);
      WriteChannelMatches(*r, profiles, data->channels, *data->rules, MatchOutput::kJson, thai,
                          false, &text);
    }
    // The engine's document, with what the caller needs to read it: the hashes, the language,
    // the enterprises left out by eligible_only, and the names of alternative mentors.
    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text);
    nlohmann::ordered_json out;
    out["match_rules"] = data->rules->hash();
    out["rule_set"] = snapshot->hash();
    out["lang"] = thai ? "th" : "en";
    out["eligible_only"] = mr.eligible_only;
    if (mr.eligible_only) out["as_of"] = mr.as_of.ToString();
    out["screened_out"] = screened_out;
    if (kind == MatchKind::kMentor) {
      std::unordered_map<std::string_view, const Mentor*> by_id;
      for (const Mentor& m : data->mentors) by_id.emplace(m.id, &m);
      for (auto& m : doc["matches"]) {
        for (auto& a : m["alternatives"]) {
          auto it = by_id.find(a["mentor_id"].get_ref<const std::string&>());
          if (it != by_id.end()) a["mentor_name"] = it->second->name;
        }
      }
    }
    for (auto& [key, value] : doc.items()) out[key] = std::move(value);
    Send(res, 200, out.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  void MatchRefused(httplib::Response& res, const Status& s) {
    Problem p = ProblemFromStatus(s);
    if (s.code() == StatusCode::kInvalidArgument) {
      // The controls are well-formed but cannot hold (a pin on a pair a hard constraint
      // excludes, ...): the engine's message names the control.
      p.status = 422, p.slug = "match-controls-refused";
      p.title = "The matching controls cannot be applied";
      p.errors.push_back({"", s.message()});
    }
    SendProblem(res, p);
  }

  void HandleStatic(const std::string& name, httplib::Response& res) {
    for (size_t i = 0; i < kWebFilesCount; ++i) {
      if (name == kWebFiles[i].name) {
        res.status = 200;
        res.set_content(reinterpret_cast<const char*>(kWebFiles[i].data), kWebFiles[i].size,
                        ContentTypeFor(name).c_str());
        res.set_header("Cache-Control", "no-cache");
        return;
      }
    }
    Problem p;
    p.status = 404, p.slug = "not-found", p.title = "Not found";
    p.detail = "no file " + name;
    SendProblem(res, p);
  }

  // The 405 table: every path pattern with the methods it allows.
  struct Allowed {
    std::regex pattern;
    std::string methods;
  };
  std::vector<Allowed> allowed;

  void Routes() {
    using Req = const httplib::Request&;
    using Res = httplib::Response&;
    // Every handler runs inside a TickWindow (see TickWindow).
    auto get = [&](const char* pattern, httplib::Server::Handler h) {
      http.Get(pattern, [h = std::move(h)](Req req, Res res) {
        TickWindow window;
        h(req, res);
      });
      allowed.push_back({std::regex(pattern), "GET"});
    };
    auto post = [&](const char* pattern, httplib::Server::Handler h) {
      http.Post(pattern, [h = std::move(h)](Req req, Res res) {
        TickWindow window;
        h(req, res);
      });
      allowed.push_back({std::regex(pattern), "POST"});
    };
    get("/", [this](Req, Res res) {
      tl_route = kRouteIndex;
      HandleStatic("index.html", res);
    });
    get(R"(/static/([A-Za-z0-9._-]+))", [this](Req req, Res res) {
      tl_route = kRouteStatic;
      HandleStatic(req.matches[1].str(), res);
    });
    post("/v1/screen", [this](Req req, Res res) { HandleScreen(req, res); });
    post("/v1/screen/batch", [this](Req req, Res res) { HandleBatch(req, res); });
    get("/v1/programs", [this](Req req, Res res) { HandlePrograms(req, res); });
    get(R"(/v1/programs/([A-Za-z0-9_]+))", [this](Req req, Res res) { HandleProgram(req, res); });
    get("/v1/provinces", [this](Req, Res res) { HandleProvinces(res); });
    get(R"(/v1/decisions/([A-Za-z0-9_]+))", [this](Req req, Res res) { HandleDecision(req, res); });
    get(R"(/v1/enterprises/([^/]+)/decisions)",
        [this](Req req, Res res) { HandleEnterpriseDecisions(req, res); });
    post(R"(/v1/decisions/([A-Za-z0-9_]+)/replay)",
         [this](Req req, Res res) { HandleReplay(req, res); });
    post("/v1/admin/reload", [this](Req req, Res res) { HandleReload(req, res); });
    post(R"(/v1/match/([a-z_]+))", [this](Req req, Res res) { HandleMatch(req, res); });
    get("/healthz", [this](Req, Res res) {
      tl_route = kRouteHealthz;
      Send(res, 200, "{\"status\":\"ok\"}");
    });
    get("/readyz", [this](Req, Res res) {
      tl_route = kRouteReadyz;
      std::shared_ptr<const RuleSet> snapshot = Snapshot();
      if (!snapshot || !http.is_running()) {
        Problem p;
        p.status = 503, p.slug = "not-ready", p.title = "Not ready";
        p.detail = "the rules are not loaded or the server is stopping";
        return SendProblem(res, p);
      }
      Send(res, 200,
           "{\"status\":\"ready\",\"rule_set\":" + JsonString(snapshot->hash()) +
               ",\"audit\":" + (audit ? "true" : "false") + "}");
    });
    get("/metrics", [this](Req, Res res) {
      tl_route = kRouteMetrics;
      std::string body = metrics.Render();
      if (audit) {
        body += "# HELP smematch_audit_queue_bytes Bytes of the audit queue file not yet stored "
                "in the database.\n# TYPE smematch_audit_queue_bytes gauge\n"
                "smematch_audit_queue_bytes " +
                std::to_string(audit->queued_bytes()) + "\n";
      }
      Send(res, 200, std::move(body), "text/plain; version=0.0.4; charset=utf-8");
    });
    get("/v1/openapi.json", [this](Req, Res res) {
      tl_route = kRouteOpenApi;
      res.status = 200;
      res.set_content(reinterpret_cast<const char*>(kOpenApiJson), kOpenApiJsonSize, kJson);
    });
    // Direct file names at the root ("/app.js") for pages that link files relatively.
    get(R"(/([A-Za-z0-9_-]+\.(?:html|js|mjs|css|svg|png|ico|json|woff2|txt)))",
        [this](Req req, Res res) {
          tl_route = kRouteStatic;
          HandleStatic(req.matches[1].str(), res);
        });

    http.set_pre_routing_handler([this](Req req, Res res) {
      tl_start = std::chrono::steady_clock::now();
      tl_route = kRouteOther;
      // A body without a length would be read until the client closes the connection: refuse
      // it before reading (the connection is closed, since its body is not consumed).
      bool has_body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
      if (has_body_method && !req.has_header("Content-Length") &&
          req.get_header_value("Transfer-Encoding").find("chunked") == std::string::npos) {
        Problem p;
        p.status = 411, p.slug = "length-required", p.title = "Length required";
        p.detail = "send the body with a Content-Length header (or chunked); "
                   "an empty body is Content-Length: 0";
        res.set_header("Connection", "close");
        SendProblem(res, p);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.set_error_handler(httplib::Server::HandlerWithResponse([this](Req req, Res res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      Problem p;
      p.status = res.status;
      p.title = std::string(StatusTitle(res.status));
      p.slug = res.status == 404 ? "not-found" : "http-" + std::to_string(res.status);
      p.detail = p.title;
      if (res.status == 404) {
        std::string methods;
        for (const Allowed& a : allowed) {
          if (std::regex_match(req.path, a.pattern) && methods.find(a.methods) == std::string::npos) {
            methods += (methods.empty() ? "" : ", ") + a.methods;
          }
        }
        if (!methods.empty()) {
          p.status = res.status = 405;
          p.slug = "method-not-allowed";
          p.title = "Method not allowed";
          p.detail = req.method + " is not allowed on " + req.path + "; allowed: " + methods;
          res.set_header("Allow", methods);
        } else {
          p.detail = "no resource at " + req.path;
        }
      } else if (res.status == 413) {
        p.slug = "body-too-large";
        p.detail = "the body is over the limit of " + std::to_string(options.body_limit_bytes) +
                   " bytes";
      }
      res.set_content(ProblemJson(p), std::string(kProblemContentType).c_str());
      return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler([this](Req req, Res res, std::exception_ptr ep) {
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      Log("internal error on " + req.method + " " + req.path + ": " + what);
      Problem p;
      p.status = 500, p.slug = "internal", p.title = "Internal error";
      p.detail = "internal error (logged)";
      SendProblem(res, p);
    });
    // httplib calls the logger after the response is written.
    http.set_logger([this](Req req, const httplib::Response& res) {
      UncorkResponse();
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - tl_start).count();
      metrics.ObserveRequest(tl_route, res.status, seconds);
      if (options.access_log) {
        std::fprintf(stderr, "%s %s %s %d %.3fms\n", req.remote_addr.c_str(), req.method.c_str(),
                     req.path.c_str(), res.status, seconds * 1e3);
      }
    });
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  Stop();
  {
    std::lock_guard lock(impl_->watch_mu);
    impl_->watch_stop = true;
  }
  impl_->watch_cv.notify_all();
  if (impl_->watcher.joinable()) impl_->watcher.join();
  if (impl_->audit) impl_->audit->Close();
}

Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  auto rules = RuleSet::Load(options.rules_dir, options.limits);
  if (!rules.ok()) return rules.status();
  if (!options.audit_db.empty()) {
    AuditOptions ao;
    ao.sync = options.audit_sync_full ? AuditSync::kFull : AuditSync::kNormal;
    auto log = AuditLog::Open(options.audit_db, ao, &impl->metrics);
    if (!log.ok()) return log.status();
    impl->audit = std::move(*log);
  }
  impl->mentors_path =
      DefaultRegistryPath(options.mentors_registry, options.rules_dir, "mentors.json");
  impl->channels_path =
      DefaultRegistryPath(options.channels_registry, options.rules_dir, "channels.json");
  auto match = impl->LoadMatch(**rules);
  if (!match.ok()) return match.status();
  SMEMATCH_RETURN_IF_ERROR(impl->Install(*rules, *match));
  impl->Routes();
  httplib::Server& http = impl->http;
  size_t threads = static_cast<size_t>(std::max(1, options.threads));
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(options.body_limit_bytes);
  http.set_keep_alive_max_count(static_cast<size_t>(std::max(1, options.keep_alive_max_count)));
  http.set_keep_alive_timeout(options.keep_alive_timeout_seconds);
  http.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, with which a second server started on a port in
  // use binds it too and the kernel splits the connections between the two (an old build
  // answering half the requests). SO_REUSEADDR alone still allows a restart while the last
  // run's connections are in TIME_WAIT.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.set_default_headers({{"Content-Security-Policy", kCsp},
                            {"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"}});
  auto server = std::unique_ptr<Server>(new Server(std::move(impl)));
  if (options.watch_rules_seconds > 0) {
    Impl* raw = server->impl_.get();
    server->impl_->watcher = std::thread([raw] { raw->WatchLoop(); });
  }
  return server;
}

Status Server::Bind() {
  const ServerOptions& o = impl_->options;
  if (o.port == 0) {
    int port = impl_->http.bind_to_any_port(o.host);
    if (port <= 0) return UnavailableError("cannot bind " + o.host + " to a free port");
    impl_->port = port;
  } else {
    if (!impl_->http.bind_to_port(o.host, o.port)) {
      return UnavailableError("cannot bind " + o.host + ":" + std::to_string(o.port) +
                              " (in use, or a privileged port?)");
    }
    impl_->port = o.port;
  }
  return Status::Ok();
}

int Server::port() const { return impl_->port; }

void Server::Run() {
  // The accept loop and the worker threads it creates run with the rule tick blocked
  // (TickWindow); the caller's mask is restored afterwards.
  sigset_t tick = TickSignalSet(), old;
  pthread_sigmask(SIG_BLOCK, &tick, &old);
  impl_->run_started = true;
  if (!impl_->stop_requested) impl_->http.listen_after_bind();
  impl_->run_finished = true;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void Server::Stop() {
  impl_->stop_requested = true;
  // httplib's stop() does nothing until the accept loop runs: a Stop that races with the start
  // of Run waits for it.
  while (impl_->run_started && !impl_->run_finished) {
    if (impl_->http.is_running()) {
      impl_->http.stop();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Result<std::string> Server::Reload() { return impl_->Reload(); }

std::string Server::rule_set_hash() const { return impl_->Snapshot()->hash(); }

size_t Server::audit_records_recovered() const {
  return impl_->audit ? impl_->audit->recovery().records : 0;
}

std::string Server::match_rules_hash() const {
  std::shared_ptr<const MatchData> m = impl_->MatchSnapshot();
  return m->rules ? m->rules->hash() : "";
}
const std::string& Server::mentors_registry() const { return impl_->mentors_path; }
const std::string& Server::channels_registry() const { return impl_->channels_path; }

}  // namespace smematch::server
