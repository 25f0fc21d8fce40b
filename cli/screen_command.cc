// smematch screen: screen a file of enterprises for the support programs.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli.h"
#include "options.h"
#include "smematch/batch.h"
#include "smematch/rule_set.h"

namespace smematch::cli {
namespace {

namespace po = boost::program_options;

constexpr size_t kMaxErrorsShown = 50;

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool EndsWith(const std::string& s, std::string_view suffix) { return s.ends_with(suffix); }

}  // namespace

int RunScreen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description desc(
      "usage: smematch screen [options] INPUT\n"
      "\n"
      "Screens every enterprise in INPUT (a .json object or array, .jsonl, or .csv file; - for\n"
      "standard input as JSON Lines) for each program and writes one decision per program with\n"
      "the reasons in Thai and English.\n"
      "\n"
      "options");
  std::string input, output = "-", input_format = "auto", format = "auto", rules_dir = "rules";
  std::string programs, lang = "th", as_of;
  int threads = 0;
  int64_t budget = 0;
  size_t memory_mb = 0;
  desc.add_options()
      ("help,h", "show this help")
      ("rules", po::value(&rules_dir)->default_value("rules"), "rule set directory")
      ("programs", po::value(&programs), "programs to screen, comma-separated (default: all)")
      ("format", po::value(&format)->default_value("auto"),
       "output: table, jsonl or csv (auto: table for one JSON object, else jsonl; csv for a .csv --output)")
      ("input-format", po::value(&input_format)->default_value("auto"),
       "input: json, jsonl or csv (auto: by file extension)")
      ("output,o", po::value(&output)->default_value("-"),
       "output file, written only when complete (- for standard output)")
      ("lang", po::value(&lang)->default_value("th"), "language of table and CSV texts: th or en")
      ("as-of", po::value(&as_of), "decision date YYYY-MM-DD (default: today in Bangkok)")
      ("threads", po::value(&threads)->default_value(0), "worker threads (0: one per core)")
      ("compact", "JSON Lines without reasons: outcome, failed criteria, missing fields, score")
      ("no-bom", "do not start CSV output with a UTF-8 byte order mark")
      ("quiet,q", "no progress or summary on standard error")
      ("strict", "exit 1 if any record is invalid (invalid records are always reported)")
      ("instruction-budget", po::value(&budget), "Lua instructions one decision may run (default 1000000)")
      ("memory-limit-mb", po::value(&memory_mb), "Lua memory per thread in MiB (default 64)");
  po::options_description hidden;
  hidden.add_options()("input", po::value(&input));
  po::positional_options_description positional;
  positional.add("input", 1);
  po::variables_map vm;
  if (!ParseOptions(args, desc, &hidden, &positional, &vm, "screen", err)) return kExitUsage;
  if (vm.count("help")) {
    out << desc << "\nexit codes: 0 every record screened or reported; 1 a rule failed on a record\n"
                   "(or, with --strict, a record was invalid); 2 bad options; 3 rule set not loaded;\n"
                   "4 input not readable as a whole, or output not written\n";
    return kExitOk;
  }
  auto usage = [&](const std::string& m) {
    err << "smematch screen: " << m << "\n(see smematch screen --help)\n";
    return kExitUsage;
  };
  if (input.empty()) return usage("missing INPUT file (use - for standard input)");

  BatchOptions options;
  if (input_format == "auto") {
    if (EndsWith(input, ".csv")) options.input = InputFormat::kCsv;
    else if (EndsWith(input, ".json")) options.input = InputFormat::kJson;
    else options.input = InputFormat::kJsonLines;
  } else if (input_format == "json") {
    options.input = InputFormat::kJson;
  } else if (input_format == "jsonl") {
    options.input = InputFormat::kJsonLines;
  } else if (input_format == "csv") {
    options.input = InputFormat::kCsv;
  } else {
    return usage("--input-format must be json, jsonl or csv, not '" + input_format + "'");
  }
  if (lang != "th" && lang != "en") return usage("--lang must be th or en, not '" + lang + "'");
  if (format == "table") {
    options.output = OutputFormat::kTable;
  } else if (format == "jsonl") {
    options.output = OutputFormat::kJsonLines;
  } else if (format == "csv") {
    options.output = OutputFormat::kCsv;
  } else if (format != "auto") {
    return usage("--format must be table, jsonl or csv, not '" + format + "'");
  }
  options.write.lang = lang == "th" ? Lang::kTh : Lang::kEn;
  options.write.compact = vm.count("compact") > 0;
  options.csv_bom = vm.count("no-bom") == 0;
  options.screen.programs = SplitList(programs);
  options.screen.explain = !options.write.compact;
  if (!as_of.empty()) {
    Result<Date> d = Date::Parse(as_of);
    if (!d.ok()) return usage("--as-of: " + d.status().message());
    options.screen.as_of = *d;
  }
  if (threads < 0 || threads > 256) return usage("--threads must be from 0 to 256");
  options.threads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  RuleLimits limits;
  if (vm.count("instruction-budget")) {
    if (budget < 1000) return usage("--instruction-budget must be at least 1000");
    limits.instructions_per_decision = budget;
  }
  if (vm.count("memory-limit-mb")) {
    if (memory_mb < 4 || memory_mb > 4096) return usage("--memory-limit-mb must be from 4 to 4096");
    limits.memory_bytes = memory_mb << 20;
  }
  Result<std::shared_ptr<const RuleSet>> rules = RuleSet::Load(rules_dir, limits);
  if (!rules.ok()) {
    err << "smematch screen: the rule set in '" << rules_dir << "' was not loaded:\n"
        << rules.status().message() << "\n";
    return kExitRules;
  }
  for (const std::string& id : options.screen.programs) {
    Result<const ProgramInfo*> p = (*rules)->Find(id, options.screen.as_of);
    if (!p.ok()) return usage("--programs: " + p.status().message());
  }

  // Input.
  std::ifstream file;
  std::istringstream whole;
  std::istream* in = &std::cin;
  if (input != "-") {
    file.open(input, std::ios::binary);
    if (!file) {
      err << "smematch screen: cannot read input file '" << input << "'\n";
      return kExitIo;
    }
    in = &file;
  }
  // One JSON object reads best as a table; look before choosing the default.
  bool single_object = false;
  if (options.input == InputFormat::kJson) {
    std::stringstream ss;
    ss << in->rdbuf();
    std::string text = ss.str();
    size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    single_object = first != std::string::npos && text[first] == '{';
    whole.str(std::move(text));
    in = &whole;
  }
  if (format == "auto") {
    if (single_object) options.output = OutputFormat::kTable;
    else if (EndsWith(output, ".csv")) options.output = OutputFormat::kCsv;
    else options.output = OutputFormat::kJsonLines;
  }

  const bool quiet = vm.count("quiet") > 0;
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  size_t errors_shown = 0;
  options.on_record_error = [&](size_t row, std::string_view id, const Status& s) {
    if (quiet || errors_shown++ >= kMaxErrorsShown) return;
    err << "row " << row;
    if (!id.empty()) err << " (" << id << ")";
    err << ": " << s.message() << "\n";
  };
  if (!quiet) {
    options.on_progress = [&](const BatchStats& s) {
      if (s.seconds < 2) return;  // short batches need no progress line
      err << "screened " << s.records << " records, " << s.decisions << " decisions, "
          << static_cast<uint64_t>(s.decisions / std::max(s.seconds, 1e-9)) << " decisions/s"
          << (tty ? "\r" : "\n") << std::flush;
    };
  }

  Result<BatchStats> stats = InternalError("not run");
  Status written = WriteAtomically(output, out, [&](std::ostream& o) {
    stats = ScreenBatch(*in, o, *rules, options);
    return stats.ok() ? Status::Ok() : stats.status();
  });
  if (!written.ok()) {
    err << "smematch screen: " << written.message() << "\n";
    // The input as a whole could not be read (malformed CSV quoting, a bad header, an
    // invalid JSON document) or the output not written: both are exit 4. Anything else
    // here is a bug.
    switch (written.code()) {
      case StatusCode::kInvalidArgument:
      case StatusCode::kNotFound:
      case StatusCode::kUnavailable: return kExitIo;
      default: return ExitCodeFor(written);
    }
  }
  const BatchStats& s = *stats;
  if (!quiet) {
    if (tty && s.seconds >= 2) err << "\n";
    if (errors_shown > kMaxErrorsShown) {
      err << "... and " << (errors_shown - kMaxErrorsShown) << " more invalid records (see the output)\n";
    }
    err << "screened " << s.screened << " of " << s.records << " records (" << s.bad_records
        << " invalid); decisions: " << s.outcomes[0] << " eligible, " << s.outcomes[1]
        << " ineligible, " << s.outcomes[2] << " needs information, " << s.outcomes[3]
        << " rule errors; rule set " << (*rules)->hash().substr(0, 19) << "; " << s.seconds << " s\n";
  }
  if (s.outcomes[static_cast<int>(Outcome::kError)] > 0) return kExitRecordErrors;
  return s.bad_records > 0 && vm.count("strict") ? kExitRecordErrors : kExitOk;
}

}  // namespace smematch::cli
