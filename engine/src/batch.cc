#include "smematch/batch.h"

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <istream>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>

#include "csv_reader.h"
#include "line_blocks.h"
#include "ordered_pipeline.h"
#include "smematch/profile_io.h"

namespace smematch {
namespace {

constexpr size_t kBlockBytes = 1 << 20;       // JSON Lines read size; about one chunk
constexpr size_t kCsvRecordsPerChunk = 4096;
constexpr size_t kJsonRecordsPerChunk = 4096;
constexpr size_t kMaxJsonDocumentBytes = 256u << 20;

struct RecordError {
  size_t row;
  std::string id;
  Status status;
};

struct Chunk {
  uint64_t seq = 0;
  size_t first_row = 0;
  LineBlock lines;                              // JSON Lines
  std::vector<std::vector<std::string>> rows;   // CSV records
  std::vector<std::string> records;             // JSON document items
  std::string output;
  BatchStats stats;
  std::vector<RecordError> errors;
};

// Work queue, completed chunks and the bound on chunks in flight.
using Pipeline = OrderedPipeline<Chunk>;

class Worker {
 public:
  Worker(std::unique_ptr<Screener> screener, const BatchOptions& options,
         const std::vector<std::string>& csv_header)
      : screener_(std::move(screener)),
        reader_(&screener_->rules().provinces()),
        options_(options),
        csv_header_(csv_header) {}

  void Process(Chunk& c) {
    switch (options_.input) {
      case InputFormat::kJsonLines:
        ForEachLine(
            c.lines,
            [&](size_t row, std::string_view line) {
              Screen(c, row, reader_.ParseJsonPadded(line, &profile_, &field_errors_));
            },
            [&](size_t row) {
              ++c.stats.records;
              Record(c, row, InvalidArgumentError(std::string(kLineTooLong)), "");
            });
        break;
      case InputFormat::kCsv:
        for (size_t i = 0; i < c.rows.size(); ++i) {
          const auto& cells = c.rows[i];
          if (cells.size() == 1 && cells[0].empty()) continue;  // blank line
          Status s = reader_.ParseCsv(csv_header_, cells, &profile_, &field_errors_);
          Screen(c, c.first_row + i, s);
        }
        break;
      case InputFormat::kJson:
        for (size_t i = 0; i < c.records.size(); ++i) {
          Status s = reader_.ParseJson(c.records[i], &profile_, &field_errors_);
          Screen(c, c.first_row + i, s);
        }
        break;
    }
  }

 private:
  void Screen(Chunk& c, size_t row, const Status& parsed) {
    ++c.stats.records;
    if (!parsed.ok()) {
      Record(c, row, parsed, profile_.id);
      return;
    }
    Status s = screener_->Screen(profile_, options_.screen, &decisions_);
    if (!s.ok()) {
      field_errors_.clear();
      Record(c, row, s, profile_.id);
      return;
    }
    ++c.stats.screened;
    c.stats.decisions += decisions_.size();
    for (const Decision& d : decisions_) ++c.stats.outcomes[static_cast<int>(d.outcome)];
    switch (options_.output) {
      case OutputFormat::kJsonLines:
        AppendDecisionsJson(profile_, decisions_, options_.write, &c.output);
        c.output.push_back('\n');
        break;
      case OutputFormat::kCsv: AppendDecisionsCsv(profile_, decisions_, options_.write, &c.output); break;
      case OutputFormat::kTable: AppendDecisionsTable(profile_, decisions_, options_.write, &c.output); break;
    }
  }

  void Record(Chunk& c, size_t row, const Status& s, const std::string& id) {
    ++c.stats.bad_records;
    switch (options_.output) {
      case OutputFormat::kJsonLines:
        AppendRecordErrorJson(row, id, s, field_errors_, &c.output);
        c.output.push_back('\n');
        break;
      case OutputFormat::kCsv: AppendRecordErrorCsv(row, id, s, options_.write, &c.output); break;
      case OutputFormat::kTable: AppendRecordErrorTable(row, id, s, options_.write, &c.output); break;
    }
    c.errors.push_back({row, id, s});
    field_errors_.clear();
  }

  std::unique_ptr<Screener> screener_;
  ProfileReader reader_;
  const BatchOptions& options_;
  const std::vector<std::string>& csv_header_;
  EnterpriseProfile profile_;
  std::vector<Decision> decisions_;
  std::vector<FieldError> field_errors_;
};

void Add(BatchStats& total, const BatchStats& part) {
  total.records += part.records;
  total.screened += part.screened;
  total.bad_records += part.bad_records;
  total.decisions += part.decisions;
  for (int i = 0; i < 4; ++i) total.outcomes[i] += part.outcomes[i];
}

}  // namespace

Result<BatchStats> ScreenBatch(std::istream& in, std::ostream& out,
                               std::shared_ptr<const RuleSet> rules, const BatchOptions& options_in) {
  auto started = std::chrono::steady_clock::now();
  BatchOptions options = options_in;
  options.write.rule_set = rules->hash();
  options.write.as_of = options.screen.as_of;
  int threads = std::max(1, options.threads);

  // Resolve the programs once, up front: an unknown id fails the batch, not every row.
  for (const std::string& id : options.screen.programs) {
    Result<const ProgramInfo*> p = rules->Find(id, options.screen.as_of);
    if (!p.ok()) return p.status();
  }
  for (const std::string& id : rules->program_ids()) {
    if (!options.screen.programs.empty()) break;
    Result<const ProgramInfo*> p = rules->Find(id, options.screen.as_of);
    if (!p.ok()) return p.status();
  }

  // The first records: a CSV header, or a whole JSON document.
  std::vector<std::string> csv_header;
  CsvReader csv;
  std::vector<std::vector<std::string>> csv_pending;
  std::vector<std::string> json_records;
  std::vector<char> block(kBlockBytes);
  if (options.input == InputFormat::kJson) {
    std::string doc;
    while (in) {
      in.read(block.data(), static_cast<std::streamsize>(block.size()));
      doc.append(block.data(), static_cast<size_t>(in.gcount()));
      if (doc.size() > kMaxJsonDocumentBytes) {
        return InvalidArgumentError("JSON input larger than 256 MiB; use JSON Lines for large batches");
      }
    }
    nlohmann::json parsed = nlohmann::json::parse(doc, nullptr, false);
    if (parsed.is_discarded()) {
      return InvalidArgumentError("input is not valid JSON (expected an object or an array of objects)");
    }
    if (parsed.is_object()) {
      json_records.push_back(parsed.dump());
    } else if (parsed.is_array()) {
      for (const auto& item : parsed) json_records.push_back(item.dump());
    } else {
      return InvalidArgumentError("input JSON must be an object or an array of objects");
    }
  }

  std::vector<std::unique_ptr<Screener>> screeners;
  for (int i = 0; i < threads; ++i) {
    Result<std::unique_ptr<Screener>> s = Screener::Create(rules);
    if (!s.ok()) return s.status();
    screeners.push_back(std::move(*s));
  }

  if (options.input == InputFormat::kCsv) {
    // Read until the header is complete.
    Status status;
    CsvReader::RowFn collect = [&](std::vector<std::string>&& cells) {
      if (csv_header.empty() && csv.records() == 1) csv_header = std::move(cells);
      else csv_pending.push_back(std::move(cells));
    };
    while (csv_header.empty() && in) {
      in.read(block.data(), static_cast<std::streamsize>(block.size()));
      status = csv.Feed(std::string_view(block.data(), static_cast<size_t>(in.gcount())), collect);
      if (!status.ok()) return status;
    }
    if (csv_header.empty()) {
      status = csv.Finish(collect);
      if (!status.ok()) return status;
    }
    if (csv_header.empty()) return InvalidArgumentError("CSV input is empty: expected a header row");
    SMEMATCH_RETURN_IF_ERROR(CheckCsvHeader(csv_header));
  }

  Pipeline pipeline(static_cast<size_t>(2 * threads + 2));
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      Worker worker(std::move(screeners[i]), options, csv_header);
      while (auto chunk = pipeline.Take()) {
        worker.Process(*chunk);
        pipeline.Complete(std::move(chunk));
      }
    });
  }

  BatchStats total;
  Status write_status;  // written by the writer thread only
  std::atomic<bool> write_failed{false};
  std::thread writer([&] {
    if (options.output == OutputFormat::kCsv) {
      if (options.csv_bom) out << "\xEF\xBB\xBF";
      out << DecisionsCsvHeader();
    }
    auto last_progress = std::chrono::steady_clock::now();
    for (uint64_t seq = 0;; ++seq) {
      std::unique_ptr<Chunk> c = pipeline.Next(seq);
      if (!c) break;
      if (write_status.ok()) {
        out.write(c->output.data(), static_cast<std::streamsize>(c->output.size()));
        if (!out) {
          write_status = UnavailableError("cannot write the output (disk full or closed pipe?)");
          write_failed = true;
          pipeline.Abort();
        }
      }
      Add(total, c->stats);
      if (options.on_record_error) {
        for (const RecordError& e : c->errors) options.on_record_error(e.row, e.id, e.status);
      }
      auto now = std::chrono::steady_clock::now();
      if (options.on_progress &&
          std::chrono::duration<double>(now - last_progress).count() >= options.progress_interval_s) {
        last_progress = now;
        total.seconds = std::chrono::duration<double>(now - started).count();
        options.on_progress(total);
      }
    }
    out.flush();
  });

  uint64_t seq = 0;
  Status read_status;
  auto submit = [&](std::unique_ptr<Chunk> c) {
    c->seq = seq++;
    pipeline.Submit(std::move(c));
  };
  switch (options.input) {
    case InputFormat::kJsonLines: {
      LineBlockReader lines(in);
      while (!write_failed) {
        auto c = std::make_unique<Chunk>();
        if (!lines.Next(&c->lines)) break;
        submit(std::move(c));
      }
      break;
    }
    case InputFormat::kCsv: {
      auto c = std::make_unique<Chunk>();
      c->first_row = 2;
      size_t next_row = 2;
      auto flush = [&] {
        next_row += c->rows.size();
        submit(std::move(c));
        c = std::make_unique<Chunk>();
        c->first_row = next_row;
      };
      CsvReader::RowFn add = [&](std::vector<std::string>&& cells) {
        c->rows.push_back(std::move(cells));
        if (c->rows.size() >= kCsvRecordsPerChunk) flush();
      };
      for (auto& cells : csv_pending) add(std::move(cells));
      csv_pending.clear();
      while (in && read_status.ok() && !write_failed) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        read_status = csv.Feed(std::string_view(block.data(), static_cast<size_t>(in.gcount())), add);
      }
      if (read_status.ok()) read_status = csv.Finish(add);
      if (!c->rows.empty()) flush();
      break;
    }
    case InputFormat::kJson: {
      for (size_t i = 0; i < json_records.size(); i += kJsonRecordsPerChunk) {
        auto c = std::make_unique<Chunk>();
        c->first_row = i + 1;
        for (size_t j = i; j < std::min(json_records.size(), i + kJsonRecordsPerChunk); ++j) {
          c->records.push_back(std::move(json_records[j]));
        }
        submit(std::move(c));
      }
      break;
    }
  }
  if (in.bad()) read_status = UnavailableError("cannot read the input");
  pipeline.Close(seq);
  for (std::thread& t : pool) t.join();
  writer.join();
  SMEMATCH_RETURN_IF_ERROR(write_status);
  // A CSV quoting error stops the batch at that record: what came before is written, and the
  // caller learns which record to fix.
  SMEMATCH_RETURN_IF_ERROR(read_status);
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return total;
}

}  // namespace smematch
