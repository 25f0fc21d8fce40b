// Helpers shared by the CLI tests: run `smematch ...` in-process and find the source tree.
#ifndef SMEMATCH_TESTS_CLI_CLI_TEST_UTIL_H_
#define SMEMATCH_TESTS_CLI_CLI_TEST_UTIL_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

}  // namespace smematch::cli

#endif  // SMEMATCH_TESTS_CLI_CLI_TEST_UTIL_H_
