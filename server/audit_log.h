// AuditLog: the decision audit trail in an embedded SQLite database (WAL mode). Every screened
// enterprise is one row (decision id, time, caller, masked input, outcomes, the answer given,
// rule-set hash); every rule set is stored once, its files deduplicated by the SHA-256 of their
// content, so a decision can be replayed on the exact rules that made it.
//
// Writes go through a queue file beside the database ("<db>-queue", a ring of
// AuditOptions::queue_bytes mapped into memory): Append() copies each record into it as one
// checksummed frame, in the calling thread, with no system call and no lock, and returns; from
// then on the record survives the process being killed (a store into a shared file mapping is in
// the kernel's page cache at once; under kFull Append also waits for an fdatasync, so it
// survives a power loss too). One ingest thread moves the frames into SQLite in large
// transactions every few milliseconds, which frees their room in the ring; Open() stores
// whatever a killed process left there. So no caller waits for SQLite, and a caller that
// answers after Append() never acknowledges a decision that could be lost (docs/server.md,
// "Audit trail and durability").
//
// Lookups (Find, ForEnterprise) first wait for the records appended before them to be stored,
// so a decision can be looked up as soon as it was answered. Thread-safe.
//
// The answer returned to the caller (AuditRecord::result) is stored as a zstd frame (RFC 8878)
// in a BLOB when it is kAuditCompressMinBytes or longer (an answer with reasons, ~7 kB, shrinks
// ~3.2x), as TEXT when shorter (an answer without reasons, ~0.9 kB); Find() returns it as given.
// Append() compresses, in the calling thread, so the queue file carries the compressed answer.
#ifndef SMEMATCH_SERVER_AUDIT_LOG_H_
#define SMEMATCH_SERVER_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch::server {

class Metrics;

// kNormal: an appended record survives the process being killed or crashing, not a power loss
// or OS crash (nothing is synced on the request path; SQLite: synchronous=NORMAL). kFull: the
// queue file is synced before Append() returns (one fdatasync serves every Append waiting for
// it) and SQLite runs synchronous=FULL, so a record also survives a power loss.
enum class AuditSync { kNormal, kFull };

struct AuditOptions {
  AuditSync sync = AuditSync::kNormal;
  size_t max_batch = 4096;  // records per transaction at most
  // Size of the queue file (rounded down to 4 KiB, at least 64 KiB). It holds the records not
  // yet in SQLite; when it is full, Append() waits for room. A record must fit in half of it.
  uint64_t queue_bytes = uint64_t{64} << 20;
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
  // Find() then also looks in the database's queue file, for a decision a running server has
  // acknowledged and not yet stored, or one a killed server left there.
  static Result<std::unique_ptr<AuditLog>> OpenReadOnly(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Stores `rules` (its hash and every file) if not stored yet, synchronously.
  Status StoreRuleSet(const RuleSet& rules);
  // Copies `records` into the queue file; OK once they cannot be lost (see the top). Waits only
  // while the queue file is full (SQLite behind). kUnavailable, and nothing of the failed
  // record or those after it may be acknowledged: a record larger than half the queue file, no
  // room for 10 s, the fdatasync failed (kFull), or the log is closed. A decision id already
  // stored is left as it was.
  Status Append(std::vector<AuditRecord> records);
  // Waits until the records appended before the call are stored in SQLite (at most 10 s).
  void Flush();
  // Stores everything queued, stops the ingest thread, removes the (then empty) queue file and
  // closes the database. Idempotent.
  void Close();

  // What Open() found in the queue file a previous process left.
  struct Recovery {
    size_t records = 0;  // stored by Open (those already in the database are not counted)
  };
  const Recovery& recovery() const;
  // Bytes of the queue file holding records not yet committed to SQLite (0 once it has caught up).
  uint64_t queued_bytes() const;

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
// Results shorter than this are stored as TEXT, not compressed: an answer without reasons
// (~0.9 kB) would shrink by a few hundred bytes for ~5 µs of zstd.
inline constexpr size_t kAuditCompressMinBytes = 2048;

// The queue file of the audit database at `db_path`: db_path + "-queue".
inline std::string AuditQueuePath(const std::string& db_path) { return db_path + "-queue"; }
// Appends `record` to `out` as one queue-file frame at logical position `position` (a multiple
// of 8; the frame's length is too), its result as given (Append compresses long ones).
void AppendAuditFrame(const AuditRecord& record, uint64_t position, std::string* out);
// Returns every whole, intact record frame of the queue-file image `ring` (8-aligned frames;
// anything else, such as a frame cut short by a kill, is skipped) with its position, in
// position order; a result stored compressed in the frame is returned decompressed.
std::vector<std::pair<uint64_t, AuditRecord>> ParseAuditQueue(std::string_view ring);

// Returns `json` as one zstd frame (with its content size and checksum) at `level`, using a
// context kept per thread; kInternal if zstd fails.
Result<std::string> CompressAuditResult(std::string_view json, int level = kAuditResultZstdLevel);
// Returns the content of the zstd frame `frame`; kInternal if it is not one complete, valid frame
// of at most 64 MiB (its checksum, when it has one, checked).
Result<std::string> DecompressAuditResult(std::string_view frame);

// Returns the current time as AuditRecord::time.
std::string AuditTimeNow();

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_AUDIT_LOG_H_
