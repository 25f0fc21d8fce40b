// Helpers shared by the engine tests (tests/engine/*_test.cc).
#ifndef SMEMATCH_TESTS_ENGINE_ENGINE_TEST_UTIL_H_
#define SMEMATCH_TESTS_ENGINE_ENGINE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace smematch::test {

// Returns success if `text` contains `needle` (gmock is not linked into engine_tests).
inline ::testing::AssertionResult Contains(const std::string& text, const std::string& needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\"\ndoes not contain \"" << needle << "\"";
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The shipped rules/data/provinces.csv, read once.
inline const std::string& ProvincesCsv() {
  static const std::string csv = ReadFile(SMEMATCH_SOURCE_DIR "/rules/data/provinces.csv");
  return csv;
}

}  // namespace smematch::test

#endif  // SMEMATCH_TESTS_ENGINE_ENGINE_TEST_UTIL_H_
