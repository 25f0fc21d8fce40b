// Internal: JSON Lines input for the batch pipelines (screening, impact). LineBlockReader
// splits a stream into blocks of whole lines (about 1 MiB each, followed by simdjson's padding
// so lines parse in place); ForEachLine visits a block's lines and the lines dropped for their
// length, in row order. Not thread-safe: the reader runs on one thread, blocks go to workers.
#ifndef SMEMATCH_ENGINE_SRC_LINE_BLOCKS_H_
#define SMEMATCH_ENGINE_SRC_LINE_BLOCKS_H_

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace smematch {

// A longer line is not kept: its row is reported as oversized.
inline constexpr size_t kMaxLineBytes = 4 << 20;
inline constexpr std::string_view kLineTooLong = "line longer than 4 MiB";
static_assert(kMaxLineBytes == 4 << 20, "keep kLineTooLong in step");

struct LineBlock {
  size_t first_row = 1;                // 1-based line number of the block's first line
  std::string bytes;                   // whole lines, then SIMDJSON_PADDING spaces
  std::vector<size_t> oversized_rows;  // rows dropped for their length, before or in the block
};

class LineBlockReader {
 public:
  explicit LineBlockReader(std::istream& in, size_t block_bytes = 1 << 20)
      : in_(in), buffer_(block_bytes) {}

  // Fills `*out` with the next block; returns false at the end of the input. A UTF-8 byte
  // order mark at the start is skipped (Excel writes one).
  bool Next(LineBlock* out) {
    while (in_) {
      in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      std::string_view got(buffer_.data(), static_cast<size_t>(in_.gcount()));
      if (first_ && got.substr(0, 3) == "\xEF\xBB\xBF") got.remove_prefix(3);
      first_ = false;
      if (skipping_) {
        size_t nl = got.find('\n');
        if (nl == std::string_view::npos) continue;
        skipping_ = false;
        got.remove_prefix(nl + 1);
        ++row_;
      }
      size_t last_nl = got.rfind('\n');
      if (last_nl == std::string_view::npos) {
        carry_.append(got);
        if (carry_.size() > kMaxLineBytes) {
          oversized_.push_back(row_);
          carry_.clear();
          skipping_ = true;
        }
        continue;
      }
      Start(out);
      out->bytes.reserve(carry_.size() + last_nl + 1 + simdjson::SIMDJSON_PADDING);
      out->bytes.append(carry_);
      out->bytes.append(got.substr(0, last_nl + 1));
      row_ += CountLines(out->bytes);
      out->bytes.append(simdjson::SIMDJSON_PADDING, ' ');
      carry_.assign(got.substr(last_nl + 1));
      return true;
    }
    if (carry_.empty() && oversized_.empty()) return false;
    Start(out);  // the last line without a line break, or oversized rows at the end
    out->bytes = std::move(carry_);
    carry_.clear();
    out->bytes.append(simdjson::SIMDJSON_PADDING, ' ');
    return true;
  }

  bool bad() const { return in_.bad(); }

 private:
  // Line breaks in `s`, found with memchr (vectorised) rather than a byte loop.
  static size_t CountLines(std::string_view s) {
    size_t n = 0;
    const char* p = s.data();
    const char* end = p + s.size();
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
      if (nl == nullptr) break;
      ++n;
      p = static_cast<const char*>(nl) + 1;
    }
    return n;
  }

  void Start(LineBlock* out) {
    out->first_row = row_;
    out->bytes.clear();
    out->oversized_rows = std::move(oversized_);
    oversized_.clear();
  }

  std::istream& in_;
  std::vector<char> buffer_;
  std::string carry_;            // the unfinished last line of the previous read
  std::vector<size_t> oversized_;
  size_t row_ = 1;
  bool first_ = true;
  bool skipping_ = false;        // inside a line longer than kMaxLineBytes
};

// Calls on_line(row, line) for every non-blank line of `block` (without its line break) and
// on_oversized(row) for every line dropped for its length, all in row order.
template <typename OnLine, typename OnOversized>
void ForEachLine(const LineBlock& block, OnLine on_line, OnOversized on_oversized) {
  size_t row = block.first_row;
  size_t dropped = 0;
  auto report_dropped = [&](size_t upto) {
    while (dropped < block.oversized_rows.size() && block.oversized_rows[dropped] <= upto) {
      on_oversized(block.oversized_rows[dropped++]);
    }
  };
  std::string_view all(block.bytes.data(), block.bytes.size() - simdjson::SIMDJSON_PADDING);
  while (!all.empty()) {
    report_dropped(row);
    size_t nl = all.find('\n');
    std::string_view line = all.substr(0, nl);
    all.remove_prefix(nl == std::string_view::npos ? all.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) on_line(row, line);
    ++row;
  }
  report_dropped(SIZE_MAX);
}

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_LINE_BLOCKS_H_
