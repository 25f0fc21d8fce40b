// Audit durability: a real `smematch serve` process under load is killed with SIGKILL (or stopped
// with SIGTERM); every decision it acknowledged must be in the audit database afterwards, and
// the database must pass PRAGMA integrity_check.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
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

struct Child {
  pid_t pid = -1;
  int port = 0;
};

// Starts `smematch serve` on a free port; reads the port from its first line on stderr.
Child StartServer(const fs::path& dir, const std::string& sync) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return {};
  Child c;
  std::string db = (dir / "audit.db").string();
  std::string rules = std::string(SMEMATCH_SOURCE_DIR) + "/rules";
  c.pid = fork();
  if (c.pid == 0) {
    dup2(pipefd[1], STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    execl(SMEMATCH_BINARY, SMEMATCH_BINARY, "serve", "--port", "0", "--threads", "8", "--rules",
          rules.c_str(), "--audit-db", db.c_str(), "--audit-sync", sync.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  std::string line;
  char ch;
  while (read(pipefd[0], &ch, 1) == 1 && ch != '\n') line.push_back(ch);
  // Keep draining stderr so the child never blocks on a full pipe.
  std::thread([fd = pipefd[0]] {
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    close(fd);
  }).detach();
  size_t colon = line.find("127.0.0.1:");
  if (colon != std::string::npos) c.port = std::atoi(line.c_str() + colon + 10);
  return c;
}

// Screens from `threads` clients until `stop`, collecting the acknowledged decision ids.
struct Load {
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> threads;

  Load(int port, int n) {
    for (int t = 0; t < n; ++t) {
      threads.emplace_back([this, port] {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(10, 0);
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
    for (auto& t : threads) t.join();
  }
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
    Child child = StartServer(dir.path, sync);
    ASSERT_GT(child.pid, 0);
    ASSERT_GT(child.port, 0) << "server did not start";
    Load load(child.port, 6);
    // Kill while requests are in flight, after a good number were acknowledged.
    for (int i = 0; i < 1000 && load.count() < 500; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(kill(child.pid, SIGKILL), 0);
    int status = 0;
    waitpid(child.pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status));
    load.Join();
    ASSERT_GT(load.acknowledged.size(), 0u);
    ExpectAllStored(dir.path, load.acknowledged);
  }
}

TEST(AuditDurability, SigtermFinishesInFlightRequestsAndExitsCleanly) {
  TempDir dir("smematch_term");
  Child child = StartServer(dir.path, "normal");
  ASSERT_GT(child.port, 0);
  Load load(child.port, 4);
  for (int i = 0; i < 1000 && load.count() < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(kill(child.pid, SIGTERM), 0);
  int status = 0;
  waitpid(child.pid, &status, 0);
  load.Join();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ExpectAllStored(dir.path, load.acknowledged);
  // A clean stop checkpoints and removes the WAL.
  EXPECT_FALSE(fs::exists(dir.path / "audit.db-wal"));
}

}  // namespace
}  // namespace smematch::server
