#include "metrics.h"

#include <cstdio>

namespace smematch::server {

Metrics::Metrics(std::vector<std::string> routes) {
  for (std::string& r : routes) {
    routes_.push_back(std::make_unique<Route>());
    routes_.back()->label = std::move(r);
  }
}

void Metrics::ObserveRequest(size_t route, int status, double seconds) {
  if (route >= routes_.size()) route = routes_.size() - 1;
  Route& r = *routes_[route];
  size_t s = kStatuses.size() - 1;
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) s = i;
  }
  r.by_status[s].fetch_add(1, std::memory_order_relaxed);
  size_t b = kBuckets.size();
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      b = i;
      break;
    }
  }
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::ObserveDecisions(const std::vector<Decision>& decisions) {
  std::lock_guard lock(mu_);
  for (const Decision& d : decisions) {
    if (!d.program) continue;
    decisions_[d.program->id][static_cast<size_t>(d.outcome)]++;
  }
}

void Metrics::AddScreenerDelta(uint64_t rule_errors, uint64_t budget_kills, uint64_t replays) {
  if (rule_errors) rule_errors_.fetch_add(rule_errors, std::memory_order_relaxed);
  if (budget_kills) budget_kills_.fetch_add(budget_kills, std::memory_order_relaxed);
  if (replays) replays_.fetch_add(replays, std::memory_order_relaxed);
}

void Metrics::ObserveAuditError() { audit_errors_.fetch_add(1, std::memory_order_relaxed); }

void Metrics::ObserveAuditCommit(size_t records, double seconds) {
  audit_commits_.fetch_add(1, std::memory_order_relaxed);
  audit_records_.fetch_add(records, std::memory_order_relaxed);
  audit_commit_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::SetRuleSet(const std::string& hash, int64_t loaded_unix) {
  std::lock_guard lock(mu_);
  rule_set_ = hash;
  rule_set_loaded_ = loaded_unix;
}

void Metrics::ObserveReload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1); }

std::string Metrics::Render() const {
  std::string out;
  char buf[256];
  auto line = [&](const char* fmt, auto... args) {
    std::snprintf(buf, sizeof buf, fmt, args...);
    out.append(buf);
  };
  out.append("# HELP smematch_http_requests_total HTTP requests by route and status.\n"
             "# TYPE smematch_http_requests_total counter\n");
  for (const auto& r : routes_) {
    for (size_t i = 0; i < kStatuses.size(); ++i) {
      uint64_t n = r->by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      if (kStatuses[i] == 0) {
        line("smematch_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
             r->label.c_str(), static_cast<unsigned long long>(n));
      } else {
        line("smematch_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", r->label.c_str(),
             kStatuses[i], static_cast<unsigned long long>(n));
      }
    }
  }
  out.append("# HELP smematch_http_request_duration_seconds Time from request parsed to "
             "response ready, by route.\n"
             "# TYPE smematch_http_request_duration_seconds histogram\n");
  for (const auto& r : routes_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= kBuckets.size(); ++i) cumulative += r->buckets[i].load();
    if (cumulative == 0) continue;
    cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += r->buckets[i].load(std::memory_order_relaxed);
      line("smematch_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
           r->label.c_str(), kBuckets[i], static_cast<unsigned long long>(cumulative));
    }
    cumulative += r->buckets[kBuckets.size()].load(std::memory_order_relaxed);
    line("smematch_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
         r->label.c_str(), static_cast<unsigned long long>(cumulative));
    line("smematch_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", r->label.c_str(),
         r->sum_micros.load(std::memory_order_relaxed) / 1e6);
    line("smematch_http_request_duration_seconds_count{route=\"%s\"} %llu\n", r->label.c_str(),
         static_cast<unsigned long long>(cumulative));
  }
  {
    std::lock_guard lock(mu_);
    out.append("# HELP smematch_decisions_total Decisions (enterprise x program) by outcome.\n"
               "# TYPE smematch_decisions_total counter\n");
    static constexpr const char* kOutcomes[] = {"eligible", "ineligible", "needs_information",
                                                "error"};
    for (const auto& [program, counts] : decisions_) {
      for (size_t i = 0; i < 4; ++i) {
        line("smematch_decisions_total{program=\"%s\",outcome=\"%s\"} %llu\n", program.c_str(),
             kOutcomes[i], static_cast<unsigned long long>(counts[i]));
      }
    }
    out.append("# HELP smematch_rule_set_info The rule set serving requests.\n"
               "# TYPE smematch_rule_set_info gauge\n");
    line("smematch_rule_set_info{rule_set=\"%s\"} 1\n", rule_set_.c_str());
    out.append("# HELP smematch_rule_set_loaded_timestamp_seconds When it was loaded.\n"
               "# TYPE smematch_rule_set_loaded_timestamp_seconds gauge\n");
    line("smematch_rule_set_loaded_timestamp_seconds %lld\n",
         static_cast<long long>(rule_set_loaded_));
  }
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    line("# HELP %s %s\n# TYPE %s counter\n", name, help, name);
    line("%s %llu\n", name, static_cast<unsigned long long>(v));
  };
  counter("smematch_rule_errors_total", "Decisions a rule could not make (script error or budget).",
          rule_errors_.load());
  counter("smematch_budget_kills_total", "Decisions stopped by the instruction or memory budget.",
          budget_kills_.load());
  counter("smematch_deterministic_replays_total",
          "Screenings redone counting every instruction (fast-mode tick).", replays_.load());
  counter("smematch_audit_commits_total", "Audit log transactions committed.",
          audit_commits_.load());
  counter("smematch_audit_records_total", "Decision records committed to the audit log.",
          audit_records_.load());
  line("# HELP smematch_audit_commit_seconds_total Time spent committing audit batches.\n"
       "# TYPE smematch_audit_commit_seconds_total counter\nsmematch_audit_commit_seconds_total "
       "%.6f\n",
       audit_commit_micros_.load() / 1e6);
  counter("smematch_audit_errors_total",
          "Audit transactions SQLite refused (their records stay in the queue file, retried).",
          audit_errors_.load());
  counter("smematch_reloads_total", "Rule-set reloads that swapped in a new rule set.",
          reloads_ok_.load());
  counter("smematch_reload_failures_total", "Rule-set reloads refused (old rules kept).",
          reloads_failed_.load());
  return out;
}

}  // namespace smematch::server
