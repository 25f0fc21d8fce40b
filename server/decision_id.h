// Decision ids: "dec_" + 26 Crockford base32 characters (128 bits, as a ULID): 48 bits of
// Unix time in milliseconds, then 40 random bits drawn once per process, then a 40-bit counter.
// Ids sort by creation time (and, within one process, by creation order), are unique across
// processes with overwhelming probability, and say nothing about the enterprise. Thread-safe.
#ifndef SMEMATCH_SERVER_DECISION_ID_H_
#define SMEMATCH_SERVER_DECISION_ID_H_

#include <atomic>
#include <cstdint>
#include <string>

namespace smematch::server {

class DecisionIdGenerator {
 public:
  DecisionIdGenerator();
  // Returns a new id. Lock-free.
  std::string Next();

 private:
  uint64_t random40_;
  std::atomic<uint64_t> counter_{0};
};

// Returns whether `id` has the shape of a decision id (so a malformed one is a 404, not a query).
bool IsDecisionId(std::string_view id);

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_DECISION_ID_H_
