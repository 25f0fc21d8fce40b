// smematch impact: what a rule change does to a population, before it ships. Screens one file
// of profiles under two rule sets (folders, or `git:REV` revisions of rules/) and reports every
// enterprise whose outcome changes, with the criteria that caused it, and totals.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli.h"
#include "options.h"
#include "smematch/impact.h"
#include "smematch/rule_set.h"

extern char** environ;

namespace smematch::cli {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr size_t kMaxErrorsShown = 50;
constexpr size_t kFlushBytes = 1 << 20;

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// A temporary folder, removed with everything in it when this goes out of scope.
class TempDir {
 public:
  TempDir() = default;
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  Status Create() {
    std::string tmpl = (fs::temp_directory_path() / "smematch-impact-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      return UnavailableError("cannot create a temporary folder");
    path_ = tmpl;
    return Status::Ok();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs `argv` (no shell) with standard output to `stdout_path` and standard error to
// `stderr_path`; returns its exit status, or -1 if it could not be started.
int Run(const std::vector<std::string>& argv, const std::string& stdout_path,
        const std::string& stderr_path) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Resolves `spec` to a rule directory: a folder as it is, or "git:REV[:PATH]" (PATH relative to
// the top of the repository holding `repo`, default "rules") extracted with `git archive` into
// `tmp`. The copy keeps PATH's last name, so an unchanged rule set has the same hash as the
// working copy.
Result<std::string> ResolveRules(const std::string& spec, const std::string& repo, TempDir* tmp) {
  if (!spec.starts_with("git:")) return spec;
  std::string rest = spec.substr(4);
  std::string rev = rest, path = "rules";
  if (size_t colon = rest.find(':'); colon != std::string::npos) {
    rev = rest.substr(0, colon);
    path = rest.substr(colon + 1);
  }
  while (path.ends_with("/")) path.pop_back();
  if (rev.empty() || rev[0] == '-' || path.empty() || path[0] == '-' || path[0] == '/') {
    return InvalidArgumentError("'" + spec +
                                "': expected git:REVISION or git:REVISION:PATH, e.g. git:HEAD~1 " +
                                "or git:main:rules");
  }
  SMEMATCH_RETURN_IF_ERROR(tmp->Create());
  std::string out = (tmp->path() / "git.out").string(), errs = (tmp->path() / "git.err").string();
  int rc = Run({"git", "-C", repo, "rev-parse", "--show-toplevel"}, out, errs);
  if (rc != 0) {
    return rc < 0 ? UnavailableError("cannot run git for '" + spec + "'")
                  : InvalidArgumentError("'" + spec +
                                         "': not inside a git repository: " + ReadText(errs));
  }
  std::string top = ReadText(out);
  std::string tar = (tmp->path() / "rules.tar").string();
  rc = Run({"git", "-C", top, "archive", "--format=tar", "-o", tar, rev, "--", path}, out, errs);
  if (rc != 0) {
    return InvalidArgumentError("'" + spec + "': git archive " + rev + " -- " + path +
                                " failed: " + ReadText(errs));
  }
  fs::path tree = tmp->path() / "tree";
  std::error_code ec;
  fs::create_directories(tree, ec);
  rc = Run({"tar", "-xf", tar, "-C", tree.string()}, out, errs);
  if (rc != 0)
    return UnavailableError("'" + spec + "': cannot unpack the revision: " + ReadText(errs));
  fs::path dir = tree / path;
  if (!fs::is_directory(dir, ec)) {
    return InvalidArgumentError("'" + spec + "': " + path + " is not a folder at " + rev);
  }
  return dir.string();
}

}  // namespace

int RunImpact(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description desc(
      "usage: smematch impact --before RULES --after RULES [options] POPULATION\n"
      "\n"
      "Screens every enterprise of POPULATION (.jsonl or .csv; - for JSON Lines on standard\n"
      "input) under two rule sets and reports each outcome that changes, with the criteria that\n"
      "caused it, and totals per program, region, province, SME size and legal form. RULES is a\n"
      "folder, or git:REV (rules/ at that revision of the current repository), or git:REV:PATH.\n"
      "\n"
      "options");
  std::string input, before_spec, after_spec, programs, as_of, totals_path;
  std::string format = "auto", output = "-", lang = "th", input_format = "auto", repo = ".";
  int threads = 0;
  int64_t limit = 1000;
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("before", po::value(&before_spec), "rule set before the change: DIR or git:REV[:PATH]")
      ("after", po::value(&after_spec), "rule set after the change: DIR or git:REV[:PATH]")
      ("programs", po::value(&programs), "programs to compare, comma-separated (default: all of both)")
      ("as-of", po::value(&as_of), "decision date YYYY-MM-DD (default: today in Bangkok)")
      ("threads", po::value(&threads)->default_value(0), "worker threads (0: one per core)")
      ("format", po::value(&format)->default_value("auto"),
       "text, csv or json (auto: csv for a .csv --output, json for .json, else text)")
      ("output,o", po::value(&output)->default_value("-"), "output file, written when complete (- for standard output)")
      ("totals", po::value(&totals_path), "also write the totals as CSV to this file")
      ("limit", po::value(&limit)->default_value(1000), "text: changes listed (0: all); CSV and JSON list all")
      ("lang", po::value(&lang)->default_value("th"), "language of the text report: th or en")
      ("input-format", po::value(&input_format)->default_value("auto"), "jsonl or csv (auto: by file name)")
      ("repo", po::value(&repo)->default_value("."), "git repository for git:REV rule sets")
      ("quiet,q", "no progress, invalid-record lines or summary on standard error");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("input", po::value(&input));
  po::positional_options_description positional;
  positional.add("input", 1);
  po::variables_map vm;
  if (!ParseOptions(args, desc, &hidden, &positional, &vm, "impact", err)) return kExitUsage;
  if (vm.count("help")) {
    out << desc
        << "\nexit codes: 0 compared (whether or not anything changed); 2 bad options or a\n"
           "bad git revision; 3 a rule set did not load; 4 a file could not be read or\n"
           "written, or the input is unreadable as a whole\n";
    return kExitOk;
  }
  auto usage = [&](const std::string& m) {
    err << "smematch impact: " << m << "\n(see smematch impact --help)\n";
    return kExitUsage;
  };
  if (input.empty()) return usage("missing POPULATION file (use - for standard input)");
  if (before_spec.empty() || after_spec.empty())
    return usage("--before and --after are both required");
  ImpactOptions options;
  if (input_format == "csv" || (input_format == "auto" && input.ends_with(".csv"))) {
    options.input = InputFormat::kCsv;
  } else if (input_format == "jsonl" || input_format == "auto") {
    options.input = InputFormat::kJsonLines;
  } else {
    return usage("--input-format must be jsonl or csv, not '" + input_format + "'");
  }
  if (format == "auto")
    format = output.ends_with(".csv") ? "csv" : output.ends_with(".json") ? "json" : "text";
  if (format != "text" && format != "csv" && format != "json") {
    return usage("--format must be text, csv or json, not '" + format + "'");
  }
  if (lang != "th" && lang != "en") return usage("--lang must be th or en, not '" + lang + "'");
  if (limit < 0) return usage("--limit must be 0 (all) or more");
  if (threads < 0 || threads > 256) return usage("--threads must be from 0 to 256");
  options.threads =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.programs = SplitList(programs);
  if (!as_of.empty()) {
    Result<Date> d = Date::Parse(as_of);
    if (!d.ok()) return usage("--as-of: " + d.status().message());
    options.as_of = *d;
  }

  // The two rule sets.
  TempDir before_tmp, after_tmp;
  std::shared_ptr<const RuleSet> rules[2];
  TempDir* tmps[2] = {&before_tmp, &after_tmp};
  const std::string* specs[2] = {&before_spec, &after_spec};
  const char* names[2] = {"--before", "--after"};
  for (int i = 0; i < 2; ++i) {
    Result<std::string> dir = ResolveRules(*specs[i], repo, tmps[i]);
    if (!dir.ok()) {
      err << "smematch impact: " << names[i] << ": " << dir.status().message() << "\n";
      return dir.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitIo;
    }
    Result<std::shared_ptr<const RuleSet>> loaded = RuleSet::Load(*dir);
    if (!loaded.ok()) {
      err << "smematch impact: " << names[i] << ": the rule set in '" << *specs[i]
          << "' was not loaded:\n"
          << loaded.status().message() << "\n";
      return loaded.status().code() == StatusCode::kNotFound ? kExitIo : kExitRules;
    }
    rules[i] = *loaded;
  }

  std::ifstream file;
  std::istream* in = &std::cin;
  if (input != "-") {
    file.open(input, std::ios::binary);
    if (!file) {
      err << "smematch impact: cannot read input file '" << input << "'\n";
      return kExitIo;
    }
    in = &file;
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
    options.on_progress = [&](uint64_t records, double seconds) {
      if (seconds < 2) return;
      err << "compared " << records << " records, "
          << static_cast<uint64_t>(records / std::max(seconds, 1e-9)) << " records/s"
          << (tty ? "\r" : "\n") << std::flush;
    };
  }

  std::vector<ImpactChange> listed;
  Result<ImpactReport> report = InternalError("not run");
  Status written = WriteAtomically(output, out, [&](std::ostream& o) -> Status {
    std::string buffer;
    bool first = true;
    if (format == "csv") {
      buffer = ImpactChangesCsvHeader();
      options.on_change = [&](const ImpactChange& c) {
        AppendImpactChangeCsv(c, &buffer);
        if (buffer.size() >= kFlushBytes) {
          o << buffer;
          buffer.clear();
        }
      };
    } else if (format == "json") {
      buffer = ImpactJsonHead();
      options.on_change = [&](const ImpactChange& c) {
        if (!first) buffer += ",\n";
        first = false;
        AppendImpactChangeJson(c, &buffer);
        if (buffer.size() >= kFlushBytes) {
          o << buffer;
          buffer.clear();
        }
      };
    } else {
      options.on_change = [&](const ImpactChange& c) {
        if (limit == 0 || listed.size() < static_cast<size_t>(limit)) listed.push_back(c);
      };
    }
    report = ::smematch::RunImpact(*in, rules[0], rules[1], options);
    if (!report.ok()) return report.status();
    if (format == "csv") {
      o << buffer;
    } else if (format == "json") {
      o << buffer << (first ? "" : "\n") << ImpactJsonTail(*report, before_spec, after_spec);
    } else {
      o << ImpactReportText(*report, listed, lang == "th" ? Lang::kTh : Lang::kEn, before_spec,
                            after_spec);
    }
    if (!o) return UnavailableError("cannot write the output (disk full or closed pipe?)");
    return Status::Ok();
  });
  if (!quiet && tty) err << "\n";
  if (!written.ok()) {
    err << "smematch impact: " << written.message() << "\n";
    switch (written.code()) {
      case StatusCode::kNotFound:
        return kExitUsage;  // a program id neither rule set has
      case StatusCode::kFailedPrecondition:
        return kExitUsage;
      case StatusCode::kInvalidArgument:
      case StatusCode::kUnavailable:
        return kExitIo;
      default:
        return ExitCodeFor(written);
    }
  }
  if (!totals_path.empty()) {
    Status s = WriteAtomically(totals_path, out, [&](std::ostream& o) {
      o << ImpactTotalsCsv(*report);
      return o ? Status::Ok() : UnavailableError("cannot write " + totals_path);
    });
    if (!s.ok()) {
      err << "smematch impact: " << s.message() << "\n";
      return kExitIo;
    }
  }
  if (!quiet) {
    const ImpactReport& r = *report;
    if (errors_shown > kMaxErrorsShown) {
      err << "... and " << (errors_shown - kMaxErrorsShown) << " more invalid records\n";
    }
    err << "compared " << r.screened << " of " << r.records << " records (" << r.bad_records
        << " invalid) under both rule sets: " << r.changes << " outcomes changed (" << r.gained
        << " gained eligibility, " << r.lost << " lost); " << r.seconds << " s\n";
  }
  return kExitOk;
}

}  // namespace smematch::cli
