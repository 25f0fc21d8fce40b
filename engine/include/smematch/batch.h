// Batch screening: streams records from an input (JSON Lines, CSV or one JSON document),
// screens them on N threads (one Screener each) and writes the results in input order.
// Memory is bounded by the chunks in flight (about 2 × threads + 2 chunks of ~1 MiB), not by
// the input size. A bad record is reported (row number, field, problem) in the output and to
// `on_record_error`, and the batch goes on.
#ifndef SMEMATCH_BATCH_H_
#define SMEMATCH_BATCH_H_

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>

#include "smematch/decision_writer.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"

namespace smematch {

enum class InputFormat { kJsonLines, kCsv, kJson };
enum class OutputFormat { kJsonLines, kCsv, kTable };

struct BatchStats {
  uint64_t records = 0;        // data records read (CSV header excluded)
  uint64_t screened = 0;       // records screened
  uint64_t bad_records = 0;    // records reported as invalid input
  uint64_t decisions = 0;
  uint64_t outcomes[4] = {};   // decisions by Outcome
  double seconds = 0;
};

struct BatchOptions {
  InputFormat input = InputFormat::kJsonLines;
  OutputFormat output = OutputFormat::kJsonLines;
  ScreenOptions screen;
  WriteOptions write;          // rule_set and as_of are filled in by ScreenBatch
  int threads = 1;
  bool csv_bom = true;         // start CSV output with a UTF-8 byte order mark (Excel)
  // Called from one thread, in row order, for every record that could not be screened.
  std::function<void(size_t row, std::string_view id, const Status&)> on_record_error;
  // Called from one thread at most about once per `progress_interval_s`.
  std::function<void(const BatchStats&)> on_progress;
  double progress_interval_s = 1.0;
};

// Screens every record of `in`, writing to `out`. Returns the counts, or kInvalidArgument for
// an unreadable input as a whole (a malformed JSON document, a CSV header with unknown
// columns), kNotFound / kFailedPrecondition for the programs requested, or an I/O error.
Result<BatchStats> ScreenBatch(std::istream& in, std::ostream& out,
                               std::shared_ptr<const RuleSet> rules, const BatchOptions& options);

}  // namespace smematch

#endif  // SMEMATCH_BATCH_H_
