#include "cli.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "options.h"

namespace smematch::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition: return kExitUsage;
    case StatusCode::kNotFound: return kExitIo;
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded: return kExitRecordErrors;
    case StatusCode::kUnavailable: return kExitIo;
    case StatusCode::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

Status WriteAtomically(const std::string& path, std::ostream& stdout_stream,
                       const std::function<Status(std::ostream&)>& write) {
  if (path == "-") return write(stdout_stream);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  Status s;
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return UnavailableError("cannot create " + tmp + " (does the folder exist?)");
    s = write(file);
    file.close();
    if (s.ok() && !file) s = UnavailableError("cannot write " + tmp);
  }
  if (!s.ok()) {
    std::remove(tmp.c_str());
    return s;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return UnavailableError("cannot write " + path + ": " + ec.message());
  }
  return Status::Ok();
}

namespace {

constexpr const char* kUsage =
    "usage: smematch <command> [options]\n"
    "\n"
    "commands:\n"
    "  screen      screen enterprises (JSON, JSON Lines or CSV) for BSC, ITC, SMART_FARMER, STAR_SME\n"
    "  generate    write a synthetic national population of enterprises (deterministic, seeded)\n"
    "  rules check check every rule script without screening anyone (file:line per problem)\n"
    "  rules test  run the rule test cases beside the program scripts (--coverage)\n"
    "  rules docs  write a bilingual page per program (Markdown and HTML) from the scripts\n"
    "  impact      screen one population under two rule sets and report what changes\n"
    "  match       match mentors: assign enterprises to STAR SME mentors (optimal, with reasons)\n"
    "              match channels: modern-trade readiness and supplier slots\n"
    "  serve       serve screening over HTTP with an audit trail of every decision\n"
    "  replay      re-evaluate a recorded decision on its stored rules and on today's\n"
    "  version     print the version\n"
    "\n"
    "`smematch <command> --help` describes a command's options. Exit codes: docs/cli.md.\n";

}  // namespace


int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  if (argc < 2) {
    err << kUsage;
    return kExitUsage;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "screen") return RunScreen(args, out, err);
    if (command == "generate") return RunGenerate(args, out, err);
    if (command == "rules") return RunRules(args, out, err);
    if (command == "impact") return RunImpact(args, out, err);
    if (command == "match") return RunMatch(args, out, err);
    if (command == "serve") return RunServe(args, out, err);
    if (command == "replay") return RunReplay(args, out, err);
    if (command == "version" || command == "--version") {
      out << "smematch 0.1.0\n";
      return kExitOk;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      out << kUsage;
      return kExitOk;
    }
  } catch (const std::exception& e) {
    err << "smematch: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  err << "smematch: unknown command '" << command << "'\n\n" << kUsage;
  return kExitUsage;
}

bool ParseOptions(const std::vector<std::string>& args,
                  const boost::program_options::options_description& visible,
                  const boost::program_options::options_description* hidden,
                  const boost::program_options::positional_options_description* positional,
                  boost::program_options::variables_map* vm, std::string_view command,
                  std::ostream& err) {
  namespace po = boost::program_options;
  po::options_description all;
  all.add(visible);
  if (hidden != nullptr) all.add(*hidden);
  // The parser keeps a pointer to the positional description: it must outlive run().
  const po::positional_options_description none;
  try {
    po::command_line_parser parser(args);
    parser.options(all);
    parser.positional(positional != nullptr ? *positional : none);
    po::store(parser.run(), *vm);
    po::notify(*vm);
  } catch (const po::error& e) {
    err << "smematch " << command << ": " << e.what() << "\n(see smematch " << command
        << " --help)\n";
    return false;
  }
  return true;
}

}  // namespace smematch::cli
