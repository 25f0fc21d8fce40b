// Rule test cases written by policy staff: a case file beside each program script
// (rules/programs/<program>.cases.json) gives a base profile, and cases that change it and
// state the expected decision. One format, two runners: CTest (tests/rules_cases_test.cc) and
// `smematch rules test`. Format: docs/rule-authoring.md. Thread-compatible.
#ifndef SMEMATCH_CASE_RUNNER_H_
#define SMEMATCH_CASE_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "smematch/decision_writer.h"
#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch {

struct CaseResult {
  std::string name;
  bool passed = false;
  std::vector<std::string> mismatches;  // "outcome: expected eligible, got ineligible", ...
  // Criterion outcomes seen, by criterion id ("pass", "fail", "needs_information"); for
  // coverage reports.
  std::vector<std::pair<std::string, std::string>> criteria;
};

struct CaseFileResult {
  std::string path;
  std::string program;
  std::vector<CaseResult> cases;
  size_t failures() const;
};

// Runs every case of the case file at `path` against `rules`. Mismatch texts name the
// criterion and show the reason in `lang`. Returns kNotFound for an unreadable file and
// kInvalidArgument naming the case and field for a malformed one (including a case profile
// that does not parse: the profile errors are listed).
Result<CaseFileResult> RunCaseFile(const std::string& path, std::shared_ptr<const RuleSet> rules,
                                   Lang lang = Lang::kEn);

// Returns the *.cases.json files under `rules_dir`/programs, sorted.
std::vector<std::string> FindCaseFiles(const std::string& rules_dir);

}  // namespace smematch

#endif  // SMEMATCH_CASE_RUNNER_H_
