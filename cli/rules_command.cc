// smematch rules: the policy staff's tools for the rule scripts.
//   rules check  every problem of every script, with file and line, without screening anyone
//   rules test   the case files beside the scripts; --coverage: which criteria they exercise
//   rules docs   a bilingual page per program, Markdown and self-contained HTML
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "options.h"
#include "smematch/case_runner.h"
#include "smematch/rule_check.h"
#include "smematch/rule_docs.h"
#include "smematch/rule_set.h"

namespace smematch::cli {
namespace {
namespace po = boost::program_options;
namespace fs = std::filesystem;

constexpr const char* kRulesUsage =
    "usage: smematch rules <check|test|docs> [options]\n"
    "\n"
    "  check   check every script without screening anyone: syntax, texts, parameter types,\n"
    "          duplicate ids, placeholders, unknown profile fields, sandbox, effective periods\n"
    "  test    run the rule test cases beside the scripts (--coverage: criteria exercised)\n"
    "  docs    write a bilingual page per program (Markdown and HTML) from the scripts\n"
    "\n"
    "`smematch rules <subcommand> --help` describes its options.\n";

// --- rules check ------------------------------------------------------------------------------

std::string Where(const RuleFinding& f, const std::string& rules_dir) {
  std::string where = f.file.empty() ? rules_dir : f.file;
  if (f.line > 0) where += ":" + std::to_string(f.line);
  return where;
}

int RunRulesCheck(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description desc(
      "usage: smematch rules check [options]\n"
      "\n"
      "Loads every script of the rule set without screening anyone and reports each problem as\n"
      "file:line: error|warning: message [kind]. Errors: syntax, missing Thai or English texts,\n"
      "parameter type mismatches, duplicate ids and versions, unknown placeholders, references\n"
      "to profile fields, parameters or context values that do not exist, anything outside the\n"
      "sandbox, overlapping effective periods. Warnings: gaps between effective periods,\n"
      "parameters nothing reads.\n"
      "\n"
      "options");
  std::string rules_dir, format;
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("rules", po::value(&rules_dir)->default_value("rules"), "rule set directory")
      ("format", po::value(&format)->default_value("text"), "text or json (for CI and editors)")
      ("strict", "fail (exit 3) on warnings too");
  // clang-format on
  po::variables_map vm;
  if (!ParseOptions(args, desc, nullptr, nullptr, &vm, "rules check", err)) return kExitUsage;
  if (vm.count("help")) {
    out << desc
        << "\nexit codes: 0 no errors (warnings allowed unless --strict); 3 errors found;\n"
           "2 bad options; 4 the rules directory, its programs/ folder or data/provinces.csv\n"
           "is missing\n";
    return kExitOk;
  }
  if (format != "text" && format != "json") {
    err << "smematch rules check: --format must be text or json, not '" << format << "'\n";
    return kExitUsage;
  }
  Result<RuleCheckReport> report = CheckRules(rules_dir);
  if (!report.ok()) {
    err << "smematch rules check: " << report.status().message() << "\n";
    return ExitCodeFor(report.status());
  }
  const size_t errors = report->errors(), warnings = report->warnings();
  if (format == "json") {
    nlohmann::ordered_json j;
    j["rules"] = rules_dir;
    j["rule_set"] = report->rule_set.empty() ? nlohmann::ordered_json()
                                             : nlohmann::ordered_json(report->rule_set);
    j["ok"] = errors == 0;
    j["errors"] = errors;
    j["warnings"] = warnings;
    j["files"] = report->files;
    j["programs"] = nlohmann::ordered_json::array();
    for (const ProgramInfo& p : report->programs) {
      j["programs"].push_back(
          {{"program", p.id},
           {"version", p.version},
           {"script", p.script},
           {"effective_from", p.effective_from.ToString()},
           {"effective_to", p.effective_to ? nlohmann::ordered_json(p.effective_to->ToString())
                                           : nlohmann::ordered_json()},
           {"criteria", p.criteria.size()},
           {"parameters", p.parameters.size()}});
    }
    j["findings"] = nlohmann::ordered_json::array();
    for (const RuleFinding& f : report->findings) {
      j["findings"].push_back({{"severity", FindingSeverityName(f.severity)},
                               {"kind", f.kind},
                               {"file", f.file.empty() ? rules_dir : f.file},
                               {"line", f.line},
                               {"message", f.message}});
    }
    out << j.dump(2) << "\n";
  } else {
    for (const RuleFinding& f : report->findings) {
      std::string message = f.message;
      for (size_t nl = message.find('\n'); nl != std::string::npos;
           nl = message.find('\n', nl + 1)) {
        message.insert(nl + 1, "    ");
      }
      out << Where(f, rules_dir) << ": " << FindingSeverityName(f.severity) << ": " << message
          << " [" << f.kind << "]\n";
    }
    size_t versions = report->programs.size();
    out << rules_dir << ": " << report->files.size() << " files, " << versions << " program version"
        << (versions == 1 ? "" : "s") << "; " << errors << " error" << (errors == 1 ? "" : "s")
        << ", " << warnings << " warning" << (warnings == 1 ? "" : "s");
    if (!report->rule_set.empty()) out << "; rule set " << report->rule_set;
    out << "\n";
  }
  if (errors > 0 || (warnings > 0 && vm.count("strict"))) return kExitRules;
  return kExitOk;
}

// --- rules test ------------------------------------------------------------------------------

void PrintCoverage(const CoverageReport& coverage, Lang lang, std::ostream& out) {
  const bool th = lang == Lang::kTh;
  char pct[16];
  std::snprintf(pct, sizeof pct, "%.1f", coverage.percent());
  out << "\n"
      << (th ? "ความครอบคลุม: " : "coverage: ") << coverage.covered() << (th ? " จาก " : " of ")
      << coverage.criteria.size() << (th ? " เกณฑ์ (" : " criteria (") << pct
      << (th ? "%) มีกรณีทดสอบที่ผ่านและไม่ผ่าน\n" : "%) seen both passing and failing\n");
  std::string current;
  size_t width = 0;
  for (const CriterionCoverage& c : coverage.criteria) width = std::max(width, c.criterion.size());
  for (const CriterionCoverage& c : coverage.criteria) {
    std::string head = c.program + " " + c.version + " (" + c.script + ")";
    if (head != current) {
      out << "  " << head << "\n";
      current = head;
    }
    out << "    " << c.criterion << std::string(width - c.criterion.size() + 2, ' ') << "pass "
        << c.pass << "  fail " << c.fail << "  needs_information " << c.needs_information;
    if (!c.covered()) out << (th ? "  ยังไม่ครอบคลุม" : "  NOT COVERED");
    out << "\n";
  }
  if (coverage.covered() == coverage.criteria.size()) return;
  out << (th ? "เกณฑ์ที่ยังไม่ครอบคลุม:\n" : "not covered:\n");
  for (const CriterionCoverage& c : coverage.criteria) {
    if (c.covered()) continue;
    std::string why;
    if (c.pass == 0 && c.fail == 0) {
      why = th ? "ไม่มีกรณีทดสอบใดเห็นผล ผ่าน หรือ ไม่ผ่าน" : "no case saw it pass or fail";
    } else if (c.fail == 0) {
      why = th ? "ไม่มีกรณีทดสอบที่ไม่ผ่านเกณฑ์นี้" : "no case saw it fail";
    } else {
      why = th ? "ไม่มีกรณีทดสอบที่ผ่านเกณฑ์นี้" : "no case saw it pass";
    }
    out << "  " << c.script << ":" << c.line << ": " << c.program << " " << c.version << " "
        << c.criterion << ": " << why << "\n";
  }
}

int RunRulesTest(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description desc(
      "usage: smematch rules test [options] [CASE_FILE...]\n"
      "\n"
      "Runs the rule test cases (default: every programs/*.cases.json of the rule set) and\n"
      "prints, for each failing case, the expected and actual decision per criterion.\n"
      "\n"
      "options");
  std::string rules_dir, lang;
  double min_coverage = -1;
  std::vector<std::string> files;
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("rules", po::value(&rules_dir)->default_value("rules"), "rule set directory")
      ("lang", po::value(&lang)->default_value("en"), "language of reasons in failures: th or en")
      ("verbose,v", "list every case, not only failures")
      ("coverage", "report, per criterion, whether the cases saw it both pass and fail")
      ("min-coverage", po::value(&min_coverage),
       "fail (exit 3) when fewer than PCT percent of the criteria are covered (implies --coverage)");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("file", po::value(&files));
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  if (!ParseOptions(args, desc, &hidden, &positional, &vm, "rules test", err)) return kExitUsage;
  if (vm.count("help")) {
    out << desc
        << "\nexit codes: 0 all cases pass (and coverage is at least --min-coverage);\n"
           "3 a case failed, coverage is below --min-coverage, or the rules did not load;\n"
           "2 bad options or a malformed case file; 4 a file could not be read\n";
    return kExitOk;
  }
  if (lang != "th" && lang != "en") {
    err << "smematch rules test: --lang must be th or en\n";
    return kExitUsage;
  }
  const bool coverage = vm.count("coverage") > 0 || vm.count("min-coverage") > 0;
  if (vm.count("min-coverage") && !(min_coverage >= 0 && min_coverage <= 100)) {
    err << "smematch rules test: --min-coverage must be a percentage from 0 to 100\n";
    return kExitUsage;
  }
  Result<std::shared_ptr<const RuleSet>> rules = RuleSet::Load(rules_dir);
  if (!rules.ok()) {
    err << "smematch rules test: the rule set in '" << rules_dir << "' was not loaded:\n"
        << rules.status().message() << "\n(smematch rules check --rules " << rules_dir
        << " lists every problem)\n";
    return kExitRules;
  }
  const bool all_files = files.empty();
  if (all_files) files = FindCaseFiles(rules_dir);
  if (files.empty()) {
    err << "smematch rules test: no *.cases.json under " << rules_dir << "/programs\n";
    return kExitUsage;
  }
  const Lang language = lang == "th" ? Lang::kTh : Lang::kEn;
  size_t total = 0, failed = 0;
  std::vector<CaseFileResult> results;
  for (const std::string& f : files) {
    Result<CaseFileResult> r = RunCaseFile(f, *rules, language);
    if (!r.ok()) {
      err << r.status().message() << "\n";
      return ExitCodeFor(r.status());
    }
    for (const CaseResult& c : r->cases) {
      ++total;
      if (c.passed) {
        if (vm.count("verbose")) out << "  ok    " << r->program << ": " << c.name << "\n";
        continue;
      }
      ++failed;
      out << "  FAIL  " << r->program << ": " << c.name << " (" << f << ")\n";
      for (const std::string& m : c.mismatches) {
        // An outcome mismatch also lists the criteria that did not pass; the per-criterion
        // block below shows them all, so only its first line is printed then.
        size_t nl = m.find('\n');
        out << "        " << (c.criteria_detail.empty() ? m : m.substr(0, nl)) << "\n";
      }
      if (!c.criteria_detail.empty()) {
        out << (language == Lang::kTh ? "        เกณฑ์ (! = ไม่ตรงกับที่คาด):\n"
                                      : "        criteria (! = not as expected):\n");
        for (const std::string& d : c.criteria_detail) out << "        " << d << "\n";
      }
    }
    results.push_back(std::move(*r));
  }
  out << total - failed << " passed, " << failed << " failed\n";
  bool below = false;
  if (coverage) {
    CoverageReport report = ComputeCoverage(**rules, results, all_files);
    PrintCoverage(report, language, out);
    if (vm.count("min-coverage") && report.percent() + 1e-9 < min_coverage) {
      below = true;
      char buf[96];
      std::snprintf(buf, sizeof buf,
                    "%.1f%% of the criteria are covered, below --min-coverage %g%%",
                    report.percent(), min_coverage);
      err << "smematch rules test: " << buf << "\n";
    }
  }
  return failed == 0 && !below ? kExitOk : kExitRules;
}

// --- rules docs -------------------------------------------------------------------------------

int RunRulesDocs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description desc(
      "usage: smematch rules docs [options]\n"
      "\n"
      "Writes, from the scripts, a bilingual (Thai and English) page per program: criteria,\n"
      "parameters with their values, units and effective dates, sources and [assumed] markers,\n"
      "as Markdown and self-contained HTML, plus index.md / index.html.\n"
      "\n"
      "options");
  std::string rules_dir, output, format;
  // clang-format off
  desc.add_options()
      ("help,h", "show this help")
      ("rules", po::value(&rules_dir)->default_value("rules"), "rule set directory")
      ("output,o", po::value(&output)->default_value("rule-docs"), "output folder (created if needed)")
      ("format", po::value(&format)->default_value("both"), "md, html or both");
  // clang-format on
  po::variables_map vm;
  if (!ParseOptions(args, desc, nullptr, nullptr, &vm, "rules docs", err)) return kExitUsage;
  if (vm.count("help")) {
    out << desc
        << "\nexit codes: 0 written; 2 bad options; 3 the rule set did not load;\n"
           "4 the rules directory is missing or a page could not be written\n";
    return kExitOk;
  }
  RuleDocsOptions options;
  if (format == "md")
    options.html = false;
  else if (format == "html")
    options.markdown = false;
  else if (format != "both") {
    err << "smematch rules docs: --format must be md, html or both, not '" << format << "'\n";
    return kExitUsage;
  }
  Result<std::shared_ptr<const RuleSet>> rules = RuleSet::Load(rules_dir);
  if (!rules.ok()) {
    err << "smematch rules docs: the rule set in '" << rules_dir << "' was not loaded:\n"
        << rules.status().message() << "\n";
    return rules.status().code() == StatusCode::kNotFound ? kExitIo : kExitRules;
  }
  std::error_code ec;
  fs::create_directories(output, ec);
  if (ec) {
    err << "smematch rules docs: cannot create " << output << ": " << ec.message() << "\n";
    return kExitIo;
  }
  std::vector<DocFile> files = RenderRuleDocs(**rules, options);
  for (const DocFile& f : files) {
    std::string path = (fs::path(output) / f.name).string();
    Status s = WriteAtomically(path, out, [&](std::ostream& o) {
      o << f.text;
      return Status::Ok();
    });
    if (!s.ok()) {
      err << "smematch rules docs: " << s.message() << "\n";
      return kExitIo;
    }
  }
  out << "wrote " << files.size() << " files to " << output << " (rule set " << (*rules)->hash()
      << ")\n";
  return kExitOk;
}

}  // namespace

int RunRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kRulesUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "test") return RunRulesTest(rest, out, err);
  if (args[0] == "check") return RunRulesCheck(rest, out, err);
  if (args[0] == "docs") return RunRulesDocs(rest, out, err);
  err << "smematch rules: unknown subcommand '" << args[0] << "' (known: check, test, docs)\n\n"
      << kRulesUsage;
  return kExitUsage;
}

}  // namespace smematch::cli
