// The command lines of `smematch serve` and `smematch replay`: options, config file and exit
// codes of the cases that end before serving. (Serving itself: tests/server/.)
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <fstream>
#include <string>
#include <vector>

#include "cli.h"
#include "cli_test_util.h"

namespace smematch::cli {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("smematch_serve_cli_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

TEST(ServeCommand, HelpListsTheOptions) {
  CliRun r = Cli({"serve", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* o : {"--config", "--port", "--threads", "--audit-db", "--audit-sync",
                        "--admin-token-file", "--watch-rules", "--no-audit"}) {
    EXPECT_NE(r.out.find(o), std::string::npos) << o;
  }
}

TEST(ServeCommand, BadOptionsAreUsageErrors) {
  EXPECT_EQ(Cli({"serve", "--audit-sync", "fast"}).code, kExitUsage);
  EXPECT_EQ(Cli({"serve", "--port", "70000"}).code, kExitUsage);
  EXPECT_EQ(Cli({"serve", "--threads", "0"}).code, kExitUsage);
  EXPECT_EQ(Cli({"serve", "--body-limit-mb", "0"}).code, kExitUsage);
  CliRun r = Cli({"serve", "--nope"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
}

TEST(ServeCommand, ConfigFile) {
  TempDir dir;
  EXPECT_EQ(Cli({"serve", "--config", (dir.path / "missing.conf").string()}).code, kExitIo);
  // Options from the file are checked like the command line's.
  CliRun r = Cli({"serve", "--config", dir.Write("bad.conf", "# comment\nprot = 9000\n")});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("prot"), std::string::npos) << r.err;
  r = Cli({"serve", "--config", dir.Write("sync.conf", "audit-sync = sometimes\n")});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("--audit-sync"), std::string::npos) << r.err;
  // A broken rule set named in the file: exit 3, nothing served.
  r = Cli({"serve", "--config",
           dir.Write("rules.conf", "rules = " + Src("tests/testdata/policy_broken") +
                                       "\nno-audit = 1\nport = 0\n")});
  EXPECT_EQ(r.code, kExitRules) << r.err;
  // A switch set to 0 in the file is off: here the audit database is still opened (and fails).
  r = Cli({"serve", "--rules", Src("rules"), "--config",
           dir.Write("switch.conf", "no-audit = 0\nport = 0\naudit-db = " +
                                        (dir.path / "missing-dir/audit.db").string() + "\n")});
  EXPECT_EQ(r.code, kExitIo) << r.err;
  EXPECT_NE(r.err.find("audit"), std::string::npos) << r.err;
}

TEST(ServeCommand, AdminTokenFile) {
  TempDir dir;
  CliRun r = Cli({"serve", "--admin-token-file", (dir.path / "none").string()});
  EXPECT_EQ(r.code, kExitIo);
  r = Cli({"serve", "--admin-token-file", dir.Write("short", "secret\n")});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("shorter than 16"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("secret"), std::string::npos) << "the token must never be printed";
}

TEST(ReplayCommand, Errors) {
  TempDir dir;
  EXPECT_EQ(Cli({"replay", "--help"}).code, kExitOk);
  EXPECT_EQ(Cli({"replay"}).code, kExitUsage);
  CliRun r = Cli({"replay", "--audit-db", (dir.path / "none.db").string(), "dec_x"});
  EXPECT_EQ(r.code, kExitIo);
  // A file that is not an audit database.
  r = Cli({"replay", "--audit-db", dir.Write("not.db", "hello"), "dec_x"});
  EXPECT_EQ(r.code, kExitIo);
}

}  // namespace
}  // namespace smematch::cli
