#include "audit_log.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
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
CREATE INDEX IF NOT EXISTS decisions_by_enterprise_block
  ON decisions(seq >> 13, enterprise_id, seq);
DROP INDEX IF EXISTS decisions_by_enterprise;
)sql";

// The decisions of one enterprise are found through an index on (block, enterprise, seq), where a
// block is 2^13 consecutive rows (seq >> 13), not on (enterprise, seq). Enterprise ids arrive in
// random order, so in an index led by them every insert lands on its own leaf page, and each
// transaction of ~100 records wrote ~100 pages to the WAL and again at the checkpoint: half of the
// audit trail's cost. Led by the block, the inserts of a transaction share the few dozen leaves of
// the current block. A lookup probes each block, newest first (~120 probes per million decisions)
// until it has enough. Databases made with the old index get the new one (built once, when the
// server opens them) and lose the old.
constexpr int kEnterpriseBlockBits = 13;

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
  // "YYYY-MM-DDTHH:MM:SS.mmmZ" without snprintf (once per decision).
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&](size_t at, int value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10)
      out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, tm.tm_year + 1900, 4);
  put(5, tm.tm_mon + 1, 2);
  put(8, tm.tm_mday, 2);
  put(11, tm.tm_hour, 2);
  put(14, tm.tm_min, 2);
  put(17, tm.tm_sec, 2);
  put(20, static_cast<int>(ms % 1000), 3);
  return out;
}

namespace {

// ---- The queue file ----
//
// A ring of AuditOptions::queue_bytes, mapped shared into memory. Append() copies each record
// into it as one frame; a store into a shared file mapping is in the kernel's page cache at
// once, which outlives the process (a kill, a crash), so the record is safe from then on (under
// kFull an fdatasync of the file also puts it on the disk). No system call and no lock is on
// that path: a writer reserves its frame's place by moving `head` (compare-and-swap), copies the
// record and publishes the frame by storing its position last. The ingest thread reads
// published frames in order, inserts them into SQLite and then moves `tail`, which frees their
// place: a writer never overwrites a frame that is not committed (it waits for room instead).
//
// Positions are logical byte offsets that only grow (a frame at logical position p lies at
// p % ring size); each frame starts with its own position, so the ingest thread can tell a
// published frame from one of an earlier lap, and recovery after a kill can order what it
// finds. A frame (8-byte aligned):
//   u64 position (LE; written last)  "SMQ2"  u32 payload length  u32 checksum (XXH3-64 of the
//   payload seeded with the position, low 32 bits)  u32 kind (0 record, 1 padding, 2 record
//   whose result is a zstd frame)  payload, zero-padded to 8 bytes
// The payload is the string fields of AuditRecord in declaration order, each a u32 LE length
// and its bytes, then input_masked as one byte '0' or '1'. A frame never wraps: where the rest
// of the lap is too short for it, the writer fills it with a padding frame (or, when shorter
// than a header, leaves it, and readers skip it).

constexpr char kFrameMagic[4] = {'S', 'M', 'Q', '2'};
constexpr uint64_t kFrameHeader = 24;
// A record frame's result is the answer as given (kKindRecord) or its zstd frame
// (kKindRecordZstd, for answers of kAuditCompressMinBytes or more, compressed by Append).
constexpr uint32_t kKindRecord = 0, kKindPadding = 1, kKindRecordZstd = 2;

bool IsRecordKind(uint32_t kind) { return kind == kKindRecord || kind == kKindRecordZstd; }

uint64_t Align8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

void PutU32At(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

uint32_t GetU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}

uint64_t GetU64(const char* p) { return GetU32(p) | uint64_t{GetU32(p + 4)} << 32; }

// Checksum of a frame: the low 32 bits of XXH3-64 of its payload, seeded with its position.
uint32_t FrameChecksum(uint64_t position, const char* payload, uint64_t size) {
  return static_cast<uint32_t>(XXH3_64bits_withSeed(payload, size, position));
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

// The payload bytes of `r` with `result` in place of r.result.
uint64_t PayloadBytes(const AuditRecord& r, std::string_view result) {
  uint64_t n = 1 + 4 + result.size();
  ForEachField(r, [&](const std::string& field) { n += 4 + field.size(); });
  return n - 4 - r.result.size();
}

// Writes the header (but not the position) and payload of `r` at `frame`, with `result` (of
// `kind`) in place of r.result.
void WriteFrameBody(const AuditRecord& r, std::string_view result, uint32_t kind, uint64_t position,
                    uint64_t payload_bytes, char* frame) {
  char* p = frame + kFrameHeader;
  auto put = [&](std::string_view field) {
    PutU32At(p, static_cast<uint32_t>(field.size()));
    std::memcpy(p + 4, field.data(), field.size());
    p += 4 + field.size();
  };
  ForEachField(r, [&](const std::string& field) {
    if (&field != &r.result) put(field);
  });
  put(result);
  *p++ = r.input_masked ? '1' : '0';
  std::memset(p, 0, Align8(payload_bytes) - payload_bytes);
  std::memcpy(frame + 8, kFrameMagic, 4);
  PutU32At(frame + 12, static_cast<uint32_t>(payload_bytes));
  PutU32At(frame + 16, FrameChecksum(position, frame + kFrameHeader, payload_bytes));
  PutU32At(frame + 20, kind);
}

// A record's fields as views into a frame (the ingest thread binds them without copying).
struct FrameView {
  std::string_view fields[10];
  bool input_masked = false;
  bool result_zstd = false;  // fields[9] is a zstd frame
};

bool ViewPayload(const char* p, uint64_t size, FrameView* v) {
  const char* end = p + size;
  for (std::string_view& f : v->fields) {
    if (end - p < 4) return false;
    uint32_t n = GetU32(p);
    p += 4;
    if (static_cast<uint64_t>(end - p) < n) return false;
    f = std::string_view(p, n);
    p += n;
  }
  if (end - p != 1 || (*p != '0' && *p != '1')) return false;
  v->input_masked = *p == '1';
  return true;
}

// The record of `v`, its result decompressed; false if that fails.
bool ToRecord(const FrameView& v, AuditRecord* r) {
  int i = 0;
  ForEachField(*r, [&](std::string& field) { field = std::string(v.fields[i++]); });
  r->input_masked = v.input_masked;
  if (!v.result_zstd) return true;
  auto json = DecompressAuditResult(v.fields[9]);
  if (!json.ok()) return false;
  r->result = std::move(*json);
  return true;
}

std::atomic_ref<uint64_t> PositionOf(char* frame) {
  return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(frame));
}

}  // namespace

void AppendAuditFrame(const AuditRecord& record, uint64_t position, std::string* out) {
  uint64_t payload = PayloadBytes(record, record.result);
  size_t start = out->size();
  out->resize(start + kFrameHeader + Align8(payload));
  char* frame = out->data() + start;
  WriteFrameBody(record, record.result, kKindRecord, position, payload, frame);
  PutU32At(frame, static_cast<uint32_t>(position));
  PutU32At(frame + 4, static_cast<uint32_t>(position >> 32));
}

std::vector<std::pair<uint64_t, AuditRecord>> ParseAuditQueue(std::string_view ring) {
  std::vector<std::pair<uint64_t, AuditRecord>> found;
  uint64_t i = 0;
  while (i + kFrameHeader <= ring.size()) {
    const char* f = ring.data() + i;
    uint64_t n = GetU32(f + 12);
    FrameView v;
    v.result_zstd = GetU32(f + 20) == kKindRecordZstd;
    AuditRecord r;
    if (std::memcmp(f + 8, kFrameMagic, 4) == 0 && IsRecordKind(GetU32(f + 20)) &&
        n <= ring.size() - i - kFrameHeader &&
        GetU32(f + 16) == FrameChecksum(GetU64(f), f + kFrameHeader, n) &&
        ViewPayload(f + kFrameHeader, n, &v) && ToRecord(v, &r)) {
      found.emplace_back(GetU64(f), std::move(r));
      i += kFrameHeader + Align8(n);
    } else {
      i += 8;  // not a whole, intact record here (padding, a torn or an overwritten frame)
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return found;
}

namespace {

// Reads the first `size` bytes of the file open at `fd` into `*out`; false on a read error
// (a file shorter than `size` gives what it has).
bool ReadWhole(int fd, size_t size, std::string* out) {
  out->assign(size, '\0');
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, out->data() + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out->resize(done);
  return true;
}

}  // namespace

struct AuditLog::Impl {
  sqlite3* write_db = nullptr;  // used only by the ingest thread (and StoreRuleSet, under mu)
  sqlite3* read_db = nullptr;
  std::mutex read_mu;
  std::mutex write_mu;  // StoreRuleSet vs the ingest thread's transactions
  // OpenReadOnly: the queue file Find() also looks in (records a server acknowledged and had not
  // stored yet, or a killed server left).
  std::string read_only_queue;
  AuditOptions options;
  Metrics* metrics = nullptr;

  // The queue file (see the top of this section).
  std::string queue_path;
  int queue_fd = -1;
  char* ring = nullptr;
  uint64_t ring_bytes = 0;
  std::atomic<uint64_t> head{0};  // end of the frames reserved by writers
  std::atomic<uint64_t> tail{0};  // start of the frames not yet committed
  std::atomic<bool> ingester_idle{false};

  // kFull: one fdatasync of the queue file serves every Append whose frames were published
  // before it started (group sync).
  std::mutex sync_mu;
  std::condition_variable sync_cv;
  uint64_t syncs_started = 0, syncs_done = 0;
  bool syncing = false;
  Status sync_error;

  std::mutex mu;
  std::condition_variable ingest_cv;  // wakes the ingest thread
  std::condition_variable room_cv;    // `tail` moved: wakes writers waiting for room, Flush()
  uint64_t flush_wanted = 0;          // a position Flush() waits for `tail` to reach
  // Set under `mu` (the condition variables' predicates read it); Append reads it without.
  std::atomic<bool> stopping{false};
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
    if (ring) ::munmap(ring, ring_bytes);
    if (queue_fd >= 0) ::close(queue_fd);
    sqlite3_close_v2(checkpoint_db);
    sqlite3_close_v2(read_db);
    sqlite3_close_v2(write_db);
  }

  static constexpr int kWalRestartFrames = 4096;  // 16 MiB of 4-KiB pages
  static constexpr int kCheckpointMillis = 20;
  // The ingest thread lets frames gather for this long after it finds work, so that a busy
  // server commits a hundred or more per transaction and wakes it ~200 times a second.
  static constexpr int kIngestMillis = 5;
  // The nice value the ingest thread asks for (see IngestLoop).
  static constexpr int kIngestNice = -10;
  // How long Append() waits for room in a full queue file (SQLite stalled) before giving up.
  static constexpr int kRoomWaitSeconds = 10;

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
                                 [&] { return stopping.load(); })) {
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

  char* At(uint64_t position) const { return ring + position % ring_bytes; }

  // The position of the next frame at or after `position` (skipping a lap's end too short for
  // a header).
  uint64_t FrameStart(uint64_t position) const {
    uint64_t rest = ring_bytes - position % ring_bytes;
    return rest < kFrameHeader ? position + rest : position;
  }

  // Reserves `frame_bytes` (8-aligned) in the ring: returns the frame's position, waiting for
  // room while the ring is full. kUnavailable if there is no room for kRoomWaitSeconds, or once
  // stopping.
  Result<uint64_t> Reserve(uint64_t frame_bytes) {
    uint64_t h = head.load();
    for (;;) {
      uint64_t start = FrameStart(h);
      if (ring_bytes - start % ring_bytes < frame_bytes) start += ring_bytes - start % ring_bytes;
      uint64_t end = start + frame_bytes;
      // Not end - tail: with `h` stale, `end` may lie behind a tail that moved on (the
      // compare-and-swap then fails and the loop starts again).
      if (end > tail.load() + ring_bytes) {
        SMEMATCH_RETURN_IF_ERROR(WaitForRoom(end));
        h = head.load();
        continue;
      }
      if (head.compare_exchange_weak(h, end)) {
        uint64_t gap = start - h;
        if (gap >= kFrameHeader) {  // a padding frame up to the end of the lap
          uint64_t at = FrameStart(h);
          char* f = At(at);
          std::memcpy(f + 8, kFrameMagic, 4);
          PutU32At(f + 12, static_cast<uint32_t>(start - at - kFrameHeader));
          PutU32At(f + 16, 0);
          PutU32At(f + 20, kKindPadding);
          PositionOf(f).store(at, std::memory_order_release);
        }
        return start;
      }
    }
  }

  Status WaitForRoom(uint64_t end) {
    std::unique_lock lock(mu);
    ingest_cv.notify_one();
    if (!room_cv.wait_for(lock, std::chrono::seconds(kRoomWaitSeconds),
                          [&] { return end <= tail.load() + ring_bytes || stopping; })) {
      return UnavailableError("the audit queue file " + queue_path +
                              " is full: the audit database is not keeping up");
    }
    if (stopping) return UnavailableError("the audit log is closed");
    return Status::Ok();
  }

  // Wakes the ingest thread if it sleeps for want of work (after a frame was published).
  void WakeIngester() {
    if (ingester_idle.load()) {
      std::lock_guard lock(mu);
      ingest_cv.notify_one();
    }
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

  // Binds the fields of `v` to `insert` (parameters 1-11). A compressed result is stored as it
  // is (BLOB); one of kAuditCompressMinBytes or more that is not (from a recovered frame, or
  // zstd failed in Append) is compressed into `*z`; shorter ones are stored as TEXT.
  static void Bind(sqlite3_stmt* insert, const FrameView& v, std::string* z) {
    for (int i = 0; i < 6; ++i) {
      sqlite3_bind_text(insert, i + 1, v.fields[i].data(), static_cast<int>(v.fields[i].size()),
                        SQLITE_STATIC);
    }
    if (v.fields[6].empty())
      sqlite3_bind_null(insert, 7);
    else
      sqlite3_bind_text(insert, 7, v.fields[6].data(), static_cast<int>(v.fields[6].size()),
                        SQLITE_STATIC);
    sqlite3_bind_text(insert, 8, v.fields[7].data(), static_cast<int>(v.fields[7].size()),
                      SQLITE_STATIC);
    sqlite3_bind_int(insert, 9, v.input_masked ? 1 : 0);
    sqlite3_bind_text(insert, 10, v.fields[8].data(), static_cast<int>(v.fields[8].size()),
                      SQLITE_STATIC);
    std::string_view result = v.fields[9];
    if (v.result_zstd) {
      sqlite3_bind_blob(insert, 11, result.data(), static_cast<int>(result.size()), SQLITE_STATIC);
      return;
    }
    if (result.size() >= kAuditCompressMinBytes) {
      auto c = CompressAuditResult(result);
      if (c.ok()) {
        *z = std::move(*c);
        sqlite3_bind_blob(insert, 11, z->data(), static_cast<int>(z->size()), SQLITE_STATIC);
        return;
      }
    }
    // Short, or zstd failed: stored as it is.
    sqlite3_bind_text(insert, 11, result.data(), static_cast<int>(result.size()), SQLITE_STATIC);
  }

  static constexpr const char* kInsertSql =
      "INSERT OR IGNORE INTO decisions(decision_id,time,enterprise_id,caller,rule_set,as_of,"
      "programs,input,input_masked,outcomes,result) VALUES(?,?,?,?,?,?,?,?,?,?,?)";

  // Inserts the published frames from `tail` up to the `head` of the call, in transactions of at
  // most max_batch records, moving `tail` past each committed one; stops at the first frame not
  // yet published. Returns
  // whether anything was committed; an error leaves `tail` at the first frame not committed.
  Result<bool> IngestPublished(Stmt& insert) {
    uint64_t at = tail.load();
    // Only what was reserved before this call: under steady load there is always more, and the
    // caller must get back to its WAL truncation and its gathering pause.
    const uint64_t stop = head.load();
    bool any = false;
    std::string z;
    for (;;) {
      if (FrameStart(at) >= stop) return any;
      size_t records = 0;
      uint64_t end = at;
      auto start = std::chrono::steady_clock::now();
      std::unique_lock wlock(write_mu);
      Status s = Exec(write_db, "BEGIN IMMEDIATE");
      while (s.ok() && end < stop && records < options.max_batch) {
        uint64_t f = FrameStart(end);
        if (f >= stop) break;
        char* frame = At(f);
        if (PositionOf(frame).load(std::memory_order_acquire) != f) break;  // not published
        uint64_t n = GetU32(frame + 12);
        end = f + kFrameHeader + Align8(n);
        uint32_t kind = GetU32(frame + 20);
        if (!IsRecordKind(kind)) continue;  // padding
        FrameView v;
        v.result_zstd = kind == kKindRecordZstd;
        if (!ViewPayload(frame + kFrameHeader, n, &v)) {
          s = InternalError("audit queue: malformed frame at " + std::to_string(f));
          break;
        }
        Bind(insert.get(), v, &z);
        if (sqlite3_step(insert.get()) != SQLITE_DONE) s = DbError(write_db, "audit insert");
        sqlite3_reset(insert.get());
        ++records;
      }
      if (s.ok()) s = Exec(write_db, "COMMIT");
      if (!s.ok()) {
        Exec(write_db, "ROLLBACK").ok();
        return s;
      }
      wlock.unlock();
      if (end == at) return any;
      if (metrics && records > 0) {
        metrics->ObserveAuditCommit(
            records,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
      at = end;
      {
        std::lock_guard lock(mu);
        tail.store(at);
        ++commits;
      }
      room_cv.notify_all();
      checkpoint_cv.notify_one();
      any = true;
      {
        std::lock_guard relock(write_mu);
        RestartWalIfLong();  // also between the transactions of a long pass
      }
    }
  }

  // Whether the frame at `tail` is published (or a lap's end is to be skipped there).
  bool WorkReady() const {
    uint64_t t = tail.load(), h = head.load();
    if (t == h) return false;
    uint64_t f = FrameStart(t);
    return f != t || PositionOf(At(f)).load() == f;
  }

  void IngestLoop() {
    pthread_setname_np(pthread_self(), "audit-ingest");
    // Under full load the HTTP threads outnumber this one, and an equal share of the CPU is less
    // than it needs (~8 µs per decision): the queue file then fills until requests wait for
    // room. So it asks for a higher priority, which Linux grants a process with CAP_SYS_NICE
    // (root, or a service given it); without, it keeps the process's and the queue file absorbs
    // the bursts (docs/performance.md, "HTTP service": queue at most 12 MiB against 63 MiB).
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kIngestNice);
    Stmt insert(write_db, kInsertSql);
    for (;;) {
      {
        std::unique_lock lock(mu);
        // Sleep until a frame is published: the writer that publishes while ingester_idle is
        // set wakes us (it reads the flag after publishing; we read its frame after setting
        // the flag).
        ingester_idle.store(true);
        ingest_cv.wait(lock, [&] { return stopping || flush_wanted > tail.load() || WorkReady(); });
        ingester_idle.store(false);
        if (stopping && tail.load() == head.load()) break;
        // Let frames gather, unless someone waits for them.
        ingest_cv.wait_for(lock, std::chrono::milliseconds(kIngestMillis), [&] {
          uint64_t t = tail.load();  // first: `tail` never passes a `head` read after it
          return stopping || flush_wanted > t || head.load() - t > ring_bytes / 2;
        });
      }
      Result<bool> r = insert.ok() ? IngestPublished(insert) : DbError(write_db, "audit insert");
      if (!r.ok()) {
        // SQLite refused (disk full, say): the frames stay in the queue file and are retried
        // after a pause; writers wait for room meanwhile.
        if (metrics) metrics->ObserveAuditError();
        std::unique_lock lock(mu);
        if (ingest_cv.wait_for(lock, std::chrono::milliseconds(200),
                               [&] { return stopping.load(); })) {
          break;  // the queue file keeps them for the next Open
        }
        continue;
      }
      if (!*r) {
        // The frame at `tail` is reserved but not yet published: its writer is copying it.
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        continue;
      }
      std::lock_guard wlock(write_mu);
      RestartWalIfLong();
    }
  }

  // Creates or maps the queue file, stores the records a killed process left in it, and starts
  // a new lap after the last of them.
  Status OpenQueue(const std::string& db_path) {
    queue_path = AuditQueuePath(db_path);
    ring_bytes =
        std::max<uint64_t>(uint64_t{64} << 10, Align8(options.queue_bytes) & ~uint64_t{4095});
    queue_fd = ::open(queue_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    auto fail = [&](const std::string& what) {
      return UnavailableError(what + " the audit queue file " + queue_path + ": " +
                              std::strerror(errno));
    };
    if (queue_fd < 0) return fail("cannot open");
    struct stat st {};
    if (::fstat(queue_fd, &st) != 0) return fail("cannot stat");
    std::vector<std::pair<uint64_t, AuditRecord>> left;
    if (st.st_size > 0) {
      // What a killed process left (a clean Close removes the file).
      std::string data;
      if (!ReadWhole(queue_fd, static_cast<size_t>(st.st_size), &data)) return fail("cannot read");
      left = ParseAuditQueue(data);
    }
    // Blocks written now, not at the first store into each page.
    if (static_cast<uint64_t>(st.st_size) != ring_bytes) {
      if (::ftruncate(queue_fd, 0) != 0) return fail("cannot resize");
      std::string zeros(size_t{1} << 20, '\0');
      for (uint64_t off = 0; off < ring_bytes; off += zeros.size()) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), ring_bytes - off));
        if (::pwrite(queue_fd, zeros.data(), n, static_cast<off_t>(off)) !=
            static_cast<ssize_t>(n)) {
          return fail("cannot write");
        }
      }
    }
    void* m =
        ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, queue_fd, 0);
    if (m == MAP_FAILED) return fail("cannot map");
    ring = static_cast<char*>(m);
    if (!left.empty()) {
      Stmt insert(write_db, kInsertSql);
      if (!insert.ok()) return DbError(write_db, "audit insert");
      std::string z;
      for (size_t begin = 0; begin < left.size(); begin += options.max_batch) {
        std::lock_guard wlock(write_mu);
        SMEMATCH_RETURN_IF_ERROR(Exec(write_db, "BEGIN IMMEDIATE"));
        Status s;
        for (size_t i = begin; i < std::min(left.size(), begin + options.max_batch) && s.ok();
             ++i) {
          std::string frame;
          AppendAuditFrame(left[i].second, 0, &frame);
          FrameView v;
          ViewPayload(frame.data() + kFrameHeader, GetU32(frame.data() + 12), &v);
          Bind(insert.get(), v, &z);
          if (sqlite3_step(insert.get()) != SQLITE_DONE) s = DbError(write_db, "audit insert");
          recovery.records += static_cast<size_t>(sqlite3_changes(write_db));
          sqlite3_reset(insert.get());
        }
        if (s.ok()) s = Exec(write_db, "COMMIT");
        if (!s.ok()) {
          Exec(write_db, "ROLLBACK").ok();
          return s;
        }
      }
      // A new lap, so that no frame left from before can pass for a new one.
      uint64_t last = left.back().first;
      uint64_t start = (last / ring_bytes + 1) * ring_bytes;
      head.store(start);
      tail.store(start);
    }
    return Status::Ok();
  }

  // Waits until every frame reserved before the call is committed (at most 10 s).
  void Flush() {
    std::unique_lock lock(mu);
    uint64_t target = head.load();
    if (tail.load() >= target) return;
    flush_wanted = std::max(flush_wanted, target);
    ingest_cv.notify_one();
    room_cv.wait_for(lock, std::chrono::seconds(10),
                     [&] { return tail.load() >= target || stopping; });
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
  // A commit frees its frames' room in the queue file: under kFull it must be on disk first.
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, options.sync == AuditSync::kFull
                                                    ? "PRAGMA synchronous=FULL"
                                                    : "PRAGMA synchronous=NORMAL"));
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, kSchema));
  SMEMATCH_RETURN_IF_ERROR(Exec(impl->write_db, "PRAGMA wal_autocheckpoint=0"));
  sqlite3_wal_hook(impl->write_db, &Impl::OnWalCommit, impl.get());
  SMEMATCH_RETURN_IF_ERROR(impl->OpenQueue(path));
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
    return UnavailableError(path +
                            " is not a smematch audit database: " + sqlite3_errmsg(impl->read_db));
  }
  impl->stopping = true;
  impl->read_only_queue = AuditQueuePath(path);
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

const AuditLog::Recovery& AuditLog::recovery() const { return impl_->recovery; }

uint64_t AuditLog::queued_bytes() const {
  uint64_t t = impl_->tail.load();
  return impl_->head.load() - t;
}

void AuditLog::Close() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->ingest_cv.notify_all();
  impl_->checkpoint_cv.notify_all();
  impl_->room_cv.notify_all();
  if (impl_->ingester.joinable()) impl_->ingester.join();
  if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
  if (impl_->queue_fd >= 0) {
    // Everything is in the database: the queue file is not needed until the next Open.
    if (impl_->tail.load() == impl_->head.load()) ::unlink(impl_->queue_path.c_str());
    if (impl_->ring) ::munmap(impl_->ring, impl_->ring_bytes);
    impl_->ring = nullptr;
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
  Impl& m = *impl_;
  if (m.stopping.load() || !m.ring) return UnavailableError("the audit log is closed");
  std::string z;
  Status s;
  for (const AuditRecord& r : records) {
    // A long answer (with reasons, ~7 kB) is compressed here, by the request's thread: ~3x fewer
    // bytes through the queue file, and the one ingest thread only inserts.
    std::string_view result = r.result;
    uint32_t kind = kKindRecord;
    if (r.result.size() >= kAuditCompressMinBytes) {
      if (auto c = CompressAuditResult(r.result); c.ok()) {
        z = std::move(*c);
        result = z;
        kind = kKindRecordZstd;
      }
    }
    uint64_t payload = PayloadBytes(r, result);
    uint64_t frame_bytes = kFrameHeader + Align8(payload);
    if (frame_bytes > m.ring_bytes / 2 || payload > UINT32_MAX) {
      s = UnavailableError("audit record " + r.decision_id + " of " + std::to_string(frame_bytes) +
                           " bytes is larger than half the audit queue file (" +
                           std::to_string(m.ring_bytes) + " bytes)");
      break;
    }
    auto position = m.Reserve(frame_bytes);
    if (!position.ok()) {
      s = position.status();
      break;
    }
    char* frame = m.At(*position);
    WriteFrameBody(r, result, kind, *position, payload, frame);
    // Sequentially consistent, not just a release: WakeIngester() reads ingester_idle after it,
    // and the ingest thread sets that flag before it reads this (see IngestLoop).
    PositionOf(frame).store(*position);
  }
  m.WakeIngester();  // also after an error: the records before it are published
  if (!s.ok()) return s;
  if (m.options.sync == AuditSync::kFull) return m.SyncQueue();
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
  if (rc == SQLITE_DONE && !impl_->read_only_queue.empty()) {
    // Not stored yet: it may still be in the queue file (its frames are checksummed, so one
    // that a running server is writing at this moment is skipped, not misread).
    int fd = ::open(impl_->read_only_queue.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    std::string ring;
    bool read =
        fd >= 0 && ::fstat(fd, &st) == 0 && ReadWhole(fd, static_cast<size_t>(st.st_size), &ring);
    if (fd >= 0) ::close(fd);
    if (read) {
      for (auto& [position, record] : ParseAuditQueue(ring)) {
        if (record.decision_id == decision_id) return std::move(record);
      }
    }
  }
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
  sqlite3* db = impl_->read_db;
  // One read transaction, so that the blocks probed are of one snapshot.
  SMEMATCH_RETURN_IF_ERROR(Exec(db, "BEGIN"));
  Stmt top(db, "SELECT max(seq) FROM decisions");
  Stmt q(db,
         "SELECT decision_id,time,rule_set,as_of,outcomes FROM decisions "
         "WHERE seq >> 13 = ? AND enterprise_id = ? ORDER BY seq DESC LIMIT ?");
  static_assert(kEnterpriseBlockBits == 13, "the query must say the index's expression");
  std::vector<AuditRecord> out;
  Status s;
  if (!top.ok() || !q.ok() || sqlite3_step(top.get()) != SQLITE_ROW) s = DbError(db, "audit query");
  for (int64_t block = s.ok() ? sqlite3_column_int64(top.get(), 0) >> kEnterpriseBlockBits : -1;
       s.ok() && block >= 0 && out.size() < limit; --block) {
    sqlite3_bind_int64(q.get(), 1, block);
    q.Text(2, enterprise_id);
    sqlite3_bind_int64(q.get(), 3, static_cast<sqlite3_int64>(limit - out.size()));
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
    if (rc != SQLITE_DONE) s = DbError(db, "audit query");
    sqlite3_reset(q.get());
  }
  Exec(db, "COMMIT").ok();
  if (!s.ok()) return s;
  // Newest first by decision id (the order recorded, unless the clock went back).
  std::stable_sort(out.begin(), out.end(), [](const AuditRecord& a, const AuditRecord& b) {
    return a.decision_id > b.decision_id;
  });
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
