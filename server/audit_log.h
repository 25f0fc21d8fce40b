// AuditLog: the decision audit trail in an embedded SQLite database (WAL mode). Every screened
// enterprise is one row (decision id, time, caller, masked input, outcomes, the full response
// with reasons, rule-set hash); every rule set is stored once, its files deduplicated by the
// SHA-256 of their content, so a decision can be replayed on the exact rules that made it.
//
// Writes use group commit: Append() queues records for one writer thread, which inserts
// everything queued in one transaction and then fulfils each caller's future. A caller that
// waits for its future before answering never acknowledges a decision that is not committed
// (docs/server.md, "Audit trail and durability"). Reads use a second connection and do not
// wait for the writer. Thread-safe.
//
// The answer returned to the caller (AuditRecord::result, ~7 kB with every reason in Thai and
// English) is stored as a zstd frame (RFC 8878; ~3.2x smaller) in a BLOB: Append() compresses
// in the calling thread, never in the single writer thread, and Find() decompresses. Rows
// written before compression hold the JSON as TEXT and are read as they are.
#ifndef SMEMATCH_SERVER_AUDIT_LOG_H_
#define SMEMATCH_SERVER_AUDIT_LOG_H_

#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch::server {

class Metrics;

// PRAGMA synchronous in WAL mode. kNormal: a commit survives the process being killed, not a
// power loss or OS crash (the WAL is synced at checkpoints only). kFull: the WAL is synced at
// every commit (one fsync per group), so an acknowledged decision also survives a power loss.
enum class AuditSync { kNormal, kFull };

struct AuditOptions {
  AuditSync sync = AuditSync::kFull;
  size_t max_batch = 4096;  // records per transaction at most
};

struct AuditRecord {
  std::string decision_id;    // "dec_…" (decision_id.h)
  std::string time;           // UTC, RFC 3339 with milliseconds: "2026-11-21T03:45:12.345Z"
  std::string enterprise_id;  // the profile's id
  std::string caller;         // peer address, and the caller header when sent
  std::string rule_set;       // "sha256:…"
  std::string as_of;          // "YYYY-MM-DD"
  std::string programs;       // JSON array of the requested program ids, or "" for all
  std::string input;          // the canonical profile JSON, national ID masked per setting
  bool input_masked = false;  // whether `input` had a field masked
  std::string outcomes;       // JSON object: {"BSC":"eligible",…}
  // JSON: the body returned to the caller, byte for byte. Append() stores it zstd-compressed
  // (CompressAuditResult); Find() returns it decompressed; ForEnterprise() leaves it empty.
  std::string result;
};

class AuditLog {
 public:
  // Opens (creating if needed) the database at `path` for writing and starts the writer thread.
  // kUnavailable if it cannot be opened or is not a smematch audit database.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& path,
                                                const AuditOptions& options,
                                                Metrics* metrics = nullptr);
  // Opens an existing database for reading only (smematch replay), also while a server writes.
  static Result<std::unique_ptr<AuditLog>> OpenReadOnly(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Stores `rules` (its hash and every file) if not stored yet, synchronously.
  Status StoreRuleSet(const RuleSet& rules);
  // Compresses each record's `result` in the calling thread (~20 µs for 7 kB) and queues
  // `records`; the future is ready once they are committed (OK) or could not be (kUnavailable;
  // kInvalidArgument for a duplicate decision id; kInternal if compression failed). After
  // Close: kUnavailable.
  std::future<Status> Append(std::vector<AuditRecord> records);
  // Commits everything queued, stops the writer and closes the database. Idempotent.
  void Close();

  // Returns the record of `decision_id`, or kNotFound; kInternal (naming the decision) if its
  // stored result is not a valid zstd frame.
  Result<AuditRecord> Find(std::string_view decision_id);
  // Returns the newest `limit` records of `enterprise_id`, newest first (input and result
  // left empty).
  Result<std::vector<AuditRecord>> ForEnterprise(std::string_view enterprise_id, size_t limit);
  // Returns the files of the stored rule set `hash`, sorted by path, or kNotFound.
  Result<std::vector<RuleSet::File>> RuleFiles(std::string_view hash);

  // Returns "ok" or the problems PRAGMA integrity_check reports.
  Result<std::string> IntegrityCheck();

 private:
  struct Impl;
  explicit AuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The zstd level of stored results. 1 is zstd's fastest positive level; negative ("fast")
// levels were measured: -1 saves ~25 % of the time for 15 % more bytes (bench/server_bench.cc).
inline constexpr int kAuditResultZstdLevel = 1;

// Returns `json` as one zstd frame (with its content size and checksum) at `level`, using a
// context kept per thread; kInternal if zstd fails.
Result<std::string> CompressAuditResult(std::string_view json,
                                        int level = kAuditResultZstdLevel);
// Returns the content of the zstd frame `frame`; kInternal if it is not one complete, valid frame
// of at most 64 MiB (its checksum, when it has one, checked).
Result<std::string> DecompressAuditResult(std::string_view frame);

// Returns the current time as AuditRecord::time.
std::string AuditTimeNow();

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_AUDIT_LOG_H_
