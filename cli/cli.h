// The smematch command line: `smematch <command> [options]`. Commands: screen, generate,
// impact, rules check|test|docs, serve, replay, version. Each command is one file; RunCli dispatches and maps every error to
// a documented exit code (docs/cli.md). Not thread-safe (writes to the given streams).
#ifndef SMEMATCH_CLI_CLI_H_
#define SMEMATCH_CLI_CLI_H_

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "smematch/status.h"

namespace smematch::cli {

// Exit codes, shared by every command.
enum ExitCode {
  kExitOk = 0,
  kExitRecordErrors = 1,  // a rule failed on a record (or, with --strict, a record was invalid)
  kExitUsage = 2,         // bad command line
  kExitRules = 3,         // the rule set could not be loaded, or rule tests failed
  kExitIo = 4,            // an input could not be read as a whole, or the output not written
  kExitInternal = 70,     // a bug
};

// Returns the exit code for a failed `status` of a command's setup (not for record errors).
int ExitCodeFor(const Status& status);

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err);

// Commands: `args` excludes the program and command names.
int RunScreen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunGenerate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunImpact(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunServe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunReplay(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Writes to `path` atomically: the content goes to a temporary file beside it that is renamed
// over `path` only when `write` succeeds, so that a failed run leaves no partial file. With
// `path` "-" writes to `stdout_stream`.
Status WriteAtomically(const std::string& path, std::ostream& stdout_stream,
                       const std::function<Status(std::ostream&)>& write);

}  // namespace smematch::cli

#endif  // SMEMATCH_CLI_CLI_H_
