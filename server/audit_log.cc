#include "audit_log.h"

#include <openssl/evp.h>
#include <sqlite3.h>
#include <zstd.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
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

struct AuditLog::Impl {
  struct Job {
    std::vector<AuditRecord> records;  // each `result` replaced by its zstd frame
    std::promise<Status> done;
  };

  sqlite3* write_db = nullptr;  // used only by the writer thread (and StoreRuleSet, under mu)
  sqlite3* read_db = nullptr;
  std::mutex read_mu;
  std::mutex write_mu;          // StoreRuleSet vs the writer's transactions
  AuditOptions options;
  Metrics* metrics = nullptr;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> queue;
  bool stopping = false;
  std::thread writer;

  // Checkpoints copy the WAL into the database on their own connection and thread (PASSIVE:
  // they never block the writer), every kCheckpointMillis, so that no commit waits for the
  // copy and fsync of the database file. Under steady load a PASSIVE checkpoint never catches
  // up with the writer, so the WAL would never restart and would grow without bound: past
  // kWalRestartFrames the writer itself, between two groups, runs a TRUNCATE checkpoint, which
  // has only the frames of the last few milliseconds left to copy, and empties the WAL. The
  // two never run at once (checkpoint_mu), so neither waits in SQLite's busy handler.
  sqlite3* checkpoint_db = nullptr;
  std::thread checkpointer;
  std::condition_variable checkpoint_cv;  // wakes the checkpointer: a commit, or stop (with mu)
  uint64_t commits = 0;                   // commit groups so far (under mu)
  std::mutex checkpoint_mu;
  int wal_frames = 0;  // frames in the WAL after the last commit on write_db (under write_mu)

  static int OnWalCommit(void* self, sqlite3*, const char*, int frames) {
    static_cast<Impl*>(self)->wal_frames = frames;
    return SQLITE_OK;
  }

  ~Impl() {
    sqlite3_close_v2(checkpoint_db);
    sqlite3_close_v2(read_db);
    sqlite3_close_v2(write_db);
  }

  static constexpr int kWalRestartFrames = 4096;  // 16 MiB of 4-KiB pages
  static constexpr int kCheckpointMillis = 20;

  // An idle server sleeps here until the writer commits; under load, one PASSIVE checkpoint
  // every kCheckpointMillis at most.
  void CheckpointLoop() {
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

  // Writer thread, outside a transaction: empties a WAL past kWalRestartFrames.
  void RestartWalIfLong() {
    if (wal_frames < kWalRestartFrames) return;
    std::lock_guard checkpointing(checkpoint_mu);
    int log_frames = 0;
    if (sqlite3_wal_checkpoint_v2(write_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
                                  nullptr) == SQLITE_OK) {
      wal_frames = log_frames;
    }
  }

  void WriterLoop() {
    Stmt insert(write_db,
                "INSERT INTO decisions(decision_id,time,enterprise_id,caller,rule_set,as_of,"
                "programs,input,input_masked,outcomes,result) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    std::vector<Job> batch;
    for (;;) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || stopping; });
        if (queue.empty() && stopping) break;
        size_t n = 0;
        while (!queue.empty() && (batch.empty() || n < options.max_batch)) {
          n += queue.front().records.size();
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      auto start = std::chrono::steady_clock::now();
      std::vector<Status> results(batch.size());
      size_t records = 0;
      {
        std::lock_guard wlock(write_mu);
        Status begin = Exec(write_db, "BEGIN IMMEDIATE");
        for (size_t j = 0; j < batch.size(); ++j) {
          if (!begin.ok()) {
            results[j] = begin;
            continue;
          }
          if (!insert.ok()) {
            results[j] = DbError(write_db, "audit insert");
            continue;
          }
          for (const AuditRecord& r : batch[j].records) {
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
            // Compressed by Append() in the caller's thread.
            sqlite3_bind_blob(insert.get(), 11, r.result.data(),
                              static_cast<int>(r.result.size()), SQLITE_STATIC);
            int rc = sqlite3_step(insert.get());
            if (rc != SQLITE_DONE && results[j].ok()) {
              results[j] = rc == SQLITE_CONSTRAINT
                               ? InvalidArgumentError("duplicate decision id " + r.decision_id)
                               : DbError(write_db, "audit insert");
            }
            sqlite3_reset(insert.get());
            ++records;
          }
        }
        if (begin.ok()) {
          Status commit = Exec(write_db, "COMMIT");
          if (!commit.ok()) {
            Exec(write_db, "ROLLBACK").ok();
            for (Status& s : results) s = commit;
          }
        }
      }
      if (metrics) {
        metrics->ObserveAuditCommit(
            records, std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                         .count());
      }
      for (size_t j = 0; j < batch.size(); ++j) batch[j].done.set_value(std::move(results[j]));
      batch.clear();
      {
        std::lock_guard lock(mu);
        ++commits;
      }
      checkpoint_cv.notify_one();
      {
        std::lock_guard wlock(write_mu);
        RestartWalIfLong();
      }
    }
  }
};

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AuditLog::~AuditLog() { Close(); }

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                 const AuditOptions& options, Metrics* metrics) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->metrics = metrics;
  auto w = OpenDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!w.ok()) return w.status();
  impl->write_db = *w;
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, "PRAGMA journal_mode=WAL"));
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, options.sync == AuditSync::kFull
                                                    ? "PRAGMA synchronous=FULL"
                                                    : "PRAGMA synchronous=NORMAL"));
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, kSchema));
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, "PRAGMA wal_autocheckpoint=0"));
  sqlite3_wal_hook(impl->write_db, &Impl::OnWalCommit, impl.get());
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
  impl->writer = std::thread([raw] { raw->WriterLoop(); });
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

void AuditLog::Close() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->checkpoint_cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
  if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
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

std::future<Status> AuditLog::Append(std::vector<AuditRecord> records) {
  Impl::Job job;
  job.records = std::move(records);
  std::future<Status> f = job.done.get_future();
  for (AuditRecord& r : job.records) {
    auto z = CompressAuditResult(r.result);
    if (!z.ok()) {
      job.done.set_value(z.status());
      return f;
    }
    r.result = std::move(*z);
  }
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) {
      job.done.set_value(UnavailableError("the audit log is closed"));
      return f;
    }
    impl_->queue.push_back(std::move(job));
  }
  impl_->cv.notify_one();
  return f;
}

Result<AuditRecord> AuditLog::Find(std::string_view decision_id) {
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
