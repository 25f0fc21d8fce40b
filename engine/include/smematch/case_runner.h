// Rule test cases written by policy staff: a case file beside each program script
// (rules/programs/<program>.cases.json) gives a base profile, and cases that change it and
// state the expected decision. One format, two runners: CTest (tests/CMakeLists.txt runs each
// case file through the CLI) and `smematch rules test`. Format: docs/rule-authoring.md.
// Coverage: which criteria the cases saw both pass and fail. Thread-compatible.
#ifndef SMEMATCH_CASE_RUNNER_H_
#define SMEMATCH_CASE_RUNNER_H_

#include <memory>
#include <span>
#include <string>
#include <utility>
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
  // For a failing case: one line per criterion, "<id>: expected <x>, got <y>: <reason>" (or
  // "<id>: <y>: <reason>" when the case states nothing about it), marked "!" in front where
  // the expectation is not met; words and reasons in the language asked for.
  std::vector<std::string> criteria_detail;
};

struct CaseFileResult {
  std::string path;
  std::string program;
  std::string version;  // the program version the file's as_of selected
  std::string script;   // its script, e.g. "rules/programs/bsc.lua"
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

// How often the cases saw one criterion of one program version end each way.
struct CriterionCoverage {
  std::string program;
  std::string version;
  std::string script;
  std::string criterion;
  int line = 0;
  size_t pass = 0;
  size_t fail = 0;
  size_t needs_information = 0;
  // A criterion is covered when some case saw it pass and some case saw it fail: then both
  // sides of its test (and of its threshold) were exercised. Needs-information does not count
  // as failing: it shows that a field was absent, not that the test tells applicants apart.
  bool covered() const { return pass > 0 && fail > 0; }
};

struct CoverageReport {
  std::vector<CriterionCoverage> criteria;  // program id, version, then declaration order
  size_t covered() const;
  // Returns the covered share in percent (100 when there are no criteria).
  double percent() const;
};

// Sums the criterion outcomes of `results` per program version of `rules`. Counts every
// version of every program that `results` exercise; with `all_programs`, also the programs no
// case file names (all their criteria uncovered).
CoverageReport ComputeCoverage(const RuleSet& rules, std::span<const CaseFileResult> results,
                               bool all_programs);

}  // namespace smematch

#endif  // SMEMATCH_CASE_RUNNER_H_
