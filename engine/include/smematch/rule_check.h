// Rule check: everything that can be found wrong in a rule set without screening anyone, for
// `smematch rules check` and CI. It runs what RuleSet::Load checks (syntax, declarations,
// Thai and English texts, parameter types, duplicate ids, reason-template placeholders,
// sandbox violations while loading, instruction budget at load) script by script, so that one
// broken script never hides the problems of another, and adds what loading cannot see:
//
//  - versions of one program that overlap (error), leave a gap between them (warning) or
//    repeat a version string (error);
//  - references in the scripts' functions to profile fields, parameters or context values
//    that do not exist (e.g. `e.employes`, `p.max_revenue`, `c.fiscal_yr`), reads of
//    `e.participation` and writes to `e`/`p`: each would be a runtime error for every
//    applicant that reaches it;
//  - uses of what the sandbox does not offer (`os`, `io`, `require`, `load`, `print`,
//    `string.dump`, `math.random`, ...) anywhere in a script, including inside functions that
//    loading never runs;
//  - parameters that no function reads (warning).
//
// The reference scan reads the script text (comments and strings skipped) and follows Lua's
// block structure: inside a `test`, `values`, `score` or `group` function the first three
// parameters are the applicant, the parameters and the context whatever their names; in any
// other function a first parameter named `e` is taken to be the applicant. Every finding names
// its file and line. Thread-safe (no shared state).
#ifndef SMEMATCH_RULE_CHECK_H_
#define SMEMATCH_RULE_CHECK_H_

#include <string>
#include <string_view>
#include <vector>

#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch {

enum class FindingSeverity { kError, kWarning };
std::string_view FindingSeverityName(FindingSeverity severity);  // "error", "warning"

// One problem in one file.
struct RuleFinding {
  FindingSeverity severity = FindingSeverity::kError;
  // What kind of problem, stable for JSON and tests: "syntax", "declaration", "missing_text",
  // "parameter_type", "duplicate_id", "placeholder", "sandbox", "budget", "settings",
  // "provinces", "overlap", "gap", "duplicate_version", "unknown_field", "unknown_parameter",
  // "unknown_context", "read_only", "unused_parameter", "file".
  std::string kind;
  std::string file;  // chunk name, e.g. "rules/programs/bsc.lua"
  int line = 0;      // 1-based; 0 when the problem concerns the whole file
  std::string message;
};

struct RuleCheckReport {
  std::vector<RuleFinding> findings;  // sorted by file, then line
  std::vector<std::string> files;     // every file checked, by chunk name
  std::vector<ProgramInfo> programs;  // every program version whose script loaded on its own
  std::string rule_set;               // RuleSet::hash() when the whole set loads, else empty

  size_t errors() const;
  size_t warnings() const;
};

// Reads the files of the rule set in directory `dir` exactly as RuleSet::Load does (same chunk
// names, so the same hash): settings.lua, programs/*.lua, data/provinces.csv. Returns
// kNotFound if `dir`, its programs/ folder or data/provinces.csv is missing.
Result<std::vector<RuleSet::File>> ReadRuleFiles(const std::string& dir);

// Checks the rule set in `dir`. Returns kNotFound as ReadRuleFiles; every problem in the rules
// themselves is a finding, not an error status.
Result<RuleCheckReport> CheckRules(const std::string& dir, const RuleLimits& limits = {});

// Checks rule-set files already in memory (the files of ReadRuleFiles, or test fixtures).
RuleCheckReport CheckRuleFiles(std::vector<RuleSet::File> files, const RuleLimits& limits = {});

}  // namespace smematch

#endif  // SMEMATCH_RULE_CHECK_H_
