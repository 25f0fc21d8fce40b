// Matching: STAR SME enterprises to business mentors, and enterprises to modern-trade
// channels (issue 3). See docs/matching.md.
//
// Pipeline for mentors: (1) a pruning index drops the pairs that a hard constraint declared in
// the script's `prune` list excludes (inactive or full mentor, province not served, industry not
// covered) before any script runs; (2) the fit script rules/matching/mentor_fit.lua scores the
// remaining pairs on N threads, one sandboxed Lua state each (its own constraints exclude more
// pairs); (3) operator controls apply (forbid, unavailable, minimum score, quotas, pins, the
// previous assignment); (4) SolveAssignment (LEMON NetworkSimplex) finds the optimum;
// (5) the chosen pair and the top-k alternatives of every enterprise are explained.
//
// Guaranteed objective: maximum total fit (ties: the most enterprises matched), or, with
// kMostMatchedThenFit, the most enterprises matched and then maximum total fit. Not stability.
// Output is a function of the inputs' contents: the same enterprises, mentors, rules and
// options give the same result whatever the thread count and the order of the registry rows
// (mentor indexes in the result refer to the registry order given).
//
// Thread-compatible: MatchRules is immutable and may be shared; MatchMentors / MatchChannels
// start and join their own threads.
#ifndef SMEMATCH_MATCHING_H_
#define SMEMATCH_MATCHING_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "smematch/assignment.h"
#include "smematch/profile.h"
#include "smematch/provinces.h"
#include "smematch/registry.h"
#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch {

enum class MatchKind { kMentor, kChannel };

// A constraint or a part of a matching script.
struct MatchItemInfo {
  std::string id;
  LocalizedText text;   // constraint: the reason when it fails; part: what it measures
  std::string source;
  bool assumed = false;
  int line = 0;
};

// What one matching script declares.
struct MatchScriptInfo {
  std::string path;                      // "rules/matching/mentor_fit.lua"
  std::string id;
  std::string version;
  LocalizedText description;
  std::string source;
  // Hard constraints the engine applies itself with an index before the script runs. Mentors:
  // mentor_active, mentor_capacity, province_served, industry_covered. Channels: channel_active,
  // industry_accepted, region_served.
  std::vector<std::string> prune;
  std::vector<ParameterInfo> parameters;
  std::vector<MatchItemInfo> constraints;  // run in order; every failing one is a reason
  std::vector<MatchItemInfo> parts;        // the score is the sum of the parts (integers)
  bool Prunes(std::string_view constraint) const;
};

// The matching scripts of a rule set: <dir>/matching/mentor_fit.lua and
// <dir>/matching/channel_readiness.lua. Immutable; thread-safe to share.
class MatchRules {
 public:
  // Reads and checks both scripts (each loaded once in a sandbox). kNotFound for a missing
  // file; kInvalidArgument listing every script error as "path:line: message".
  static Result<std::shared_ptr<const MatchRules>> Load(const std::string& dir,
                                                        const ProvinceTable& provinces,
                                                        const RuleLimits& limits = {});
  // Same, from the files in memory (chunk names ending in "/matching/mentor_fit.lua" and
  // "/matching/channel_readiness.lua").
  static Result<std::shared_ptr<const MatchRules>> FromFiles(std::vector<RuleSet::File> files,
                                                             const ProvinceTable& provinces,
                                                             const RuleLimits& limits = {});

  const MatchScriptInfo& script(MatchKind kind) const { return info_[static_cast<int>(kind)]; }
  const RuleSet::File& file(MatchKind kind) const { return files_[static_cast<int>(kind)]; }
  // "sha256:<64 hex>" over the two scripts (same scheme as RuleSet::hash).
  const std::string& hash() const { return hash_; }
  const ProvinceTable& provinces() const { return provinces_; }
  const RuleLimits& limits() const { return limits_; }

 private:
  MatchRules() = default;
  std::array<MatchScriptInfo, 2> info_;
  std::array<RuleSet::File, 2> files_;
  std::string hash_;
  ProvinceTable provinces_;
  RuleLimits limits_;
};

// Operator controls and settings for mentor matching. Ids are the registries' ids; an unknown
// id is kInvalidArgument naming the control and the id.
struct MatchOptions {
  AssignmentObjective objective = AssignmentObjective::kMaxTotalFit;
  std::vector<std::pair<std::string, std::string>> pins;     // (enterprise id, mentor id): must be
                                                             // an allowed pair (hard constraints hold)
  std::vector<std::pair<std::string, std::string>> forbids;  // (enterprise id, mentor id)
  std::vector<std::string> unavailable;                      // mentor ids: no new or kept pairs
  std::map<std::string, int> province_quota;  // ISO code -> most enterprises matched there
  int64_t min_score = 0;                      // pairs scoring less are not allowed (pins excepted)
  // Re-matching: the previous assignment (enterprise id -> mentor id). With keep_previous,
  // every previous pair that is still allowed and whose mentor is available is kept (pinned);
  // the rest is optimised around them. Without it, previous only serves to report changes.
  std::map<std::string, std::string> previous;
  bool keep_previous = true;
  int top_k = 3;     // alternatives per enterprise
  int threads = 1;   // scoring threads (one Lua state each)
};

enum class MatchStatus : uint8_t { kMatched, kPinned, kKept, kUnmatched };
std::string_view MatchStatusName(MatchStatus s);  // "matched", "pinned", "kept", "unmatched"

// How many partners one constraint excluded for an enterprise.
struct Exclusion {
  std::string constraint;   // a prune id, a script constraint id, "forbidden", "unavailable",
                            // "below_min_score", "script_error"
  LocalizedText text;
  int count = 0;
};

struct Alternative {
  int mentor = 0;        // index into the mentors given
  int64_t score = 0;
  // How far the pair is from being chosen, in score points (a lower bound from the flow's
  // potentials, see assignment.h); kUnchoosableSlack when it cannot be chosen (mentor full
  // after pins, or the enterprise pinned).
  int64_t slack = 0;
};

struct EnterpriseMatch {
  int enterprise = 0;                // index into the enterprises given
  MatchStatus status = MatchStatus::kUnmatched;
  int mentor = -1;                   // index into the mentors given
  int64_t score = 0;
  std::vector<int64_t> parts;        // per script part (MatchScriptInfo::parts)
  LocalizedText reason;              // why this mentor, or why none
  // For an unmatched enterprise: "no_province", "no_allowed_mentor", "all_suitable_full",
  // "quota_reached"; empty when matched.
  std::string unmatched_code;
  std::vector<Exclusion> excluded;   // no_allowed_mentor: what excluded the mentors
  int allowed = 0;                   // mentors it could be assigned to
  std::vector<Alternative> alternatives;  // best first (smallest slack, then higher score)
  int previous_mentor = -1;          // from MatchOptions::previous, or -1
  bool changed = false;              // previous given and the mentor differs
};

struct MatchSummary {
  int enterprises = 0;
  int matched = 0;
  int64_t total_score = 0;
  struct Share {
    std::string key;      // province code or industry id ("" = not given)
    int enterprises = 0;
    int matched = 0;
  };
  std::vector<Share> by_province;   // sorted by key
  std::vector<Share> by_industry;
  struct Utilisation {
    int mentor = 0;
    int assigned = 0;
    int capacity = 0;
  };
  std::vector<Utilisation> mentors;     // every mentor, registry order
  std::array<int64_t, 5> score_quantiles{};  // min, 25 %, median, 75 %, max of matched scores
  int64_t pairs_possible = 0;   // enterprises x mentors
  int64_t pairs_scored = 0;     // left after pruning, scored by the script
  int64_t pairs_allowed = 0;    // candidates given to the solver
  int script_errors = 0;
  std::vector<std::string> error_samples;  // up to 20 "enterprise / mentor: message"
  // Re-matching against MatchOptions::previous:
  int kept = 0;            // same mentor as before
  int changed = 0;         // a different mentor, or none where there was one
  int newly_matched = 0;   // had none before
  double scoring_seconds = 0;  // pruning + scripts
  double solving_seconds = 0;  // the min-cost flow
  uint64_t replays = 0;        // script calls redone counting every instruction (design.md)
};

struct MentorMatchResult {
  std::vector<EnterpriseMatch> matches;  // one per enterprise, input order
  MatchSummary summary;
  std::string rules_hash;                // MatchRules::hash()
};

// Matches `enterprises` to `mentors`. Errors: kInvalidArgument for options naming unknown ids
// or invalid pins (with the reason the pair is not allowed); kInternal if the solver fails.
// A script error on a pair excludes that pair and is counted in summary.script_errors.
Result<MentorMatchResult> MatchMentors(std::span<const EnterpriseProfile> enterprises,
                                       std::span<const Mentor> mentors, const MatchRules& rules,
                                       const MatchOptions& options);

// Channel readiness and slot assignment.
struct ChannelOptions {
  AssignmentObjective objective = AssignmentObjective::kMaxTotalFit;
  int max_channels_per_enterprise = 0;  // 0 = no limit
  int64_t min_score = 0;                // ready pairs scoring less are not placed
  int threads = 1;
};

enum class Readiness : uint8_t { kReady, kNotReady, kNotApplicable };
std::string_view ReadinessName(Readiness r);  // "ready", "not_ready", "not_applicable"

struct ChannelFit {
  int channel = 0;                 // index into the channels given
  Readiness readiness = Readiness::kNotApplicable;
  std::vector<LocalizedText> gaps; // not_ready: every unmet requirement; not_applicable: why
  std::vector<std::string> gap_ids;
  std::optional<int64_t> score;    // when the parts could be scored
  std::vector<int64_t> parts;
  bool assigned = false;           // given one of the channel's slots
  int64_t slack = 0;               // ready, not assigned: points from being chosen
};

struct EnterpriseChannels {
  int enterprise = 0;
  std::vector<ChannelFit> channels;  // every channel, registry order
};

struct ChannelSummary {
  int enterprises = 0;
  struct PerChannel {
    int channel = 0;
    int applicable = 0;
    int ready = 0;
    int assigned = 0;
    std::optional<int> slots;
  };
  std::vector<PerChannel> channels;
  int64_t assignments = 0;
  int64_t total_score = 0;
  int script_errors = 0;
  std::vector<std::string> error_samples;
  double scoring_seconds = 0;
  double solving_seconds = 0;
};

struct ChannelMatchResult {
  std::vector<EnterpriseChannels> enterprises;
  ChannelSummary summary;
  std::string rules_hash;
};

Result<ChannelMatchResult> MatchChannels(std::span<const EnterpriseProfile> enterprises,
                                         std::span<const Channel> channels, const MatchRules& rules,
                                         const ChannelOptions& options);

// Output. Formats: kJson (one document with summary), kJsonLines (one line per enterprise,
// then one {"summary": ...} line), kCsv (one row per enterprise; with `bom`), kTable (readable).
enum class MatchOutput { kJson, kJsonLines, kCsv, kTable };
void WriteMentorMatches(const MentorMatchResult& result,
                        std::span<const EnterpriseProfile> enterprises,
                        std::span<const Mentor> mentors, const MatchRules& rules,
                        MatchOutput format, bool thai, bool bom, std::string* out);
void WriteChannelMatches(const ChannelMatchResult& result,
                         std::span<const EnterpriseProfile> enterprises,
                         std::span<const Channel> channels, const MatchRules& rules,
                         MatchOutput format, bool thai, bool bom, std::string* out);

}  // namespace smematch

#endif  // SMEMATCH_MATCHING_H_
