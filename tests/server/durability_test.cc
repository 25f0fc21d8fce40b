// Audit durability: a real `smematch serve` process under load is killed with SIGKILL (or stopped
// with SIGTERM); every decision it acknowledged must be in the audit database afterwards, and
// the database must pass PRAGMA integrity_check.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "audit_log.h"

namespace smematch::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBody =
    R"({"enterprise":{"id":"CM-001","identifier":"0505558004121","name":"Doi Saket Coffee",)"
    R"("legal_form":"juristic_person","sector":"manufacturing","industry":"coffee_tea",)"
    R"("province":"TH-50","employees":12,"annual_revenue_thb":9500000,"years_operating":6}})";

// The `smematch serve` child process. Every exit path of a test ends it: the destructor kills
// and reaps it if it is still running, and PR_SET_PDEATHSIG kills it if the test process dies
// (a crash or the CTest timeout), so no server outlives its test.
struct Child {
  pid_t pid = -1;
  int port = 0;
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  // Waits up to `seconds` for the child to exit; returns its wait status, or -1 on timeout.
  int Wait(int seconds) {
    for (int i = 0; i < seconds * 100; ++i) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }
};

// Starts `smematch serve` on a free port into `c`; reads the port from its first line on stderr
// (waiting at most 60 s for it).
void StartServer(const fs::path& dir, const std::string& sync, Child* c) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return;
  std::string db = (dir / "audit.db").string();
  std::string rules = std::string(SMEMATCH_SOURCE_DIR) + "/rules";
  pid_t parent = getpid();
  c->pid = fork();
  if (c->pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(pipefd[1], STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    execl(SMEMATCH_BINARY, SMEMATCH_BINARY, "serve", "--port", "0", "--threads", "4", "--rules",
          rules.c_str(), "--audit-db", db.c_str(), "--audit-sync", sync.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  if (c->pid < 0) {
    close(pipefd[0]);
    return;
  }
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{pipefd[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char ch;
    if (read(pipefd[0], &ch, 1) != 1 || ch == '\n') break;
    line.push_back(ch);
  }
  // Keep draining stderr so the child never blocks on a full pipe; ends when the child does.
  std::thread([fd = pipefd[0]] {
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
  }).detach();
  size_t colon = line.find("127.0.0.1:");
  if (colon != std::string::npos) c->port = std::atoi(line.c_str() + colon + 10);
}

// Screens from `n` clients (at most 4: see docs/server.md, "Tests") until Join, collecting the
// acknowledged decision ids. The destructor joins, so a failed assertion never leaves clients
// running.
struct Load {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> threads;

  Load(int port, int n) {
    // cpp-httplib 0.11's client writes without MSG_NOSIGNAL: a request written while the server
    // closes its connections (SIGTERM, kill -9) would raise SIGPIPE and end this test process.
    // EPIPE is what the client should see instead (a failed request, retried).
    signal(SIGPIPE, SIG_IGN);
    for (int t = 0; t < n; ++t) {
      threads.emplace_back([this, port] {
        httplib::Client c("127.0.0.1", port);
        c.set_connection_timeout(2, 0);
        c.set_read_timeout(10, 0);
        c.set_write_timeout(10, 0);
        while (!stop) {
          auto r = c.Post("/v1/screen", kBody, "application/json");
          if (!r) {
            if (stop) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
          }
          if (r->status != 200) continue;
          auto j = nlohmann::json::parse(r->body, nullptr, false);
          std::lock_guard lock(mu);
          acknowledged.push_back(j["decision_id"]);
        }
      });
    }
  }
  size_t count() {
    std::lock_guard lock(mu);
    return acknowledged.size();
  }
  void Join() {
    stop = true;
    for (auto& t : threads) {
      if (t.joinable()) t.join();
    }
  }
  ~Load() { Join(); }
};

void ExpectAllStored(const fs::path& dir, const std::vector<std::string>& ids) {
  // Opened for writing: the first open after a crash recovers the WAL.
  auto log = AuditLog::Open((dir / "audit.db").string(), AuditOptions{});
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  size_t missing = 0;
  for (const std::string& id : ids) {
    if (!(*log)->Find(id).ok()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << ids.size() << " acknowledged decisions";
  auto check = (*log)->IntegrityCheck();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, "ok");
}

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

TEST(AuditDurability, KillNineLosesNoAcknowledgedDecision) {
  for (std::string sync : {"normal", "full"}) {
    TempDir dir("smematch_kill_" + sync);
    Child child;
    StartServer(dir.path, sync, &child);
    ASSERT_GT(child.pid, 0);
    ASSERT_GT(child.port, 0) << "server did not start";
    Load load(child.port, 4);
    // Kill while requests are in flight, after a good number were acknowledged.
    for (int i = 0; i < 1000 && load.count() < 500; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(kill(child.pid, SIGKILL), 0);
    int status = child.Wait(30);
    ASSERT_NE(status, -1) << "the server did not die";
    EXPECT_TRUE(WIFSIGNALED(status));
    load.Join();
    ASSERT_GT(load.acknowledged.size(), 0u);
    ExpectAllStored(dir.path, load.acknowledged);
  }
}

TEST(AuditDurability, SigtermFinishesInFlightRequestsAndExitsCleanly) {
  TempDir dir("smematch_term");
  Child child;
  StartServer(dir.path, "normal", &child);
  ASSERT_GT(child.port, 0) << "server did not start";
  Load load(child.port, 4);
  for (int i = 0; i < 1000 && load.count() < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(kill(child.pid, SIGTERM), 0);
  int status = child.Wait(60);
  load.Join();
  ASSERT_NE(status, -1) << "the server did not stop within 60 s of SIGTERM";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ExpectAllStored(dir.path, load.acknowledged);
  // A clean stop checkpoints and removes the WAL.
  EXPECT_FALSE(fs::exists(dir.path / "audit.db-wal"));

  // `smematch replay` reads a recorded decision back and re-evaluates it.
  ASSERT_FALSE(load.acknowledged.empty());
  std::string command = std::string(SMEMATCH_BINARY) + " replay --rules " + SMEMATCH_SOURCE_DIR +
                        "/rules --audit-db " + (dir.path / "audit.db").string() + " " +
                        load.acknowledged.front() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  int replay_status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(replay_status) && WEXITSTATUS(replay_status) == 0) << out;
  EXPECT_NE(out.find(load.acknowledged.front()), std::string::npos) << out;
  EXPECT_NE(out.find("reproduced    yes"), std::string::npos) << out;
  EXPECT_NE(out.find("today's rules decide the same"), std::string::npos) << out;
}

// The checkpointer must move the WAL into the database while the server runs and empty it
// (a connection that never read had checkpoints that did nothing: the WAL grew by every record
// for the life of the server).
TEST(AuditDurability, CheckpointerMovesAndEmptiesTheWal) {
  TempDir dir("smematch_wal_bound");
  const fs::path db = dir.path / "audit.db", wal = dir.path / "audit.db-wal";
  AuditOptions options{AuditSync::kNormal};
  // A small queue file: the ingest thread goes round often, as under steady load.
  options.queue_bytes = 1 << 20;
  auto log = AuditLog::Open(db.string(), options);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  // About the size of a decision with every reason, and incompressible, so that the row stays
  // that large although long results are stored zstd-compressed.
  std::string result(8000, '\0');
  std::mt19937 random(42);
  for (char& c : result) c = static_cast<char>(random() & 0xff);
  // While records keep coming (6,000 of them, 48 MB), the WAL never grows much past its 16-MiB
  // truncation threshold (without the fix: a 48-MB WAL, truncated by nothing while the writer
  // kept appending, as with an ingest pass that ran for as long as records kept arriving).
  const uintmax_t bound = (uintmax_t{16} << 20) + (uintmax_t{4} << 20);
  std::atomic<bool> done{false};
  uintmax_t largest = 0;
  std::thread watch([&] {
    std::error_code ec;
    while (!done) {
      largest = std::max(largest, fs::exists(wal, ec) ? fs::file_size(wal, ec) : uintmax_t{0});
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  int n = 0;
  for (int b = 0; b < 120; ++b) {
    std::vector<AuditRecord> batch(50);
    for (AuditRecord& r : batch) {
      r.decision_id = "dec_wal_" + std::to_string(n++);
      r.time = AuditTimeNow();
      r.enterprise_id = "E";
      r.caller = "test";
      r.rule_set = "sha256:x";
      r.as_of = "2026-11-21";
      r.input = "{}";
      r.outcomes = "{}";
      r.result = result;
    }
    ASSERT_TRUE((*log)->Append(std::move(batch)).ok());
  }
  (*log)->Flush();
  done = true;
  watch.join();
  EXPECT_LT(largest, bound) << "the WAL grew to " << largest << " bytes";
  // Within a few checkpointer rounds the records are in the database file.
  std::error_code ec;
  for (int i = 0; i < 100 && !(fs::file_size(db, ec) > (uintmax_t{40} << 20)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(fs::file_size(db, ec), uintmax_t{40} << 20);
  EXPECT_LT(fs::file_size(wal, ec), bound);
  (*log)->Close();
}

}  // namespace
}  // namespace smematch::server
