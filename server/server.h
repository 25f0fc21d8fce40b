// smematch::server::Server: the HTTP service of issue 4 over the engine (docs/server.md, API in
// docs/openapi.json). Routes requests on a cpp-httplib thread pool; each worker thread screens
// with its own Screener, built for the rule-set snapshot the request started with, so a reload
// (an atomic swap of std::shared_ptr<const RuleSet>) never disturbs a request in flight. Every
// screened enterprise gets a decision id and, with an audit database, is committed to it
// before the response is sent.
//
// Lifecycle: Create (loads rules, opens the audit log) → Bind (port() known) → Run (blocks,
// from any thread) → Stop (from any thread; Run returns once requests in flight have finished)
// → destructor (flushes and closes the audit log). Stop and Reload are thread-safe.
#ifndef SMEMATCH_SERVER_SERVER_H_
#define SMEMATCH_SERVER_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch::server {

struct ServerOptions {
  std::string host = "127.0.0.1";   // loopback by default: expose deliberately
  int port = 8080;                  // 0: any free port (see Server::port)
  int threads = 32;                 // HTTP worker threads, each with one Screener
  size_t body_limit_bytes = 16u << 20;  // request bodies over this get 413
  size_t max_batch_records = 10000;     // enterprises in one /v1/screen/batch request
  std::string rules_dir = "rules";
  RuleLimits limits;                // per decision and per Lua state
  std::string audit_db;             // SQLite file; empty: no audit trail (ids still returned)
  bool audit_sync_full = false;     // AuditSync::kFull (else kNormal); see docs/server.md
  bool mask_national_id = true;     // store national IDs of individuals masked
  std::string admin_token;          // bearer token for /v1/admin/*; empty: reload disabled
  std::string caller_header = "X-Caller-Id";  // recorded with the peer address
  int watch_rules_seconds = 0;      // > 0: poll rules_dir and reload on change
  bool access_log = false;          // one line per request to standard error
  int keep_alive_max_count = 10000; // requests on one connection before it is closed
  // An idle keep-alive connection holds its worker thread this long (cpp-httplib serves one
  // connection per pool thread): 1 s keeps a page load on few connections without one browser
  // (up to 6 connections) stalling others for 5 s. See docs/server.md "Threads and keep-alive".
  int keep_alive_timeout_seconds = 1;
  // Matching (POST /v1/match/*): the registries (JSON, JSON Lines or CSV by extension). Empty:
  // <rules_dir>/../data/demo/mentors.json and channels.json when present, else none (that
  // endpoint answers 503). The scripts are <rules_dir>/matching/*.lua. All are reloaded with
  // the rules; a registry with a bad row refuses the load.
  std::string mentors_registry;
  std::string channels_registry;
  size_t max_match_enterprises = 1000;  // enterprises in one match request
};

class Server {
 public:
  // Loads the rule set from `options.rules_dir`, the matching scripts and registries, and opens
  // the audit database. Errors: as RuleSet::Load / MatchRules::Load; kNotFound or
  // kInvalidArgument for a registry; kUnavailable for an audit database that cannot be opened.
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket. kUnavailable if the address cannot be bound.
  Status Bind();
  // The bound port (after Bind).
  int port() const;
  // Serves until Stop. Returns after the requests in flight have finished.
  void Run();
  // Stops accepting; safe from any thread, before or during Run.
  void Stop();
  // Loads the rule set, the matching scripts and the registries again, checks them completely
  // and swaps them in together. Returns the new rule-set hash, or the load errors (the old
  // snapshot keeps serving).
  Result<std::string> Reload();
  // The rule-set hash serving new requests.
  std::string rule_set_hash() const;
  // The matching-scripts hash serving new requests, and the registry files in use ("": none).
  std::string match_rules_hash() const;
  const std::string& mentors_registry() const;
  const std::string& channels_registry() const;
  // Decisions that a killed process had acknowledged but not yet moved from the audit queue file
  // into the database, stored when this server opened it (0 without an audit trail).
  size_t audit_records_recovered() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_SERVER_H_
