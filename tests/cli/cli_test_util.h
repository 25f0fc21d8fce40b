// Helpers shared by the CLI tests: run `smematch ...` in-process, find the source tree, and a
// fixture with a temporary directory per test.
#ifndef SMEMATCH_TESTS_CLI_CLI_TEST_UTIL_H_
#define SMEMATCH_TESTS_CLI_CLI_TEST_UTIL_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "cli.h"

namespace smematch::cli {

// The repository root (tests/CMakeLists.txt defines SMEMATCH_SOURCE_DIR).
inline std::filesystem::path SourceDir() {
#ifdef SMEMATCH_SOURCE_DIR
  return SMEMATCH_SOURCE_DIR;
#else
  return std::filesystem::current_path();
#endif
}

// A path under the repository root, e.g. Src("data/demo/enterprises.jsonl").
inline std::string Src(const std::string& rel) { return (SourceDir() / rel).string(); }

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs `smematch args...` in-process, capturing standard output and error.
inline CliRun Cli(std::vector<std::string> args) {
  args.insert(args.begin(), "smematch");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  CliRun r;
  r.code = RunCli(static_cast<int>(args.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// A fixture with a fresh temporary directory for each test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("smematch_" + std::string(info->test_suite_name()) + "_" +
            std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` to `name` under the directory (creating folders) and returns its path.
  std::string Write(const std::string& name, const std::string& text) {
    std::filesystem::path p = dir_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << text;
    return p.string();
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

}  // namespace smematch::cli

#endif  // SMEMATCH_TESTS_CLI_CLI_TEST_UTIL_H_
