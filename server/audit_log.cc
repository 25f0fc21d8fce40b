#include "audit_log.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "metrics.h"

namespace smematch::server {
namespace {

// decisions.result is a zstd frame of the JSON answer (a BLOB). Databases created before
// results were compressed declare it TEXT and hold TEXT rows; new rows there are BLOBs too (a
// TEXT column stores a BLOB as it is), and Find() tells them apart by the value's type.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS smematch_audit(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blobs(
  sha256 TEXT PRIMARY KEY,
  content BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rule_sets(
  hash TEXT PRIMARY KEY,
  first_seen TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rule_set_files(
  rule_set TEXT NOT NULL REFERENCES rule_sets(hash),
  path TEXT NOT NULL,
  blob TEXT NOT NULL REFERENCES blobs(sha256),
  PRIMARY KEY(rule_set, path)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decisions(
  seq INTEGER PRIMARY KEY,
  decision_id TEXT NOT NULL UNIQUE,
  time TEXT NOT NULL,
  enterprise_id TEXT NOT NULL,
  caller TEXT NOT NULL,
  rule_set TEXT NOT NULL,
  as_of TEXT NOT NULL,
  programs TEXT,
  input TEXT NOT NULL,
  input_masked INTEGER NOT NULL,
  outcomes TEXT NOT NULL,
  result BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_by_enterprise ON decisions(enterprise_id, decision_id);
)sql";

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

Status DbError(sqlite3* db, std::string_view what) {
  return UnavailableError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "unknown error";
    sqlite3_free(err);
    return UnavailableError(std::string("audit database: ") + m);
  }
  return Status::Ok();
}

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v3(db, sql, -1, 0, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  bool ok() const { return stmt_ != nullptr; }
  void Text(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  std::string Column(int i) const {
    const unsigned char* t = sqlite3_column_text(stmt_, i);
    return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(stmt_, i))
             : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Busy handler: SQLite's own (sqlite3_busy_timeout) sleeps 1, 2, 5, 10, ... ms between
// retries, so a lock held for 300 µs costs a waiting commit a millisecond or more. Retries
// every 100 µs for the first 10 ms, then every millisecond; gives up after about 10 s.
int BusyWait(void*, int count) {
  if (count >= 100 + 9990) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(count < 100 ? 100 : 1000));
  return 1;
}

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

constexpr unsigned long long kMaxResultBytes = 64ull << 20;

Result<sqlite3*> OpenDb(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    Status s = DbError(db, "cannot open audit database " + path);
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_handler(db, BusyWait, nullptr);
  return db;
}

}  // namespace

Result<std::string> CompressAuditResult(std::string_view json, int level) {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  if (!cctx) return InternalError("zstd: cannot create a compression context");
  // With a checksum of the content (4 bytes), so that a damaged row is an error, not a wrong
  // answer.
  size_t n = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level);
  if (!ZSTD_isError(n)) n = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError(n)) return InternalError(std::string("zstd: ") + ZSTD_getErrorName(n));
  std::string out(ZSTD_compressBound(json.size()), '\0');
  n = ZSTD_compress2(cctx.get(), out.data(), out.size(), json.data(), json.size());
  if (ZSTD_isError(n)) return InternalError(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> DecompressAuditResult(std::string_view frame) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    return InternalError("not a zstd frame with its content size");
  }
  if (size > kMaxResultBytes) {
    return InternalError("zstd frame declares " + std::to_string(size) + " bytes, over 64 MiB");
  }
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  if (!dctx) return InternalError("zstd: cannot create a decompression context");
  std::string out(static_cast<size_t>(size), '\0');
  size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) return InternalError(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != size) return InternalError("zstd frame shorter than its declared content size");
  return out;
}

std::string AuditTimeNow() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

namespace {

// ---- The queue file ----
//
// A record is acknowledged once its frame is in the queue file: write(2) has copied it into the
// kernel's page cache, which outlives the process (a kill, a crash), and under kFull an
// fdatasync has put it on the disk. The ingest thread then moves queued records into SQLite in
// large transactions; a record in both places is harmless (INSERT OR IGNORE on decision_id).
//
// Frame: "SMQ1", payload length (u32 LE), CRC-32 of the payload (zlib, u32 LE), payload. The
// payload is the string fields of AuditRecord in declaration order, each a u32 LE length and
// its bytes, then input_masked as one byte '0' or '1'.

constexpr char kFrameMagic[4] = {'S', 'M', 'Q', '1'};
constexpr size_t kFrameHeader = 12;
constexpr uint32_t kMaxFramePayload = 256u << 20;

void PutU32(uint32_t v, std::string* out) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out->append(b, 4);
}

uint32_t GetU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}

uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib's length is a uInt: feed it in pieces of at most 1 GiB.
  while (!data.empty()) {
    uInt n = static_cast<uInt>(std::min<size_t>(data.size(), size_t{1} << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), n);
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

// The string fields of a record, in frame order.
template <typename Record, typename F>
void ForEachField(Record& r, F&& f) {
  f(r.decision_id);
  f(r.time);
  f(r.enterprise_id);
  f(r.caller);
  f(r.rule_set);
  f(r.as_of);
  f(r.programs);
  f(r.input);
  f(r.outcomes);
  f(r.result);
}

// Reads one field at `*p` (advancing it) below `end`; false if it does not fit.
bool GetField(const char** p, const char* end, std::string* out) {
  if (end - *p < 4) return false;
  uint32_t n = GetU32(*p);
  *p += 4;
  if (static_cast<size_t>(end - *p) < n) return false;
  out->assign(*p, n);
  *p += n;
  return true;
}

// Decodes the payload of one frame; false if it is not a well-formed record.
bool DecodePayload(std::string_view payload, AuditRecord* r) {
  const char* p = payload.data();
  const char* end = p + payload.size();
  bool ok = true;
  ForEachField(*r, [&](std::string& field) { ok = ok && GetField(&p, end, &field); });
  if (!ok || end - p != 1 || (*p != '0' && *p != '1')) return false;
  r->input_masked = *p == '1';
  return true;
}

}  // namespace

void AppendAuditFrame(const AuditRecord& record, std::string* out) {
  size_t start = out->size();
  out->append(kFrameHeader, '\0');
  ForEachField(record, [&](const std::string& field) {
    PutU32(static_cast<uint32_t>(field.size()), out);
    out->append(field);
  });
  out->push_back(record.input_masked ? '1' : '0');
  std::string_view payload(out->data() + start + kFrameHeader, out->size() - start - kFrameHeader);
  std::string header(kFrameMagic, 4);
  PutU32(static_cast<uint32_t>(payload.size()), &header);
  PutU32(Crc32(payload), &header);
  out->replace(start, kFrameHeader, header);
}

size_t ParseAuditFrames(std::string_view data, std::vector<AuditRecord>* records) {
  size_t skipped = 0;
  size_t i = 0;
  while (i < data.size()) {
    bool ok = false;
    if (data.size() - i >= kFrameHeader && data.compare(i, 4, kFrameMagic, 4) == 0) {
      uint32_t n = GetU32(data.data() + i + 4);
      if (n <= kMaxFramePayload && data.size() - i - kFrameHeader >= n) {
        std::string_view payload = data.substr(i + kFrameHeader, n);
        AuditRecord r;
        if (GetU32(data.data() + i + 8) == Crc32(payload) && DecodePayload(payload, &r)) {
          records->push_back(std::move(r));
          i += kFrameHeader + n;
          ok = true;
        }
      }
    }
    if (!ok) {  // not a frame here: resynchronize on the next magic
      size_t next = data.find(std::string_view(kFrameMagic, 4), i + 1);
      if (next == std::string_view::npos) next = data.size();
      skipped += next - i;
      i = next;
    }
  }
  return skipped;
}

namespace {

// Reads the whole file open at `fd` (named `path` in errors).
Result<std::string> ReadWholeFile(int fd, const std::string& path) {
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(data.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

struct AuditLog::Impl {
  sqlite3* write_db = nullptr;  // used only by the ingest thread (and StoreRuleSet, under mu)
  sqlite3* read_db = nullptr;
  std::mutex read_mu;
  std::mutex write_mu;          // StoreRuleSet vs the ingest thread's transactions
  AuditOptions options;
  Metrics* metrics = nullptr;

  // The queue file. Append() holds queue_mu shared from its write() until its records are in
  // `pending`; the ingest thread holds it exclusively to truncate the file, so it never drops a
  // frame whose record it has not committed.
  std::string queue_path;
  int queue_fd = -1;
  std::shared_mutex queue_mu;
  std::atomic<uint64_t> queue_bytes{0};  // written since the last truncation

  // kFull: one fdatasync of the queue file serves every Append whose write() came before it
  // started (group sync).
  std::mutex sync_mu;
  std::condition_variable sync_cv;
  uint64_t syncs_started = 0, syncs_done = 0;
  bool syncing = false;
  Status sync_error;

  std::mutex mu;
  std::condition_variable ingest_cv;   // wakes the ingest thread
  std::condition_variable drained_cv;  // wakes Flush() and Append()s held back by kMaxPending
  std::deque<AuditRecord> pending;     // in the queue file, not yet committed
  size_t pending_bytes = 0;
  uint64_t appended = 0, committed = 0;  // records since Open
  uint64_t flush_wanted = 0;             // `appended` a Flush() waits for
  bool stopping = false;
  Recovery recovery;
  std::thread ingester;

  // Checkpoints copy the WAL into the database on their own connection and thread (PASSIVE:
  // they never block the ingest thread), every kCheckpointMillis, so that no commit waits for
  // the copy and fsync of the database file. Under steady load a PASSIVE checkpoint never
  // catches up, so the WAL would never restart and would grow without bound: past
  // kWalRestartFrames the ingest thread itself, between two transactions, runs a TRUNCATE
  // checkpoint, which has only the frames of the last few milliseconds left to copy, and
  // empties the WAL. The two never run at once (checkpoint_mu), so neither waits in SQLite's
  // busy handler.
  sqlite3* checkpoint_db = nullptr;
  std::thread checkpointer;
  std::condition_variable checkpoint_cv;  // wakes the checkpointer: a commit, or stop (with mu)
  uint64_t commits = 0;                   // transactions so far (under mu)
  std::mutex checkpoint_mu;
  int wal_frames = 0;  // frames in the WAL after the last commit on write_db (under write_mu)

  static int OnWalCommit(void* self, sqlite3*, const char*, int frames) {
    static_cast<Impl*>(self)->wal_frames = frames;
    return SQLITE_OK;
  }

  ~Impl() {
    if (queue_fd >= 0) ::close(queue_fd);
    sqlite3_close_v2(checkpoint_db);
    sqlite3_close_v2(read_db);
    sqlite3_close_v2(write_db);
  }

  static constexpr int kWalRestartFrames = 4096;  // 16 MiB of 4-KiB pages
  static constexpr int kCheckpointMillis = 20;
  // The ingest thread lets records gather for this long after the first one arrives, so that a
  // busy server commits a hundred or more per transaction and wakes it ~200 times a second.
  static constexpr int kIngestMillis = 5;
  // Past this, Append() waits for the ingest thread (memory stays bounded if SQLite falls behind).
  static constexpr size_t kMaxPendingBytes = size_t{64} << 20;
  // The queue file is emptied once it holds this much and every record in it is committed.
  static constexpr uint64_t kQueueTruncateBytes = uint64_t{16} << 20;

  // An idle server sleeps here until the ingest thread commits; under load, one PASSIVE
  // checkpoint every kCheckpointMillis at most.
  void CheckpointLoop() {
    pthread_setname_np(pthread_self(), "audit-checkpt");
    uint64_t checkpointed = 0;
    std::unique_lock lock(mu);
    for (;;) {
      checkpoint_cv.wait(lock, [&] { return stopping || commits != checkpointed; });
      if (stopping) break;
      if (checkpoint_cv.wait_for(lock, std::chrono::milliseconds(kCheckpointMillis),
                                 [&] { return stopping; })) {
        break;
      }
      checkpointed = commits;
      lock.unlock();
      {
        std::lock_guard checkpointing(checkpoint_mu);
        sqlite3_wal_checkpoint_v2(checkpoint_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                  nullptr);
      }
      lock.lock();
    }
  }

  // Ingest thread, outside a transaction: empties a WAL past kWalRestartFrames.
  void RestartWalIfLong() {
    if (wal_frames < kWalRestartFrames) return;
    std::lock_guard checkpointing(checkpoint_mu);
    int log_frames = 0;
    if (sqlite3_wal_checkpoint_v2(write_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
                                  nullptr) == SQLITE_OK) {
      wal_frames = log_frames;
    }
  }

  // Writes `frames` at the end of the queue file. A short write leaves a partial frame behind,
  // which recovery skips (ParseAuditFrames); its records were never acknowledged.
  Status WriteQueue(std::string_view frames) {
    ssize_t n;
    do {
      n = ::write(queue_fd, frames.data(), frames.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0 || static_cast<size_t>(n) != frames.size()) {
      return UnavailableError("cannot write the audit queue file " + queue_path + ": " +
                              (n < 0 ? std::strerror(errno) : "short write (disk full?)"));
    }
    queue_bytes.fetch_add(frames.size(), std::memory_order_relaxed);
    return Status::Ok();
  }

  // kFull: returns once an fdatasync of the queue file that started after this call has ended.
  Status SyncQueue() {
    std::unique_lock lock(sync_mu);
    uint64_t needed = syncs_started + 1;
    while (syncs_done < needed) {
      if (syncing) {
        sync_cv.wait(lock);
        continue;
      }
      syncing = true;
      uint64_t number = ++syncs_started;
      lock.unlock();
      Status s;
      if (::fdatasync(queue_fd) != 0) {
        s = UnavailableError("cannot sync the audit queue file " + queue_path + ": " +
                             std::strerror(errno));
      }
      lock.lock();
      syncing = false;
      syncs_done = number;
      sync_error = s;
      sync_cv.notify_all();
      if (!s.ok()) return s;
    }
    return sync_error;
  }

  // Inserts records [begin, end) in one transaction (INSERT OR IGNORE: a record already stored,
  // as after recovering a queue file, is left as it is). Results of kAuditCompressMinBytes or
  // more are stored as zstd frames (BLOB), shorter ones as TEXT.
  Status Insert(const std::deque<AuditRecord>& records, size_t begin, size_t end) {
    std::lock_guard wlock(write_mu);
    Stmt insert(write_db,
                "INSERT OR IGNORE INTO decisions(decision_id,time,enterprise_id,caller,rule_set,"
                "as_of,programs,input,input_masked,outcomes,result) "
                "VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    if (!insert.ok()) return DbError(write_db, "audit insert");
    SMEMATCH_RETURN_IF_ERROR(Exec(write_db, "BEGIN IMMEDIATE"));
    Status s;
    for (size_t i = begin; i < end && s.ok(); ++i) {
      const AuditRecord& r = records[i];
      insert.Text(1, r.decision_id);
      insert.Text(2, r.time);
      insert.Text(3, r.enterprise_id);
      insert.Text(4, r.caller);
      insert.Text(5, r.rule_set);
      insert.Text(6, r.as_of);
      if (r.programs.empty()) sqlite3_bind_null(insert.get(), 7);
      else insert.Text(7, r.programs);
      insert.Text(8, r.input);
      sqlite3_bind_int(insert.get(), 9, r.input_masked ? 1 : 0);
      insert.Text(10, r.outcomes);
      Result<std::string> z = r.result.size() >= kAuditCompressMinBytes
                                  ? CompressAuditResult(r.result)
                                  : Result<std::string>(InternalError("short"));
      if (z.ok()) {
        sqlite3_bind_blob(insert.get(), 11, z->data(), static_cast<int>(z->size()),
                          SQLITE_TRANSIENT);
      } else {
        insert.Text(11, r.result);  // short, or zstd failed: stored as it is
      }
      if (sqlite3_step(insert.get()) != SQLITE_DONE) s = DbError(write_db, "audit insert");
      sqlite3_reset(insert.get());
    }
    if (s.ok()) s = Exec(write_db, "COMMIT");
    if (!s.ok()) Exec(write_db, "ROLLBACK").ok();
    return s;
  }

  // Empties the queue file once it is long and everything written to it is committed.
  void TruncateQueueIfDone() {
    if (queue_bytes.load(std::memory_order_relaxed) < kQueueTruncateBytes) return;
    std::unique_lock exclusive(queue_mu);
    {
      std::lock_guard lock(mu);
      if (!pending.empty()) return;  // written, not committed yet
    }
    if (::ftruncate(queue_fd, 0) == 0) queue_bytes.store(0, std::memory_order_relaxed);
  }

  void IngestLoop() {
    pthread_setname_np(pthread_self(), "audit-ingest");
    std::deque<AuditRecord> batch;
    for (;;) {
      {
        std::unique_lock lock(mu);
        ingest_cv.wait(lock, [&] { return !pending.empty() || stopping; });
        if (pending.empty()) break;  // stopping, and everything is committed
        // Let records gather, unless someone waits for them.
        ingest_cv.wait_for(lock, std::chrono::milliseconds(kIngestMillis), [&] {
          return stopping || flush_wanted > committed || pending_bytes >= kMaxPendingBytes;
        });
        batch.swap(pending);
      }
      auto start = std::chrono::steady_clock::now();
      size_t done = 0;
      Status s;
      while (done < batch.size() && s.ok()) {
        size_t end = std::min(batch.size(), done + options.max_batch);
        s = Insert(batch, done, end);
        if (s.ok()) done = end;
      }
      if (metrics && done > 0) {
        metrics->ObserveAuditCommit(
            done, std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                      .count());
      }
      size_t bytes = 0;
      for (size_t i = 0; i < done; ++i) bytes += batch[i].result.size() + batch[i].input.size();
      {
        std::lock_guard lock(mu);
        committed += done;
        pending_bytes -= std::min(pending_bytes, bytes);
        if (done < batch.size()) {
          // SQLite refused (disk full, say): the records stay in the queue file and go back to
          // the front of the queue, retried after a pause.
          pending.insert(pending.begin(), std::make_move_iterator(batch.begin() + done),
                         std::make_move_iterator(batch.end()));
        }
        ++commits;
      }
      batch.clear();
      drained_cv.notify_all();
      checkpoint_cv.notify_one();
      if (!s.ok()) {
        if (metrics) metrics->ObserveAuditError();
        std::unique_lock lock(mu);
        ingest_cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping; });
        if (stopping) break;  // the queue file keeps them for the next Open
        continue;
      }
      {
        std::lock_guard wlock(write_mu);
        RestartWalIfLong();
      }
      TruncateQueueIfDone();
    }
  }

  // Stores what a previous run left in the queue file, then empties it.
  Status Recover() {
    auto data = ReadWholeFile(queue_fd, queue_path);
    if (!data.ok()) return data.status();
    if (data->empty()) return Status::Ok();
    std::vector<AuditRecord> found;
    recovery.skipped_bytes = ParseAuditFrames(*data, &found);
    std::deque<AuditRecord> records(std::make_move_iterator(found.begin()),
                                    std::make_move_iterator(found.end()));
    for (size_t begin = 0; begin < records.size(); begin += options.max_batch) {
      SMEMATCH_RETURN_IF_ERROR(
          Insert(records, begin, std::min(records.size(), begin + options.max_batch)));
    }
    recovery.records = records.size();
    if (::ftruncate(queue_fd, 0) != 0) {
      return UnavailableError("cannot empty the audit queue file " + queue_path + ": " +
                              std::strerror(errno));
    }
    return Status::Ok();
  }

  // Waits until every record appended before the call is committed (at most 10 s).
  void Flush() {
    std::unique_lock lock(mu);
    uint64_t target = appended;
    if (committed >= target) return;
    flush_wanted = std::max(flush_wanted, target);
    ingest_cv.notify_one();
    drained_cv.wait_for(lock, std::chrono::seconds(10),
                        [&] { return committed >= target || stopping; });
  }
};

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AuditLog::~AuditLog() { Close(); }

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                 const AuditOptions& options, Metrics* metrics) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.max_batch = std::max<size_t>(1, options.max_batch);
  impl->metrics = metrics;
  auto w = OpenDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!w.ok()) return w.status();
  impl->write_db = *w;
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, "PRAGMA journal_mode=WAL"));
  // The queue file is emptied only after a commit: under kFull that commit must be on disk.
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, options.sync == AuditSync::kFull
                                                    ? "PRAGMA synchronous=FULL"
                                                    : "PRAGMA synchronous=NORMAL"));
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, kSchema));
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, "PRAGMA wal_autocheckpoint=0"));
  sqlite3_wal_hook(impl->write_db, &Impl::OnWalCommit, impl.get());
  impl->queue_path = AuditQueuePath(path);
  impl->queue_fd = ::open(impl->queue_path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (impl->queue_fd < 0) {
    return UnavailableError("cannot open the audit queue file " + impl->queue_path + ": " +
                            std::strerror(errno));
  }
  SMEMATCH_RETURN_IF_ERROR(impl->Recover());
  auto r = OpenDb(path, SQLITE_OPEN_READONLY);
  if (!r.ok()) return r.status();
  impl->read_db = *r;
  auto c = OpenDb(path, SQLITE_OPEN_READWRITE);
  if (!c.ok()) return c.status();
  impl->checkpoint_db = *c;
  // A connection opens the WAL only with its first transaction; until then a checkpoint on it
  // does nothing (it reports log = -1) and the WAL grows without bound.
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->checkpoint_db, "PRAGMA journal_mode=WAL"));
  Impl* raw = impl.get();
  impl->ingester = std::thread([raw] { raw->IngestLoop(); });
  impl->checkpointer = std::thread([raw] { raw->CheckpointLoop(); });
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

Result<std::unique_ptr<AuditLog>> AuditLog::OpenReadOnly(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  auto r = OpenDb(path, SQLITE_OPEN_READONLY);
  if (!r.ok()) return r.status();
  impl->read_db = *r;
  Stmt check(impl->read_db, "SELECT count(*) FROM decisions");
  if (!check.ok()) {
    return UnavailableError(path + " is not a smematch audit database: " +
                            sqlite3_errmsg(impl->read_db));
  }
  impl->stopping = true;
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

const AuditLog::Recovery& AuditLog::recovery() const { return impl_->recovery; }

void AuditLog::Close() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->ingest_cv.notify_all();
  impl_->checkpoint_cv.notify_all();
  if (impl_->ingester.joinable()) impl_->ingester.join();
  if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
  impl_->drained_cv.notify_all();
  if (impl_->queue_fd >= 0) {
    bool all_stored;
    {
      std::lock_guard lock(impl_->mu);
      all_stored = impl_->pending.empty();
    }
    // Everything is in the database: the queue file is not needed until the next Open.
    if (all_stored) ::unlink(impl_->queue_path.c_str());
    ::close(impl_->queue_fd);
    impl_->queue_fd = -1;
  }
}

Status AuditLog::StoreRuleSet(const RuleSet& rules) {
  if (!impl_->write_db) return FailedPreconditionError("audit database opened read-only");
  std::lock_guard wlock(impl_->write_mu);
  sqlite3* db = impl_->write_db;
  SMEMATCH_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  Stmt set(db, "INSERT OR IGNORE INTO rule_sets(hash, first_seen) VALUES(?, ?)");
  Stmt blob(db, "INSERT OR IGNORE INTO blobs(sha256, content) VALUES(?, ?)");
  Stmt file(db, "INSERT OR IGNORE INTO rule_set_files(rule_set, path, blob) VALUES(?, ?, ?)");
  Status s;
  if (!set.ok() || !blob.ok() || !file.ok()) s = DbError(db, "audit rule set");
  if (s.ok()) {
    set.Text(1, rules.hash());
    set.Text(2, AuditTimeNow());
    if (sqlite3_step(set.get()) != SQLITE_DONE) s = DbError(db, "audit rule set");
  }
  for (const RuleSet::File& f : rules.files()) {
    if (!s.ok()) break;
    std::string sha = Sha256Hex(f.text);
    blob.Text(1, sha);
    sqlite3_bind_blob(blob.get(), 2, f.text.data(), static_cast<int>(f.text.size()),
                      SQLITE_TRANSIENT);
    if (sqlite3_step(blob.get()) != SQLITE_DONE) s = DbError(db, "audit rule file");
    sqlite3_reset(blob.get());
    file.Text(1, rules.hash());
    file.Text(2, f.path);
    file.Text(3, sha);
    if (s.ok() && sqlite3_step(file.get()) != SQLITE_DONE) s = DbError(db, "audit rule file");
    sqlite3_reset(file.get());
  }
  if (!s.ok()) {
    Exec(db, "ROLLBACK").ok();
    return s;
  }
  return Exec(db, "COMMIT");
}

Status AuditLog::Append(std::vector<AuditRecord> records) {
  if (records.empty()) return Status::Ok();
  Impl& m = *impl_;
  std::string frames;
  size_t bytes = 0;
  for (const AuditRecord& r : records) {
    AppendAuditFrame(r, &frames);
    bytes += r.result.size() + r.input.size();
  }
  {
    std::shared_lock queue(m.queue_mu);
    {
      std::lock_guard lock(m.mu);
      if (m.stopping || m.queue_fd < 0) return UnavailableError("the audit log is closed");
    }
    SMEMATCH_RETURN_IF_ERROR(m.WriteQueue(frames));
    std::lock_guard lock(m.mu);
    // The ingest thread sleeps while nothing is pending, and gathers for kIngestMillis after the
    // first record: it is woken by the first, and when too much is pending.
    bool wake = m.pending.empty();
    for (AuditRecord& r : records) m.pending.push_back(std::move(r));
    m.pending_bytes += bytes;
    m.appended += records.size();
    if (wake || m.pending_bytes >= Impl::kMaxPendingBytes) m.ingest_cv.notify_one();
  }
  if (m.options.sync == AuditSync::kFull) SMEMATCH_RETURN_IF_ERROR(m.SyncQueue());
  // Memory stays bounded if SQLite falls behind: wait for the ingest thread (the records are
  // already safe in the queue file).
  std::unique_lock lock(m.mu);
  if (m.pending_bytes >= Impl::kMaxPendingBytes) {
    m.drained_cv.wait(lock, [&] { return m.pending_bytes < Impl::kMaxPendingBytes || m.stopping; });
  }
  return Status::Ok();
}

void AuditLog::Flush() { impl_->Flush(); }

Result<AuditRecord> AuditLog::Find(std::string_view decision_id) {
  impl_->Flush();
  std::lock_guard lock(impl_->read_mu);
  Stmt q(impl_->read_db,
         "SELECT decision_id,time,enterprise_id,caller,rule_set,as_of,programs,input,"
         "input_masked,outcomes,result FROM decisions WHERE decision_id = ?");
  if (!q.ok()) return DbError(impl_->read_db, "audit query");
  q.Text(1, decision_id);
  int rc = sqlite3_step(q.get());
  if (rc == SQLITE_DONE) return NotFoundError("no decision " + std::string(decision_id));
  if (rc != SQLITE_ROW) return DbError(impl_->read_db, "audit query");
  AuditRecord r;
  r.decision_id = q.Column(0);
  r.time = q.Column(1);
  r.enterprise_id = q.Column(2);
  r.caller = q.Column(3);
  r.rule_set = q.Column(4);
  r.as_of = q.Column(5);
  r.programs = q.Column(6);
  r.input = q.Column(7);
  r.input_masked = sqlite3_column_int(q.get(), 8) != 0;
  r.outcomes = q.Column(9);
  if (sqlite3_column_type(q.get(), 10) == SQLITE_TEXT) {
    r.result = q.Column(10);  // written before results were compressed
  } else {
    const void* data = sqlite3_column_blob(q.get(), 10);
    std::string_view frame(static_cast<const char*>(data),
                           static_cast<size_t>(sqlite3_column_bytes(q.get(), 10)));
    auto json = DecompressAuditResult(frame);
    if (!json.ok()) {
      return InternalError("audit database: the stored result of " + r.decision_id +
                           " cannot be read: " + json.status().message());
    }
    r.result = std::move(*json);
  }
  return r;
}

Result<std::vector<AuditRecord>> AuditLog::ForEnterprise(std::string_view enterprise_id,
                                                         size_t limit) {
  impl_->Flush();
  std::lock_guard lock(impl_->read_mu);
  Stmt q(impl_->read_db,
         "SELECT decision_id,time,rule_set,as_of,outcomes FROM decisions WHERE enterprise_id = ? "
         "ORDER BY decision_id DESC LIMIT ?");
  if (!q.ok()) return DbError(impl_->read_db, "audit query");
  q.Text(1, enterprise_id);
  sqlite3_bind_int64(q.get(), 2, static_cast<sqlite3_int64>(limit));
  std::vector<AuditRecord> out;
  int rc;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    AuditRecord r;
    r.decision_id = q.Column(0);
    r.time = q.Column(1);
    r.enterprise_id = std::string(enterprise_id);
    r.rule_set = q.Column(2);
    r.as_of = q.Column(3);
    r.outcomes = q.Column(4);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return DbError(impl_->read_db, "audit query");
  return out;
}

Result<std::vector<RuleSet::File>> AuditLog::RuleFiles(std::string_view hash) {
  std::lock_guard lock(impl_->read_mu);
  Stmt q(impl_->read_db,
         "SELECT f.path, b.content FROM rule_set_files f JOIN blobs b ON b.sha256 = f.blob "
         "WHERE f.rule_set = ? ORDER BY f.path");
  if (!q.ok()) return DbError(impl_->read_db, "audit query");
  q.Text(1, hash);
  std::vector<RuleSet::File> files;
  int rc;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    RuleSet::File f;
    f.path = q.Column(0);
    const void* data = sqlite3_column_blob(q.get(), 1);
    f.text.assign(static_cast<const char*>(data),
                  static_cast<size_t>(sqlite3_column_bytes(q.get(), 1)));
    files.push_back(std::move(f));
  }
  if (rc != SQLITE_DONE) return DbError(impl_->read_db, "audit query");
  if (files.empty()) return NotFoundError("rule set " + std::string(hash) + " is not stored");
  return files;
}

Result<std::string> AuditLog::IntegrityCheck() {
  std::lock_guard lock(impl_->read_mu);
  Stmt q(impl_->read_db, "PRAGMA integrity_check");
  if (!q.ok()) return DbError(impl_->read_db, "integrity check");
  std::string out;
  while (sqlite3_step(q.get()) == SQLITE_ROW) {
    if (!out.empty()) out += "\n";
    out += q.Column(0);
  }
  return out;
}

}  // namespace smematch::server
