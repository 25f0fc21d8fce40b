// Replaying a stored decision: the stored input is screened again on the stored rule set (read
// back from the audit database by its hash) and on the rule set serving today, and the outcomes
// are compared program by program. Used by POST /v1/decisions/{id}/replay and `smematch replay`.
// Thread-safe (each call creates its own Screeners; the cache is locked).
#ifndef SMEMATCH_SERVER_REPLAY_H_
#define SMEMATCH_SERVER_REPLAY_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "audit_log.h"
#include "smematch/profile.h"
#include "smematch/rule_set.h"

namespace smematch::server {

// Returns a copy of `profile` with the national ID of a natural person (identifier.h,
// IdentifierKind::kNationalId) replaced by its first digit and twelve 'X' — the first digit
// keeps the identifier's kind, which rules may read (identifier_kind). Sets `*masked`.
EnterpriseProfile MaskProfile(const EnterpriseProfile& profile, bool* masked);

// Stored rule sets, loaded once per hash and kept (at most `capacity`, least recently used
// dropped).
class RuleSetCache {
 public:
  explicit RuleSetCache(size_t capacity = 8) : capacity_(capacity) {}
  // Returns the rule set `hash` from `log`. kNotFound if not stored; kInternal if the stored
  // files no longer hash to `hash`; load errors as RuleSet::FromFiles.
  Result<std::shared_ptr<const RuleSet>> Get(AuditLog& log, const std::string& hash,
                                             const RuleLimits& limits);

 private:
  std::mutex mu_;
  size_t capacity_;
  uint64_t clock_ = 0;
  std::map<std::string, std::pair<uint64_t, std::shared_ptr<const RuleSet>>> sets_;
};

struct ReplayReport {
  std::string json;      // the /v1/decisions/{id}/replay body (docs/openapi.json)
  bool changed = false;  // today's rules decide a program differently
  bool reproduced = false;  // the stored rules gave the recorded outcomes again
};

// Replays decision `decision_id` from `log` on its stored rules and on `current`.
// kNotFound for an unknown decision; errors of RuleSetCache::Get.
Result<ReplayReport> ReplayDecision(AuditLog& log, RuleSetCache& cache,
                                    const std::string& decision_id,
                                    std::shared_ptr<const RuleSet> current);

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_REPLAY_H_
