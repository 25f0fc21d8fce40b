// Matching over HTTP (POST /v1/match/mentors, POST /v1/match/channels; docs/server.md): the
// registries and matching scripts the service holds, and the parsing of a match request body.
// The handlers themselves are in server.cc. Plain functions and immutable data: thread-safe.
#ifndef SMEMATCH_SERVER_MATCH_API_H_
#define SMEMATCH_SERVER_MATCH_API_H_

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "problem.h"
#include "smematch/date.h"
#include "smematch/decision_writer.h"
#include "smematch/matching.h"
#include "smematch/registry.h"
#include "smematch/rule_set.h"

namespace smematch::server {

// What matching serves: the scripts of <rules>/matching and the two registries. Part of the
// reloadable snapshot; immutable once built.
struct MatchData {
  std::shared_ptr<const MatchRules> rules;  // null: the rules folder has no matching/ (off)
  std::vector<Mentor> mentors;
  std::vector<Channel> channels;
  std::string mentors_path;   // "" when no mentor registry is configured
  std::string channels_path;  // "" when no channel registry is configured
};

// Returns `given` when not empty; else <rules_dir>/../data/demo/<file> when that file exists
// (the demo registries of the repository, next to the rules); else "".
std::string DefaultRegistryPath(const std::string& given, const std::string& rules_dir,
                                const std::string& file);

// Loads the matching scripts of `rules_dir` and the registries (an empty path: none); a rules
// folder without matching/ gives empty data (matching off). A registry
// that cannot be read, or with any bad row, refuses the whole load: kNotFound for a missing
// file, kInvalidArgument listing every bad row as "path: row N (id): field: problem".
Result<std::shared_ptr<const MatchData>> LoadMatchData(const std::string& rules_dir,
                                                       const ProvinceTable& provinces,
                                                       const RuleLimits& limits,
                                                       const std::string& mentors_path,
                                                       const std::string& channels_path);

// A parsed match request body (docs/server.md lists the members).
struct MatchRequest {
  MatchKind kind = MatchKind::kMentor;
  // The enterprise objects as JSON text and the JSON pointer of each ("/enterprises/3", or
  // "/enterprise" for the single form).
  std::vector<std::string> enterprises;
  std::vector<std::string> pointers;
  bool single = false;         // {"enterprise": {...}}
  bool eligible_only = false;  // screen STAR_SME first and match only the eligible ones
  Date as_of = Date::TodayInBangkok();
  Lang lang = Lang::kTh;
  MatchOptions mentor;    // kind == kMentor
  ChannelOptions channel; // kind == kChannel
};

// Parses `body` (already a JSON object) into `*out`, appending every problem to `*errors` with
// its pointer. At most `max_enterprises` enterprises.
void ParseMatchRequest(const nlohmann::json& body, MatchKind kind, size_t max_enterprises,
                       MatchRequest* out, std::vector<ProblemField>* errors);

// Checks the ids the controls name (pins, forbids, unavailable, previous, province_quota)
// against the enterprises of the request, the mentor registry and the province table.
void CheckControlIds(const MatchOptions& options, const std::vector<EnterpriseProfile>& enterprises,
                     const std::vector<Mentor>& mentors, const ProvinceTable& provinces,
                     std::vector<ProblemField>* errors);

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_MATCH_API_H_
