// smematch serve: the HTTP service (docs/server.md).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli.h"
#include "audit_log.h"
#include "server.h"

namespace smematch::cli {
namespace {

namespace po = boost::program_options;

// Reads the admin token: the first line of `path`, without surrounding white space.
Result<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read the admin token file " + path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  size_t start = token.find_first_not_of(" \t");
  token = start == std::string::npos ? "" : token.substr(start);
  if (token.size() < 16) {
    return InvalidArgumentError("the admin token in " + path + " is shorter than 16 characters");
  }
  return token;
}

}  // namespace

int RunServe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description desc(
      "usage: smematch serve [options]\n"
      "\n"
      "Serves screening over HTTP (JSON API under /v1, docs/server.md) and records every\n"
      "decision in a SQLite audit database. Stops gracefully on SIGTERM or SIGINT.\n"
      "\n"
      "options");
  std::string config, audit_sync = "normal", token_file;
  server::ServerOptions o;
  size_t body_limit_mb = 16, memory_mb = 64;
  // Switches: on when given on the command line; in the config file `name = true|false|1|0`.
  bool no_audit = false, store_national_id = false, access_log = false;
  int64_t budget = 1'000'000;
  desc.add_options()
      ("help,h", "show this help")
      ("config", po::value(&config), "read options from this file (name = value lines)")
      ("host", po::value(&o.host)->default_value("127.0.0.1"), "address to bind")
      ("port", po::value(&o.port)->default_value(8080), "port (0: any free port, printed)")
      ("threads", po::value(&o.threads)->default_value(32),
       "HTTP worker threads (each serves one connection at a time and keeps one Lua state)")
      ("keep-alive-seconds", po::value(&o.keep_alive_timeout_seconds)->default_value(1),
       "how long an idle keep-alive connection keeps its worker thread")
      ("body-limit-mb", po::value(&body_limit_mb)->default_value(16), "largest request body")
      ("max-batch", po::value(&o.max_batch_records)->default_value(10000),
       "most enterprises in one batch request")
      ("rules", po::value(&o.rules_dir)->default_value("rules"), "rule set directory")
      ("mentors", po::value(&o.mentors_registry),
       "mentor registry for POST /v1/match/mentors (.json, .jsonl or .csv; default: "
       "<rules>/../data/demo/mentors.json when present)")
      ("channels", po::value(&o.channels_registry),
       "channel registry for POST /v1/match/channels (default: "
       "<rules>/../data/demo/channels.json when present)")
      ("max-match", po::value(&o.max_match_enterprises)->default_value(1000),
       "most enterprises in one match request")
      ("watch-rules", po::value(&o.watch_rules_seconds)->default_value(0),
       "check the rule directory every N seconds and reload on change (0: off)")
      ("audit-db", po::value(&o.audit_db)->default_value("smematch-audit.db"),
       "SQLite audit database (created if missing)")
      ("no-audit", po::bool_switch(&no_audit),
       "do not record decisions (decision ids are still returned)")
      ("audit-sync", po::value(&audit_sync)->default_value("normal"),
       "full: a decision survives power loss; normal: it survives the process being killed")
      ("store-national-id", po::bool_switch(&store_national_id),
       "store national IDs of individuals in clear (default: masked)")
      ("admin-token-file", po::value(&token_file),
       "file holding the bearer token for /v1/admin/reload (or env SMEMATCH_ADMIN_TOKEN)")
      ("caller-header", po::value(&o.caller_header)->default_value("X-Caller-Id"),
       "request header naming the calling system, recorded with the peer address")
      ("access-log", po::bool_switch(&access_log), "one line per request on standard error")
      ("instruction-budget", po::value(&budget)->default_value(1'000'000),
       "Lua instructions one decision may run")
      ("memory-limit-mb", po::value(&memory_mb)->default_value(64), "Lua memory per thread");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("config")) {
      std::ifstream in(vm["config"].as<std::string>());
      if (!in) {
        err << "smematch serve: cannot read config file " << vm["config"].as<std::string>()
            << "\n";
        return kExitIo;
      }
      po::store(po::parse_config_file(in, desc), vm);  // the command line wins
    }
    po::notify(vm);
  } catch (const po::error& e) {
    err << "smematch serve: " << e.what() << "\n(see smematch serve --help)\n";
    return kExitUsage;
  }
  if (vm.count("help")) {
    out << desc << "\nexit codes: 0 stopped by a signal; 2 bad options; 3 rule set not loaded;\n"
                   "4 audit database, token file or address not usable\n";
    return kExitOk;
  }
  auto usage = [&](const std::string& m) {
    err << "smematch serve: " << m << "\n(see smematch serve --help)\n";
    return kExitUsage;
  };
  if (audit_sync != "full" && audit_sync != "normal") {
    return usage("--audit-sync must be full or normal, not '" + audit_sync + "'");
  }
  if (o.port < 0 || o.port > 65535) return usage("--port must be 0 to 65535");
  if (o.threads < 1 || o.threads > 1024) return usage("--threads must be 1 to 1024");
  if (o.keep_alive_timeout_seconds < 1 || o.keep_alive_timeout_seconds > 300) {
    return usage("--keep-alive-seconds must be 1 to 300");
  }
  if (o.max_match_enterprises < 1) return usage("--max-match must be at least 1");
  if (body_limit_mb < 1) return usage("--body-limit-mb must be at least 1");
  if (budget < 1000) return usage("--instruction-budget must be at least 1000");
  if (memory_mb < 4) return usage("--memory-limit-mb must be at least 4");
  o.audit_sync_full = audit_sync == "full";
  o.body_limit_bytes = body_limit_mb << 20;
  o.limits.instructions_per_decision = budget;
  o.limits.memory_bytes = memory_mb << 20;
  o.mask_national_id = !store_national_id;
  o.access_log = access_log;
  if (no_audit) o.audit_db.clear();
  if (!token_file.empty()) {
    auto token = ReadToken(token_file);
    if (!token.ok()) {
      err << "smematch serve: " << token.status().message() << "\n";
      return token.status().code() == StatusCode::kNotFound ? kExitIo : kExitUsage;
    }
    o.admin_token = *token;
  } else if (const char* env = std::getenv("SMEMATCH_ADMIN_TOKEN"); env && *env) {
    o.admin_token = env;
  }

  // SIGTERM and SIGINT are taken by one thread (sigwait), so every other thread — the HTTP
  // workers, the audit writer — is created with them blocked. The engine's timer signal
  // (SIGRTMIN + 3) is not touched.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
  // The caller's mask comes back on every return (RunCli also runs in-process, in tests).
  struct RestoreMask {
    sigset_t mask;
    ~RestoreMask() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
  } restore{old_mask};

  auto server = server::Server::Create(o);
  if (!server.ok()) {
    err << "smematch serve: " << server.status().message() << "\n";
    StatusCode c = server.status().code();
    return c == StatusCode::kInvalidArgument || c == StatusCode::kResourceExhausted ? kExitRules
                                                                                    : kExitIo;
  }
  Status bound = (*server)->Bind();
  if (!bound.ok()) {
    err << "smematch serve: " << bound.message() << "\n";
    return kExitIo;
  }
  if (size_t n = (*server)->audit_records_recovered()) {
    err << "smematch serve: stored " << n << " acknowledged decision" << (n == 1 ? "" : "s")
        << " that the last run left in " << server::AuditQueuePath(o.audit_db) << std::endl;
  }
  err << "smematch serve: listening on http://" << o.host << ":" << (*server)->port()
      << " (rule set " << (*server)->rule_set_hash() << ", " << o.threads << " threads, audit "
      << (o.audit_db.empty() ? std::string("off") : o.audit_db + ", synchronous=" + audit_sync)
      << ", reload " << (o.admin_token.empty() ? "disabled" : "enabled") << ", mentors "
      << ((*server)->mentors_registry().empty() ? "none" : (*server)->mentors_registry())
      << ", channels "
      << ((*server)->channels_registry().empty() ? "none" : (*server)->channels_registry())
      << ")" << std::endl;

  std::atomic<bool> done{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (!done) {
      std::cerr << "smematch serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                << ": finishing requests in flight" << std::endl;
    }
    (*server)->Stop();
  });
  (*server)->Run();
  done = true;
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if Run ended by itself
  waiter.join();
  server->reset();  // commits the audit log and closes it
  err << "smematch serve: stopped" << std::endl;
  return kExitOk;
}

}  // namespace smematch::cli
