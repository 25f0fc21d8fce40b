// Command-line parsing shared by the smematch commands (Boost.Program_options).
#ifndef SMEMATCH_CLI_OPTIONS_H_
#define SMEMATCH_CLI_OPTIONS_H_

#include <boost/program_options.hpp>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace smematch::cli {

// Parses `args` (without the program and command names) against the `visible` options (the
// ones --help prints) and the optional `hidden` ones, with `positional` arguments mapped as
// given (none if null), into `*vm`, and runs the notifiers. On a bad command line prints
// "smematch <command>: <problem>" and where to find help to `err` and returns false.
bool ParseOptions(const std::vector<std::string>& args,
                  const boost::program_options::options_description& visible,
                  const boost::program_options::options_description* hidden,
                  const boost::program_options::positional_options_description* positional,
                  boost::program_options::variables_map* vm, std::string_view command,
                  std::ostream& err);

}  // namespace smematch::cli

#endif  // SMEMATCH_CLI_OPTIONS_H_
