// Internal: a streaming RFC 4180 reader over libcsv, and the matching cell writer.
// Not thread-safe; one per input stream.
#ifndef SMEMATCH_ENGINE_SRC_CSV_READER_H_
#define SMEMATCH_ENGINE_SRC_CSV_READER_H_

#include <csv.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/status.h"

namespace smematch {

class CsvReader {
 public:
  using RowFn = std::function<void(std::vector<std::string>&& cells)>;

  CsvReader();
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Feeds the next piece of the input; calls `on_row` for every record completed. A UTF-8 byte
  // order mark at the very start is skipped. Returns kInvalidArgument on malformed quoting,
  // naming the record number (1 = header).
  Status Feed(std::string_view bytes, const RowFn& on_row);
  // Ends the input, flushing a last record without a line break.
  Status Finish(const RowFn& on_row);

  // Convenience: parses all of `text` into `*rows`.
  Status ReadAll(std::string_view text, std::vector<std::vector<std::string>>* rows);

  // Number of records completed so far.
  size_t records() const { return records_; }

 private:
  static void OnField(void* data, size_t len, void* self);
  static void OnRow(int terminator, void* self);

  csv_parser parser_;
  std::vector<std::string> cells_;
  const RowFn* on_row_ = nullptr;
  size_t records_ = 0;
  bool at_start_ = true;
};

// Appends `cell` to `*out`, quoted if it holds a comma, quote, CR or LF (RFC 4180), and
// prefixed with ' if it starts with = + - @ tab or CR so that spreadsheets do not run it as
// a formula (OWASP CSV injection).
void AppendCsvCell(std::string_view cell, std::string* out);

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_CSV_READER_H_
