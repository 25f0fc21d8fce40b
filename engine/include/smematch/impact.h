// Impact of a rule change: screens one population under two rule sets ("before" and "after")
// and reports every enterprise × program whose outcome differs, with the criteria whose result
// differs (what caused it), plus totals per program, province, region, SME size and legal form.
//
// Built for the whole national population (millions of records): the input streams in chunks
// like ScreenBatch; each of N worker threads parses a record once and screens it on the fast
// path (no reasons) with its own pair of Screeners; a writer thread hands the changes on in
// input order. A program whose effective version has the same script text in both rule sets
// (and the settings and province data are the same) is decided identically, so it is screened
// once and counted as unchanged. Memory is bounded by the chunks in flight, not the input.
//
// RunImpact is thread-compatible: call it from one thread; it starts and joins its own.
#ifndef SMEMATCH_IMPACT_H_
#define SMEMATCH_IMPACT_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/batch.h"
#include "smematch/decision_writer.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"

namespace smematch {

// How one criterion ended for one enterprise under one rule set.
enum class CriterionState : uint8_t { kAbsent, kPass, kFail, kNeedsInformation, kError };
std::string_view CriterionStateName(CriterionState state);  // "absent", "pass", "fail", ...

// One side (before or after) of a changed decision.
struct ImpactSide {
  bool offered = false;               // the rule set has a version of the program on `as_of`
  Outcome outcome = Outcome::kError;  // meaningful when offered
  std::string version;
  std::vector<std::string> failed;   // criterion ids
  std::vector<std::string> missing;  // profile field names
  std::optional<double> score;
  std::string error;  // when outcome is kError
};

struct CriterionChange {
  std::string id;
  CriterionState before = CriterionState::kAbsent;  // kAbsent: the criterion is not in that version
  CriterionState after = CriterionState::kAbsent;
};

// One enterprise × program whose outcome differs between the rule sets.
struct ImpactChange {
  size_t row = 0;  // input row (JSON Lines line number; CSV record number, header = 1)
  std::string id;
  std::string program;
  std::string province;    // ISO code or "unknown"
  std::string region;      // 6-region id ("North", ...) or "unknown"
  std::string sme_size;    // "micro", "small", "medium", "large" or "unknown"
  std::string legal_form;  // legal form id or "unknown"
  ImpactSide before;
  ImpactSide after;
  std::vector<CriterionChange> criteria;  // the criteria whose result differs, in after order

  bool gained() const;  // not eligible before (or not offered), eligible after
  bool lost() const;    // eligible before, not eligible after (or not offered)
};

// Counts for one key of one dimension and one program.
struct ImpactCounts {
  uint64_t screened = 0;  // enterprises screened for the program
  uint64_t eligible_before = 0;
  uint64_t eligible_after = 0;
  uint64_t changed = 0;  // outcome differs
  uint64_t gained = 0;
  uint64_t lost = 0;
};

struct ImpactTotalsRow {
  std::string dimension;  // "program", "province", "region", "sme_size", "legal_form"
  std::string key;        // program id, ISO code, region id, size, legal form, or "unknown"
  LocalizedText label;    // e.g. province name, size label (empty for program and "unknown")
  std::string program;
  ImpactCounts counts;
};

// A program as the two rule sets have it on `as_of`.
struct ImpactProgram {
  std::string id;
  std::string version_before;  // empty when not offered before
  std::string version_after;   // empty when not offered after
  std::string script_before;
  std::string script_after;
  bool rules_changed = true;  // false: the same script text decides both (screened once)
};

struct ImpactOptions {
  std::vector<std::string> programs;  // empty: every program of either rule set
  Date as_of = Date::TodayInBangkok();
  int threads = 1;
  InputFormat input = InputFormat::kJsonLines;  // kJsonLines or kCsv
  // Called on one thread, in input order, for each change / each record that could not be
  // screened.
  std::function<void(const ImpactChange&)> on_change;
  std::function<void(size_t row, std::string_view id, const Status&)> on_record_error;
  // Called on the same thread about once per `progress_interval_s`.
  std::function<void(uint64_t records, double seconds)> on_progress;
  double progress_interval_s = 1.0;
};

struct ImpactReport {
  std::string rule_set_before;
  std::string rule_set_after;
  Date as_of;
  std::vector<ImpactProgram> programs;
  uint64_t records = 0;  // data records read
  uint64_t screened = 0;
  uint64_t bad_records = 0;
  uint64_t changes = 0;
  uint64_t gained = 0;
  uint64_t lost = 0;
  double seconds = 0;
  // Every dimension in the order program, region, province, sme_size, legal_form; keys sorted;
  // rows for keys with nothing screened are left out.
  std::vector<ImpactTotalsRow> totals;
};

// Screens every record of `in` under `before` and `after`. Returns kNotFound for a program id
// neither rule set has, kFailedPrecondition when neither has a version of it effective on
// `as_of`, kInvalidArgument for an input that is unreadable as a whole (bad CSV header or
// quoting) or an unsupported input format.
Result<ImpactReport> RunImpact(std::istream& in, std::shared_ptr<const RuleSet> before,
                               std::shared_ptr<const RuleSet> after, const ImpactOptions& options);

// Output. CSV: one row per change (RFC 4180, CRLF, no BOM); the totals as a second CSV.
std::string ImpactChangesCsvHeader();
void AppendImpactChangeCsv(const ImpactChange& change, std::string* out);
std::string ImpactTotalsCsv(const ImpactReport& report);

// JSON: one document, {"changes": [...], "before": ..., "after": ..., "as_of": ...,
// "programs": [...], "summary": {...}, "totals": {...}}, written as it streams: the head, each
// change (separated by commas), then the tail, which needs the whole report.
std::string ImpactJsonHead();
void AppendImpactChangeJson(const ImpactChange& change, std::string* out);
std::string ImpactJsonTail(const ImpactReport& report, std::string_view before_label,
                           std::string_view after_label);

// A readable report: the rule sets (`before_label`, `after_label` say where they came from),
// the programs, totals by program and (rows with changes only) by region, province, SME size
// and legal form, then `changes` (the first ones in input order; report.changes says how many
// there were in all).
std::string ImpactReportText(const ImpactReport& report, const std::vector<ImpactChange>& changes,
                             Lang lang, std::string_view before_label,
                             std::string_view after_label);

}  // namespace smematch

#endif  // SMEMATCH_IMPACT_H_
