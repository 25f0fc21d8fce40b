// RuleSet: the program rules policy staff edit (one Lua script per program version under
// <dir>/programs/, shared settings in <dir>/settings.lua, data in <dir>/data/provinces.csv),
// loaded, checked and frozen. Loading compiles and runs every script once in a sandbox, so a
// syntax error, a missing reason text or an escape attempt refuses the whole rule set with
// every error found, each as "path:line: message". Immutable after Load; thread-safe to share
// (Screeners on several threads may use one RuleSet).
#ifndef SMEMATCH_RULE_SET_H_
#define SMEMATCH_RULE_SET_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "smematch/date.h"
#include "smematch/provinces.h"
#include "smematch/sme_size.h"
#include "smematch/status.h"

namespace smematch {

struct LocalizedText {
  std::string th;
  std::string en;
};

// A named, typed threshold of a program (`parameter "max_employees" { value = 200, ... }`).
struct ParameterInfo {
  std::string name;
  nlohmann::json value;       // integer, number, string, boolean or array of strings
  std::string type;           // "integer", "number", "string", "boolean", "list"
  std::string unit;           // e.g. "THB/year", "persons", "years"; may be empty
  LocalizedText description;
  std::string source;         // e.g. "[law] Ministerial Regulation B.E. 2562", "[assumed]"
  bool assumed = false;       // a placeholder for policy staff to adjust (FACTS.md)
  int line = 0;
};

class Condition;  // engine/src/condition.h

struct CriterionInfo {
  std::string id;
  LocalizedText title;        // what the criterion checks
  LocalizedText pass;         // reason template when it passes (defaults to the title)
  LocalizedText fail;         // reason template when it fails
  std::string source;
  bool assumed = false;
  int line = 0;
  // The test when written as a condition (`test = "e.years_operating >= p.min_years"`): its
  // text, and its compiled form that the fast path evaluates without Lua. Empty and null for
  // a test written as a function.
  std::string condition;
  std::shared_ptr<const Condition> compiled;
};

struct GroupInfo {
  std::string id;             // e.g. "star", "general", "strong_potential"
  LocalizedText label;
};

// One version of one program, as its script declares it.
struct ProgramInfo {
  std::string id;             // "BSC", "ITC", "SMART_FARMER", "STAR_SME"
  LocalizedText name;
  LocalizedText description;
  std::string version;        // e.g. "2026.1"
  Date effective_from;
  std::optional<Date> effective_to;  // inclusive; none = open-ended
  std::string source;
  std::string script;         // chunk name, e.g. "rules/programs/bsc.lua"
  int index = 0;              // position in RuleSet::programs()
  std::vector<ParameterInfo> parameters;
  std::vector<CriterionInfo> criteria;
  std::vector<GroupInfo> groups;
  bool has_score = false;
  std::optional<LocalizedText> benefit;  // benefit template

  bool EffectiveOn(const Date& d) const {
    return effective_from <= d && (!effective_to || d <= *effective_to);
  }
};

// Limits that hold for every Lua state running these rules.
struct RuleLimits {
  // Lua VM instructions one decision (one enterprise × one program) may run, and loading one
  // script may run. Counted in steps of 1,000.
  int64_t instructions_per_decision = 1'000'000;
  // Bytes the Lua heap of one state (one thread) may hold, rules and data included.
  size_t memory_bytes = 64u << 20;
  // Longest string a script may create. The VM copies a string in one instruction (`..`), so
  // this bounds the work one instruction can do: with the instruction budget, a decision's
  // CPU time. Rules handle names and reasons of about 1 KiB.
  size_t max_string_bytes = 16u << 10;
};

class RuleSet {
 public:
  // A file of the rule set, by its chunk name ("rules/programs/bsc.lua") and content.
  struct File {
    std::string path;
    std::string text;
  };

  // Loads and checks the rule set in directory `dir`. Errors: kNotFound if `dir` or a required
  // file is missing; kInvalidArgument listing every script error (syntax, declaration, sandbox
  // violation), one per line, each "path:line: message"; kResourceExhausted if a script's top
  // level exceeds `limits`.
  static Result<std::shared_ptr<const RuleSet>> Load(const std::string& dir,
                                                     const RuleLimits& limits = {});
  // Reads the files of the rule set in `dir` (settings.lua, programs/*.lua, data/provinces.csv),
  // sorted by chunk name, without loading them: chunk names are the directory's own name plus
  // the relative path ("rules/programs/bsc.lua"). kNotFound for a missing directory or file.
  static Result<std::vector<File>> ReadFiles(const std::string& dir);
  // Same as Load, from files already in memory (tests, rule checks, stored rule sets).
  static Result<std::shared_ptr<const RuleSet>> FromFiles(std::vector<File> files,
                                                          const RuleLimits& limits = {});
  // Returns "sha256:<64 hex>" over each file's path, NUL, size, NUL and content, in the given
  // order (no two different file sets hash the same input): the version of a set of scripts.
  static std::string HashFiles(std::span<const File> files);

  // Returns "sha256:<64 hex>" over every file's path and content: the rule-set version that
  // every decision carries.
  const std::string& hash() const { return hash_; }
  // Every program version, in load order (by script path).
  const std::vector<ProgramInfo>& programs() const { return programs_; }
  // Distinct program ids, sorted.
  std::vector<std::string> program_ids() const;
  // Returns the version of `program_id` effective on `as_of`. kNotFound for an unknown id;
  // kFailedPrecondition when no version is effective that day.
  Result<const ProgramInfo*> Find(std::string_view program_id, const Date& as_of) const;

  const ProvinceTable& provinces() const { return provinces_; }
  SizeTieBreak size_tie_break() const { return tie_break_; }
  const RuleLimits& limits() const { return limits_; }
  const std::vector<File>& files() const { return files_; }

 private:
  RuleSet() = default;

  std::string hash_;
  std::vector<ProgramInfo> programs_;
  ProvinceTable provinces_;
  SizeTieBreak tie_break_ = SizeTieBreak::kRevenuePrevails;
  RuleLimits limits_;
  std::vector<File> files_;
};

}  // namespace smematch

#endif  // SMEMATCH_RULE_SET_H_
