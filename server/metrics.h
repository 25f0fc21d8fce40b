// Prometheus metrics of the HTTP service: requests by route and status, a latency histogram per
// route, decisions by program and outcome, rule errors and budget kills (Screener::Stats), audit
// commits. Counters are atomics on the request path; Render() writes the text exposition format
// (version 0.0.4). Thread-safe.
#ifndef SMEMATCH_SERVER_METRICS_H_
#define SMEMATCH_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/screener.h"

namespace smematch::server {

class Metrics {
 public:
  // `routes` are the route labels ("/v1/screen", "/v1/decisions/{id}", ...); index them in
  // ObserveRequest. The last label should be a catch-all ("other").
  explicit Metrics(std::vector<std::string> routes);

  // Records one request on route `route` (an index into the routes) with HTTP `status`, which
  // took `seconds`.
  void ObserveRequest(size_t route, int status, double seconds);
  // Records the decisions of one screened enterprise.
  void ObserveDecisions(const std::vector<Decision>& decisions);
  // Adds what a Screener counted during one call (the difference of its Stats).
  void AddScreenerDelta(uint64_t rule_errors, uint64_t budget_kills, uint64_t replays);
  // One audit transaction of `records` that took `seconds`.
  void ObserveAuditCommit(size_t records, double seconds);
  // One audit transaction SQLite refused (its records stay queued and are retried).
  void ObserveAuditError();
  void SetRuleSet(const std::string& hash, int64_t loaded_unix);
  void ObserveReload(bool ok);

  std::string Render() const;

 private:
  static constexpr std::array<int, 16> kStatuses = {200, 400, 401, 403, 404, 405, 408, 411,
                                                    413, 415, 422, 431, 500, 501, 503, 0};
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.002, 0.003, 0.005,
                                                      0.0075, 0.01, 0.025, 0.05, 0.1,
                                                      0.25, 0.5, 1, 5};
  struct Route {
    std::string label;
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<uint64_t> sum_micros{0};
  };
  std::vector<std::unique_ptr<Route>> routes_;

  mutable std::mutex mu_;  // guards decisions_ and rule_set_
  std::map<std::string, std::array<uint64_t, 4>> decisions_;  // program -> by Outcome
  std::string rule_set_;
  int64_t rule_set_loaded_ = 0;

  std::atomic<uint64_t> rule_errors_{0}, budget_kills_{0}, replays_{0};
  std::atomic<uint64_t> audit_commits_{0}, audit_records_{0}, audit_commit_micros_{0},
      audit_errors_{0};
  std::atomic<uint64_t> reloads_ok_{0}, reloads_failed_{0};
};

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_METRICS_H_
