// smematch rules test: run the case files policy staff keep beside the program scripts.
#include <boost/program_options.hpp>
#include <iostream>

#include "cli.h"
#include "smematch/case_runner.h"
#include "smematch/rule_set.h"

namespace smematch::cli {
namespace {
namespace po = boost::program_options;

int RunRulesTest(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description desc(
      "usage: smematch rules test [options] [CASE_FILE...]\n"
      "\n"
      "Runs the rule test cases (default: every programs/*.cases.json of the rule set) and\n"
      "prints, for each failing case, the expected and actual decision per criterion.\n"
      "\n"
      "options");
  std::string rules_dir, lang;
  std::vector<std::string> files;
  desc.add_options()
      ("help,h", "show this help")
      ("rules", po::value(&rules_dir)->default_value("rules"), "rule set directory")
      ("lang", po::value(&lang)->default_value("en"), "language of reasons in failures: th or en")
      ("verbose,v", "list every case, not only failures");
  po::options_description hidden;
  hidden.add_options()("file", po::value(&files));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    err << "smematch rules test: " << e.what() << "\n";
    return kExitUsage;
  }
  if (vm.count("help")) {
    out << desc << "\nexit codes: 0 all cases pass; 3 a case failed or the rules did not load;\n"
                   "2 bad options or a malformed case file; 4 a file could not be read\n";
    return kExitOk;
  }
  if (lang != "th" && lang != "en") {
    err << "smematch rules test: --lang must be th or en\n";
    return kExitUsage;
  }
  Result<std::shared_ptr<const RuleSet>> rules = RuleSet::Load(rules_dir);
  if (!rules.ok()) {
    err << "smematch rules test: the rule set in '" << rules_dir << "' was not loaded:\n"
        << rules.status().message() << "\n";
    return kExitRules;
  }
  if (files.empty()) files = FindCaseFiles(rules_dir);
  if (files.empty()) {
    err << "smematch rules test: no *.cases.json under " << rules_dir << "/programs\n";
    return kExitUsage;
  }
  size_t total = 0, failed = 0;
  for (const std::string& f : files) {
    Result<CaseFileResult> r = RunCaseFile(f, *rules, lang == "th" ? Lang::kTh : Lang::kEn);
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
      for (const std::string& m : c.mismatches) out << "        " << m << "\n";
    }
  }
  out << total - failed << " passed, " << failed << " failed\n";
  return failed == 0 ? kExitOk : kExitRules;
}

}  // namespace

int RunRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << "usage: smematch rules test [options] [CASE_FILE...]\n";
    return args.empty() ? kExitUsage : kExitOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "test") return RunRulesTest(rest, out, err);
  err << "smematch rules: unknown subcommand '" << args[0] << "' (known: test)\n";
  return kExitUsage;
}

}  // namespace smematch::cli
