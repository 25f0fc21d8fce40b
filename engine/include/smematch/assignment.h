// Optimal assignment of enterprises to mentors (or to slot-limited channels) under capacities:
// a min-cost flow solved by LEMON's NetworkSimplex (LEMON stays private to the engine; no LEMON
// type appears here). Scores are integers (fixed point), so totals are exact and reproducible.
//
// Guaranteed objective: maximum total fit (kMaxTotalFit), or the largest number of matched
// enterprises and, among those assignments, maximum total fit (kMostMatchedThenFit). Not
// stability: an enterprise and a mentor may both prefer each other to their assigned partners.
//
// Ties: when several assignments reach the optimum, the one returned is a fixed function of the
// SET of candidate pairs, the capacities and the pins: pairs are sorted canonically by
// (enterprise, mentor) before the flow network is built, and network simplex (block-search
// pivot rule, no randomness, no hashing, no pointer order) is deterministic for a fixed build
// order. So the same input, in any pair order, gives the same output. There is no further
// semantic tie rule (for instance, under kMaxTotalFit a pair with score 0 may or may not be
// chosen: it does not change the total).
//
// Thread-compatible: SolveAssignment has no shared state; concurrent calls are safe.
#ifndef SMEMATCH_ASSIGNMENT_H_
#define SMEMATCH_ASSIGNMENT_H_

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "smematch/status.h"

namespace smematch {

// One allowed (enterprise, mentor) pair: hard constraints have already been applied.
struct CandidatePair {
  int enterprise = 0;
  int mentor = 0;
  int64_t score = 0;  // >= 0, higher is better (fixed point)
};

enum class AssignmentObjective {
  kMaxTotalFit,         // maximise the sum of chosen scores; enterprises may stay unmatched
  kMostMatchedThenFit,  // maximise the number matched, then the sum of chosen scores
};

struct AssignmentProblem {
  int enterprises = 0;               // enterprises are 0..enterprises-1
  std::vector<int> mentor_capacity;  // mentors 0..n-1; capacity >= 0 (0 = unavailable)
  std::vector<CandidatePair> pairs;  // allowed pairs, each (enterprise, mentor) at most once
  // (enterprise, mentor) pairs that must be assigned: each must be an allowed pair, an
  // enterprise may be pinned once, and a mentor's pins may not exceed its capacity. Pinned
  // pairs count in total_score and matched; the rest is optimised around them.
  std::vector<std::pair<int, int>> pinned;
  AssignmentObjective objective = AssignmentObjective::kMaxTotalFit;
  // Optional: how many pairs enterprise e may take (channels: an enterprise may be placed with
  // several chains). Empty = 1 for every enterprise; otherwise one entry per enterprise, >= 0.
  // "matched" then counts chosen pairs.
  std::vector<int> enterprise_capacity;
  // Optional quotas (for instance one group per province): enterprise_group[e] is the group of
  // enterprise e, in [0, group_capacity.size()), or -1 for none. At most group_capacity[g]
  // pairs of group g's enterprises are chosen. Pins count toward their group's quota; pins that
  // exceed it are an error. Empty = no groups.
  std::vector<int> enterprise_group;
  std::vector<int> group_capacity;
};

// Slack of a pair that cannot be chosen whatever its score: its enterprise is pinned to another
// mentor, or its mentor has no capacity left after pins.
inline constexpr int64_t kUnchoosableSlack = std::numeric_limits<int64_t>::max();

struct Assignment {
  // Per enterprise: its mentor, or -1 when unmatched. With enterprise_capacity > 1, the lowest
  // mentor index among its chosen pairs; `chosen` has them all.
  std::vector<int> mentor_of;
  std::vector<char> chosen;    // parallel to problem.pairs: 1 for a chosen (or pinned) pair
  int64_t total_score = 0;     // sum of the chosen pairs' scores (pins included)
  int matched = 0;             // enterprises with a mentor (pins included)
  // Parallel to problem.pairs. 0 for chosen pairs. For a pair not chosen: its reduced cost
  // under the optimal flow's potentials (duals), in score units — how much its score would
  // have to rise before it could enter an optimal assignment (0 for ties). LP duality makes
  // this a LOWER bound: any assignment containing the pair scores at least `slack` below the
  // optimum (under kMostMatchedThenFit: in the combined objective, when it keeps the matched
  // count), so raising the score by less than `slack` can never make the pair worth choosing;
  // on a degenerate optimum the exact threshold can be higher (on small random instances the
  // bound is exact for about a third of the pairs). kUnchoosableSlack for a pair that cannot be
  // chosen (see above). Use it to rank "top-k alternatives"; for the exact threshold of one
  // pair, solve again with it pinned: total_score - pinned total_score.
  std::vector<int64_t> slack;
};

// Solves `problem` optimally. Returns kInvalidArgument naming the offending field, index and
// value (a pair index out of range, a negative score or capacity, a duplicate pair, a pin that
// is not an allowed pair, pins the same enterprise twice or exceeds its mentor's capacity, an
// enterprise_capacity / enterprise_group of the wrong size or out of range, pins over a group's
// quota), or
// kResourceExhausted when scores are so large that the flow's costs could overflow int64.
Result<Assignment> SolveAssignment(const AssignmentProblem& problem);

}  // namespace smematch

#endif  // SMEMATCH_ASSIGNMENT_H_
