// The audit log's storage of results: long ones compressed (zstd) in a BLOB, short ones TEXT,
// returned byte for byte by Find(); rows of databases written before compression (TEXT) still
// read; a damaged blob is an error naming the decision, not a crash. And its queue file: frames
// that survive a damaged neighbour, recovery of what a killed process left, a ring that wraps
// and fills under concurrent writers.
#include "audit_log.h"

#include <sqlite3.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <regex>
#include <fstream>
#include <thread>

namespace smematch::server {
namespace {

namespace fs = std::filesystem;

struct TempDb {
  fs::path dir;
  std::string path;
  TempDb() {
    dir = fs::temp_directory_path() / ("smematch_audit_log_test_" + std::to_string(::getpid()) +
                                       "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "audit.db").string();
  }
  ~TempDb() { fs::remove_all(dir); }
  static inline int counter = 0;
};

// A direct SQLite connection for looking at (and tampering with) what the log wrote.
class Db {
 public:
  explicit Db(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 10000);
  }
  ~Db() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  // Column `column` of the first row of `sql`, as text.
  std::string One(const std::string& sql, int column = 0) {
    sqlite3_stmt* q = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &q, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (q && sqlite3_step(q) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(q, column);
      if (t) out.assign(reinterpret_cast<const char*>(t), sqlite3_column_bytes(q, column));
    }
    sqlite3_finalize(q);
    return out;
  }
  // Sets decisions.result of `id` to the bytes `blob`.
  void SetResultBlob(const std::string& id, const std::string& blob) {
    sqlite3_stmt* q = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, "UPDATE decisions SET result = ? WHERE decision_id = ?", -1,
                                 &q, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(q, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    EXPECT_EQ(sqlite3_changes(db_), 1);
  }

 private:
  sqlite3* db_ = nullptr;
};

// An answer like the service's: repetitive JSON with Thai and English reasons.
std::string Answer(const std::string& id) {
  std::string s = "{\"decision_id\":\"" + id + "\",\"decisions\":[";
  for (int i = 0; i < 40; ++i) {
    if (i) s += ",";
    s += R"({"criterion":"employees_)" + std::to_string(i) +
         R"(","passed":true,"reason":{"th":"จำนวนการจ้างงาน 12 คน ไม่เกิน 50 คน ตามเกณฑ์ SME",)"
         R"("en":"12 employees, at most 50 as the SME definition requires"}})";
  }
  return s + "],\"lang\":\"th\"}";
}

AuditRecord Record(const std::string& id) {
  AuditRecord r;
  r.decision_id = id;
  r.time = "2026-11-21T03:45:12.345Z";
  r.enterprise_id = "CM-001";
  r.caller = "test";
  r.rule_set = "sha256:x";
  r.as_of = "2026-11-21";
  r.input = R"({"id":"CM-001"})";
  r.outcomes = R"({"BSC":"eligible"})";
  r.result = Answer(id);
  return r;
}

void AppendOk(AuditLog& log, std::vector<AuditRecord> records) {
  Status s = log.Append(std::move(records));
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST(AuditLog, ResultIsStoredCompressedAndFoundByteForByte) {
  TempDb db;
  auto log = AuditLog::Open(db.path, AuditOptions{AuditSync::kNormal});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  AppendOk(**log, {Record("dec_a"), Record("dec_b")});
  auto found = (*log)->Find("dec_b");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->result, Answer("dec_b"));
  EXPECT_EQ(found->outcomes, R"({"BSC":"eligible"})");

  Db raw(db.path);
  EXPECT_EQ(raw.One("SELECT typeof(result) FROM decisions WHERE decision_id = 'dec_b'"), "blob");
  const size_t stored =
      std::stoul(raw.One("SELECT length(result) FROM decisions WHERE decision_id = 'dec_b'"));
  EXPECT_LT(stored * 3, Answer("dec_b").size()) << "stored " << stored << " bytes";
  // Not the JSON text: a lookup that skipped decompression would not find the answer.
  EXPECT_EQ(raw.One("SELECT instr(CAST(result AS TEXT), 'criterion') FROM decisions "
                    "WHERE decision_id = 'dec_b'"),
            "0");
  (*log)->Close();

  // Read-only (smematch replay) too.
  auto ro = AuditLog::OpenReadOnly(db.path);
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  found = (*ro)->Find("dec_a");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->result, Answer("dec_a"));
}

TEST(AuditLog, EmptyAndLargeResultsRoundTrip) {
  TempDb db;
  auto log = AuditLog::Open(db.path, AuditOptions{AuditSync::kNormal});
  ASSERT_TRUE(log.ok());
  AuditRecord empty = Record("dec_empty");
  empty.result.clear();
  AuditRecord large = Record("dec_large");
  for (int i = 0; i < 200; ++i) large.result += Answer(std::to_string(i));  // ~1.4 MB
  AppendOk(**log, {empty, large});
  auto e = (*log)->Find("dec_empty");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->result, "");
  auto l = (*log)->Find("dec_large");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->result, large.result);
}

// The schema of databases written before results were compressed: `result TEXT`.
constexpr const char* kOldSchema = R"sql(
CREATE TABLE smematch_audit(version INTEGER NOT NULL);
CREATE TABLE blobs(sha256 TEXT PRIMARY KEY, content BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE rule_sets(hash TEXT PRIMARY KEY, first_seen TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE rule_set_files(
  rule_set TEXT NOT NULL REFERENCES rule_sets(hash),
  path TEXT NOT NULL,
  blob TEXT NOT NULL REFERENCES blobs(sha256),
  PRIMARY KEY(rule_set, path)) WITHOUT ROWID;
CREATE TABLE decisions(
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
  result TEXT NOT NULL);
CREATE INDEX decisions_by_enterprise ON decisions(enterprise_id, decision_id);
)sql";

TEST(AuditLog, ReadsUncompressedResultsOfOlderDatabases) {
  TempDb db;
  const std::string old_answer = Answer("dec_old");
  {
    Db raw(db.path);
    raw.Exec("PRAGMA journal_mode=WAL");
    raw.Exec(kOldSchema);
    raw.Exec("INSERT INTO decisions(decision_id,time,enterprise_id,caller,rule_set,as_of,"
             "input,input_masked,outcomes,result) VALUES('dec_old','2026-01-01T00:00:00.000Z',"
             "'CM-001','test','sha256:x','2026-01-01','{}',0,'{}','" + old_answer + "')");
  }
  {
    auto ro = AuditLog::OpenReadOnly(db.path);
    ASSERT_TRUE(ro.ok()) << ro.status().ToString();
    auto found = (*ro)->Find("dec_old");
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(found->result, old_answer);
  }
  // The server keeps writing to an old database: new rows compressed, old ones still read.
  auto log = AuditLog::Open(db.path, AuditOptions{AuditSync::kNormal});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  AppendOk(**log, {Record("dec_new")});
  auto old_row = (*log)->Find("dec_old");
  ASSERT_TRUE(old_row.ok()) << old_row.status().ToString();
  EXPECT_EQ(old_row->result, old_answer);
  auto new_row = (*log)->Find("dec_new");
  ASSERT_TRUE(new_row.ok()) << new_row.status().ToString();
  EXPECT_EQ(new_row->result, Answer("dec_new"));
  // Its enterprise index is replaced by the one led by the block of rows.
  auto history = (*log)->ForEnterprise("CM-001", 10);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].decision_id, "dec_old");  // "dec_o…" > "dec_n…"
  Db raw(db.path);
  EXPECT_EQ(raw.One("SELECT count(*) FROM sqlite_schema WHERE name = 'decisions_by_enterprise'"),
            "0");
  EXPECT_EQ(raw.One("SELECT count(*) FROM sqlite_schema "
                    "WHERE name = 'decisions_by_enterprise_block'"),
            "1");
  EXPECT_EQ(raw.One("SELECT typeof(result) FROM decisions WHERE decision_id = 'dec_old'"), "text");
  EXPECT_EQ(raw.One("SELECT typeof(result) FROM decisions WHERE decision_id = 'dec_new'"), "blob");
}

TEST(AuditLog, DamagedResultIsAnErrorNamingTheDecision) {
  TempDb db;
  auto log = AuditLog::Open(db.path, AuditOptions{AuditSync::kNormal});
  ASSERT_TRUE(log.ok());
  AppendOk(**log, {Record("dec_1"), Record("dec_2"), Record("dec_3"), Record("dec_4")});
  (*log)->Flush();  // in the database, to be damaged there
  auto frame = CompressAuditResult(Answer("dec_2"));
  ASSERT_TRUE(frame.ok());
  // A frame whose header declares 1 TiB.
  auto huge = std::string("\x28\xb5\x2f\xfd\xe0\x00\x00\x00\x00\x00\x01\x00\x00", 13);
  {
    Db raw(db.path);
    raw.SetResultBlob("dec_1", "not zstd at all");
    raw.SetResultBlob("dec_2", frame->substr(0, frame->size() - 7));  // truncated
    std::string flipped = *frame;
    flipped[flipped.size() / 2] ^= 0x5a;
    raw.SetResultBlob("dec_3", flipped);
    raw.SetResultBlob("dec_4", huge);
  }
  for (const char* id : {"dec_1", "dec_2", "dec_3", "dec_4"}) {
    auto found = (*log)->Find(id);
    ASSERT_FALSE(found.ok()) << id;
    EXPECT_EQ(found.status().code(), StatusCode::kInternal) << id;
    EXPECT_NE(found.status().message().find(id), std::string::npos) << found.status().ToString();
    EXPECT_NE(found.status().message().find("cannot be read"), std::string::npos)
        << found.status().ToString();
  }
}

TEST(AuditLog, DecompressRejectsWhatIsNotOneFrame) {
  EXPECT_EQ(DecompressAuditResult("").status().code(), StatusCode::kInternal);
  auto frame = CompressAuditResult("{\"a\":1}");
  ASSERT_TRUE(frame.ok());
  auto back = DecompressAuditResult(*frame);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "{\"a\":1}");
  EXPECT_EQ(DecompressAuditResult(*frame + "trailing").status().code(), StatusCode::kInternal);
}


// 20,000 decisions span three blocks of the enterprise index (2^13 rows each): a lookup finds
// an enterprise's newest first across them, stops at its limit, and uses the index.
TEST(AuditLog, DecisionsOfOneEnterpriseAcrossBlocksNewestFirst) {
  TempDb db;
  auto log = AuditLog::Open(db.path, AuditOptions{AuditSync::kNormal});
  ASSERT_TRUE(log.ok());
  std::vector<AuditRecord> batch;
  std::vector<std::string> rare;  // an enterprise seen every 997th decision
  for (int i = 0; i < 20000; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "dec_%06d", i);
    AuditRecord r = Record(id);
    r.result = "{}";
    r.enterprise_id = i % 997 == 0 ? "RARE" : "E" + std::to_string(i % 50);
    if (r.enterprise_id == "RARE") rare.push_back(id);
    batch.push_back(std::move(r));
    if (batch.size() == 1000) AppendOk(**log, std::exchange(batch, {}));
  }
  auto all = (*log)->ForEnterprise("RARE", 1000);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), rare.size());
  for (size_t i = 0; i < rare.size(); ++i) {
    EXPECT_EQ((*all)[i].decision_id, rare[rare.size() - 1 - i]);
  }
  auto newest = (*log)->ForEnterprise("RARE", 3);
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ((*newest)[2].decision_id, rare[rare.size() - 3]);
  auto none = (*log)->ForEnterprise("NOBODY", 5);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  Db raw(db.path);
  EXPECT_NE(raw.One("EXPLAIN QUERY PLAN SELECT decision_id FROM decisions "
                    "WHERE seq >> 13 = 1 AND enterprise_id = 'RARE' ORDER BY seq DESC",
                    3)  // the plan's detail
                .find("decisions_by_enterprise_block"),
            std::string::npos);
}

TEST(AuditLog, TimeIsUtcRfc3339WithMilliseconds) {
  std::string t = AuditTimeNow();
  EXPECT_TRUE(std::regex_match(t, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << t;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  EXPECT_EQ(std::stoi(t.substr(0, 4)), tm.tm_year + 1900) << t;
  EXPECT_EQ(std::stoi(t.substr(5, 2)), tm.tm_mon + 1) << t;
}

TEST(AuditLog, ShortResultsAreStoredAsText) {
  TempDb db;
  auto log = AuditLog::Open(db.path, AuditOptions{AuditSync::kNormal});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  AuditRecord brief = Record("dec_brief");
  brief.result = R"({"decision_id":"dec_brief","decisions":[]})";
  ASSERT_LT(brief.result.size(), kAuditCompressMinBytes);
  AppendOk(**log, {brief, Record("dec_long")});
  auto found = (*log)->Find("dec_brief");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->result, brief.result);
  Db raw(db.path);
  EXPECT_EQ(raw.One("SELECT typeof(result) FROM decisions WHERE decision_id = 'dec_brief'"),
            "text");
  EXPECT_EQ(raw.One("SELECT typeof(result) FROM decisions WHERE decision_id = 'dec_long'"),
            "blob");
}

// Every field, with bytes a text format would trip on.
AuditRecord Odd(const std::string& id) {
  AuditRecord r = Record(id);
  r.caller = std::string("a\0b\n\"", 5);
  r.programs = R"(["BSC"])";
  r.input_masked = true;
  return r;
}

void ExpectSame(const AuditRecord& a, const AuditRecord& b) {
  EXPECT_EQ(a.decision_id, b.decision_id);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.enterprise_id, b.enterprise_id);
  EXPECT_EQ(a.caller, b.caller);
  EXPECT_EQ(a.rule_set, b.rule_set);
  EXPECT_EQ(a.as_of, b.as_of);
  EXPECT_EQ(a.programs, b.programs);
  EXPECT_EQ(a.input, b.input);
  EXPECT_EQ(a.input_masked, b.input_masked);
  EXPECT_EQ(a.outcomes, b.outcomes);
  EXPECT_EQ(a.result, b.result);
}

TEST(AuditQueue, FramesRoundTripAndADamagedOneIsSkipped) {
  std::string ring;
  AppendAuditFrame(Odd("dec_2"), 4096, &ring);
  size_t second = ring.size();
  AppendAuditFrame(Record("dec_1"), 0, &ring);  // an older lap's frame, later in the file
  size_t third = ring.size();
  AppendAuditFrame(Record("dec_3"), 8192, &ring);
  ASSERT_EQ(ring.size() % 8, 0u);
  auto all = ParseAuditQueue(ring);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].first, 0u);  // in position order
  ExpectSame(all[0].second, Record("dec_1"));
  ExpectSame(all[1].second, Odd("dec_2"));
  EXPECT_EQ(all[2].second.decision_id, "dec_3");

  std::string damaged = ring;
  damaged[second + 100] ^= 0x20;  // inside dec_1's payload
  auto kept = ParseAuditQueue(damaged);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].second.decision_id, "dec_2");
  EXPECT_EQ(kept[1].second.decision_id, "dec_3");
  // A frame cut short (a kill in the middle of its copy) at the end.
  auto cut = ParseAuditQueue(ring.substr(0, third + 40));
  ASSERT_EQ(cut.size(), 2u);
  // The position is part of the checksum: a frame moved elsewhere does not pass.
  std::string moved = ring;
  moved[0] ^= 0x08;
  EXPECT_EQ(ParseAuditQueue(moved).size(), 2u);
}

// A queue file as a killed process leaves it: records acknowledged but not all in the database.
TEST(AuditQueue, OpenStoresWhatAKilledProcessLeft) {
  TempDb db;
  constexpr uint64_t kRing = 64 << 10;
  {
    auto log = AuditLog::Open(db.path, AuditOptions{AuditSync::kNormal});
    ASSERT_TRUE(log.ok());
    AppendOk(**log, {Record("dec_stored")});
  }
  std::string ring;
  AppendAuditFrame(Record("dec_stored"), 0, &ring);  // already in the database
  AppendAuditFrame(Odd("dec_left_1"), ring.size(), &ring);
  AppendAuditFrame(Record("dec_left_2"), ring.size(), &ring);
  ring += std::string(40, 'x');  // the start of a frame whose copy was cut short
  ring.resize(kRing, '\0');
  {
    std::ofstream out(AuditQueuePath(db.path), std::ios::binary);
    out.write(ring.data(), static_cast<std::streamsize>(ring.size()));
  }
  {
    // Before a server stores them, `smematch replay` (a read-only open) finds them in the file.
    auto ro = AuditLog::OpenReadOnly(db.path);
    ASSERT_TRUE(ro.ok()) << ro.status().ToString();
    auto queued = (*ro)->Find("dec_left_1");
    ASSERT_TRUE(queued.ok()) << queued.status().ToString();
    ExpectSame(*queued, Odd("dec_left_1"));
    EXPECT_EQ((*ro)->Find("dec_nowhere").status().code(), StatusCode::kNotFound);
  }
  AuditOptions options{AuditSync::kNormal};
  options.queue_bytes = kRing;
  auto log = AuditLog::Open(db.path, options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ((*log)->recovery().records, 2u);
  auto left = (*log)->Find("dec_left_1");
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  ExpectSame(*left, Odd("dec_left_1"));
  EXPECT_TRUE((*log)->Find("dec_left_2").ok());
  // New records go on a new lap: none of the old frames passes for one of them.
  AppendOk(**log, {Record("dec_new")});
  auto fresh = (*log)->Find("dec_new");
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->result, Answer("dec_new"));
  (*log)->Close();
  EXPECT_FALSE(fs::exists(AuditQueuePath(db.path))) << "a clean close removes the queue file";
  Db raw(db.path);
  EXPECT_EQ(raw.One("SELECT count(*) FROM decisions"), "4");
}

// 64 KiB of queue for ~1.6 MB of records from four threads: the ring wraps many times and
// writers wait for room; every record arrives whole.
TEST(AuditQueue, SmallRingWrapsAndFillsUnderConcurrentWriters) {
  TempDb db;
  AuditOptions options{AuditSync::kNormal};
  options.queue_bytes = 64 << 10;
  options.max_batch = 7;  // many transactions, some ending in the middle of a lap
  auto log = AuditLog::Open(db.path, options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  constexpr int kThreads = 4, kEach = 400;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AuditRecord r = Record("dec_" + std::to_string(t) + "_" + std::to_string(i));
        r.result.resize(static_cast<size_t>(500 + (i * 37 + t * 11) % 700), 'r');  // uneven sizes
        Status st = (*log)->Append({std::move(r)});
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  (*log)->Flush();
  Db raw(db.path);
  EXPECT_EQ(raw.One("SELECT count(*) FROM decisions"), std::to_string(kThreads * kEach));
  auto one = (*log)->Find("dec_3_399");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  AuditRecord expected = Record("dec_3_399");
  expected.result.resize(static_cast<size_t>(500 + (399 * 37 + 3 * 11) % 700), 'r');
  ExpectSame(*one, expected);
}

TEST(AuditQueue, RefusesARecordLargerThanHalfTheQueueAndAppendsAfterClose) {
  TempDb db;
  AuditOptions options{AuditSync::kNormal};
  options.queue_bytes = 64 << 10;
  auto log = AuditLog::Open(db.path, options);
  ASSERT_TRUE(log.ok());
  AuditRecord big = Record("dec_big");
  std::mt19937 random(7);  // incompressible: Append compresses long answers
  for (int i = 0; i < (40 << 10); ++i) big.result.push_back(static_cast<char>(random() & 0xff));
  Status s = (*log)->Append({big});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("dec_big"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("half the audit queue file"), std::string::npos) << s.ToString();
  AppendOk(**log, {Record("dec_fits")});
  (*log)->Close();
  EXPECT_EQ((*log)->Append({Record("dec_late")}).code(), StatusCode::kUnavailable);
}

// kFull syncs the queue file before Append returns; the records still reach the database.
TEST(AuditQueue, FullSyncStoresEveryRecord) {
  TempDb db;
  auto log = AuditLog::Open(db.path, AuditOptions{AuditSync::kFull});
  ASSERT_TRUE(log.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(
            (*log)->Append({Record("dec_f" + std::to_string(t) + "_" + std::to_string(i))}).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  (*log)->Flush();
  Db raw(db.path);
  EXPECT_EQ(raw.One("SELECT count(*) FROM decisions"), "60");
}

}  // namespace
}  // namespace smematch::server
