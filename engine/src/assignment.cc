#include "smematch/assignment.h"

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "smematch/status.h"

// Formulation. One node per free (not pinned) enterprise with at least one usable pair, one
// node per mentor, one sink. Each enterprise node has supply 1 and the sink supply -E, so with
// LEMON's default GEQ supply type and supplies summing to 0 every unit must reach the sink.
// Arcs:
//   enterprise -> mentor  capacity 1, cost -score              (kMaxTotalFit)
//                                   cost -(score + kBig)       (kMostMatchedThenFit)
//   enterprise -> sink    capacity 1, cost 0   "stay unmatched" bypass: the flow is always
//                                              feasible and an enterprise is only matched when
//                                              that lowers the cost, i.e. raises the total fit
//   mentor -> sink        capacity = remaining capacity, cost 0
// A minimum-cost flow is then a maximum-fit assignment (integral: network simplex returns a
// basic, hence integral, solution for integral data). kBig exceeds any possible total score
// (the sum over enterprises of their best score, plus 1), so one more matched enterprise always
// outweighs any difference in fit, which makes the cost lexicographic (matched, total fit).
//
// Pins are fixed before the flow: the enterprise is removed from the network and its mentor's
// capacity reduced by one. This is exact (no "huge cost" that could interact with kBig or
// overflow), and the rest is optimal given the pins.
//
// Determinism: pairs are sorted by (enterprise, mentor) and nodes and arcs are added in that
// order, so the network — and therefore NetworkSimplex's pivots — depend only on the set of
// pairs, not on the order the caller listed them in.

namespace smematch {
namespace {

// 128-bit arithmetic for the overflow guard only (GCC/Clang extension).
__extension__ using Int128 = __int128;

using Graph = lemon::SmartDigraph;
using Solver = lemon::NetworkSimplex<Graph, int, int64_t>;

std::string PairName(size_t i, const CandidatePair& p) {
  return "pairs[" + std::to_string(i) + "] (enterprise " + std::to_string(p.enterprise) +
         ", mentor " + std::to_string(p.mentor) + ")";
}

Status Validate(const AssignmentProblem& problem, const std::vector<uint32_t>& order) {
  if (problem.enterprises < 0) {
    return InvalidArgumentError("enterprises: must be >= 0, got " +
                                std::to_string(problem.enterprises));
  }
  const int mentors = static_cast<int>(problem.mentor_capacity.size());
  for (int m = 0; m < mentors; ++m) {
    if (problem.mentor_capacity[m] < 0) {
      return InvalidArgumentError("mentor_capacity[" + std::to_string(m) + "]: must be >= 0, got " +
                                  std::to_string(problem.mentor_capacity[m]));
    }
  }
  for (size_t i = 0; i < problem.pairs.size(); ++i) {
    const CandidatePair& p = problem.pairs[i];
    if (p.enterprise < 0 || p.enterprise >= problem.enterprises) {
      return InvalidArgumentError("pairs[" + std::to_string(i) + "].enterprise: " +
                                  std::to_string(p.enterprise) + " out of range [0, " +
                                  std::to_string(problem.enterprises) + ")");
    }
    if (p.mentor < 0 || p.mentor >= mentors) {
      return InvalidArgumentError("pairs[" + std::to_string(i) + "].mentor: " +
                                  std::to_string(p.mentor) + " out of range [0, " +
                                  std::to_string(mentors) + ")");
    }
    if (p.score < 0) {
      return InvalidArgumentError("pairs[" + std::to_string(i) + "].score: must be >= 0, got " +
                                  std::to_string(p.score));
    }
  }
  if (!problem.enterprise_capacity.empty()) {
    if (problem.enterprise_capacity.size() != static_cast<size_t>(problem.enterprises)) {
      return InvalidArgumentError("enterprise_capacity: expected " +
                                  std::to_string(problem.enterprises) + " entries, got " +
                                  std::to_string(problem.enterprise_capacity.size()));
    }
    for (size_t e = 0; e < problem.enterprise_capacity.size(); ++e) {
      if (problem.enterprise_capacity[e] < 0) {
        return InvalidArgumentError("enterprise_capacity[" + std::to_string(e) +
                                    "]: must be >= 0, got " +
                                    std::to_string(problem.enterprise_capacity[e]));
      }
    }
  }
  const int groups = static_cast<int>(problem.group_capacity.size());
  for (int g = 0; g < groups; ++g) {
    if (problem.group_capacity[g] < 0) {
      return InvalidArgumentError("group_capacity[" + std::to_string(g) + "]: must be >= 0, got " +
                                  std::to_string(problem.group_capacity[g]));
    }
  }
  if (!problem.enterprise_group.empty()) {
    if (problem.enterprise_group.size() != static_cast<size_t>(problem.enterprises)) {
      return InvalidArgumentError("enterprise_group: expected " +
                                  std::to_string(problem.enterprises) + " entries, got " +
                                  std::to_string(problem.enterprise_group.size()));
    }
    for (size_t e = 0; e < problem.enterprise_group.size(); ++e) {
      const int g = problem.enterprise_group[e];
      if (g < -1 || g >= groups) {
        return InvalidArgumentError("enterprise_group[" + std::to_string(e) + "]: " +
                                    std::to_string(g) + " out of range [-1, " +
                                    std::to_string(groups) + ")");
      }
    }
  }
  for (size_t k = 1; k < order.size(); ++k) {
    const CandidatePair& a = problem.pairs[order[k - 1]];
    const CandidatePair& b = problem.pairs[order[k]];
    if (a.enterprise == b.enterprise && a.mentor == b.mentor) {
      const uint32_t first = std::min(order[k - 1], order[k]);
      const uint32_t second = std::max(order[k - 1], order[k]);
      return InvalidArgumentError(PairName(second, b) + ": duplicate of pairs[" +
                                  std::to_string(first) + "]");
    }
  }
  return Status::Ok();
}

// Returns the index into problem.pairs of (enterprise, mentor), or -1.
int64_t FindPair(const AssignmentProblem& problem, const std::vector<uint32_t>& order,
                 int enterprise, int mentor) {
  auto it = std::lower_bound(order.begin(), order.end(), std::pair{enterprise, mentor},
                             [&](uint32_t i, const std::pair<int, int>& key) {
                               const CandidatePair& p = problem.pairs[i];
                               return std::pair{p.enterprise, p.mentor} < key;
                             });
  if (it == order.end()) return -1;
  const CandidatePair& p = problem.pairs[*it];
  if (p.enterprise != enterprise || p.mentor != mentor) return -1;
  return *it;
}

}  // namespace

Result<Assignment> SolveAssignment(const AssignmentProblem& problem) {
  const size_t pair_count = problem.pairs.size();
  if (pair_count >= std::numeric_limits<uint32_t>::max() ||
      pair_count + static_cast<size_t>(std::max(problem.enterprises, 0)) >=
          static_cast<size_t>(std::numeric_limits<int>::max() / 2)) {
    return ResourceExhaustedError("pairs: " + std::to_string(pair_count) +
                                  " pairs exceed the solver's arc limit");
  }
  // Canonical order (enterprise, mentor); pairs with an out-of-range index are caught by
  // Validate before the order is used for anything else.
  std::vector<uint32_t> order(pair_count);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const CandidatePair& pa = problem.pairs[a];
    const CandidatePair& pb = problem.pairs[b];
    if (pa.enterprise != pb.enterprise) return pa.enterprise < pb.enterprise;
    if (pa.mentor != pb.mentor) return pa.mentor < pb.mentor;
    return a < b;
  });
  SMEMATCH_RETURN_IF_ERROR(Validate(problem, order));

  const int enterprises = problem.enterprises;
  const int mentors = static_cast<int>(problem.mentor_capacity.size());
  const int groups = static_cast<int>(problem.group_capacity.size());
  auto group_of = [&](int e) { return problem.enterprise_group.empty() ? -1 : problem.enterprise_group[e]; };
  Assignment out;
  out.mentor_of.assign(enterprises, -1);
  out.slack.assign(pair_count, 0);
  out.chosen.assign(pair_count, 0);

  // Pins: fixed up front.
  std::vector<int> remaining = problem.mentor_capacity;
  std::vector<int> enterprise_left(enterprises, 1);
  if (!problem.enterprise_capacity.empty()) enterprise_left = problem.enterprise_capacity;
  std::vector<int> group_left = problem.group_capacity;
  for (size_t k = 0; k < problem.pinned.size(); ++k) {
    const auto [e, m] = problem.pinned[k];
    const std::string name = "pinned[" + std::to_string(k) + "] (enterprise " +
                             std::to_string(e) + ", mentor " + std::to_string(m) + ")";
    if (e < 0 || e >= enterprises || m < 0 || m >= mentors) {
      return InvalidArgumentError(name + ": index out of range");
    }
    const int64_t index = FindPair(problem, order, e, m);
    if (index < 0) return InvalidArgumentError(name + ": not an allowed pair");
    if (out.chosen[index] && !problem.enterprise_capacity.empty()) {
      return InvalidArgumentError(name + ": pair already pinned");
    }
    if (enterprise_left[e] == 0) {
      return InvalidArgumentError(
          name + (problem.enterprise_capacity.empty()
                      ? std::string(": enterprise already pinned")
                      : ": exceeds enterprise_capacity[" + std::to_string(e) + "] = " +
                            std::to_string(problem.enterprise_capacity[e])));
    }
    if (remaining[m] == 0) {
      return InvalidArgumentError(name + ": exceeds mentor_capacity[" + std::to_string(m) +
                                  "] = " + std::to_string(problem.mentor_capacity[m]));
    }
    const int g = group_of(e);
    if (g >= 0) {
      if (group_left[g] == 0) {
        return InvalidArgumentError(name + ": exceeds group_capacity[" + std::to_string(g) +
                                    "] = " + std::to_string(problem.group_capacity[g]));
      }
      --group_left[g];
    }
    --enterprise_left[e];
    --remaining[m];
    out.chosen[index] = 1;
    if (out.mentor_of[e] < 0 || m < out.mentor_of[e]) out.mentor_of[e] = m;
    out.total_score += problem.pairs[index].score;
    ++out.matched;
  }

  // Pairs that can enter the flow: enterprise, mentor and group with capacity left.
  std::vector<uint32_t> usable;
  usable.reserve(pair_count);
  int64_t max_score = 0;
  for (uint32_t i : order) {
    const CandidatePair& p = problem.pairs[i];
    if (out.chosen[i]) continue;
    const int g = group_of(p.enterprise);
    if (enterprise_left[p.enterprise] == 0 || remaining[p.mentor] == 0 ||
        (g >= 0 && group_left[g] == 0)) {
      out.slack[i] = kUnchoosableSlack;
      continue;
    }
    usable.push_back(i);
    max_score = std::max(max_score, p.score);
  }
  if (usable.empty()) return out;

  // kBig > any total score: the sum over enterprises of (their usable capacity, at most their
  // pair count) times their best usable score, plus 1.
  // Overflow guard: LEMON's NetworkSimplex uses an artificial cost of INT64_MAX/2 for integer
  // costs, and potentials add up to (nodes) * max|cost| on top, so keep that product < 2^60.
  Int128 big = 1;
  if (problem.objective == AssignmentObjective::kMostMatchedThenFit) {
    int prev = -1;
    int64_t best = 0;
    int count = 0;
    auto flush = [&] {
      if (prev >= 0) big += static_cast<Int128>(best) * std::min(count, enterprise_left[prev]);
    };
    for (uint32_t i : usable) {
      const CandidatePair& p = problem.pairs[i];
      if (p.enterprise != prev) {
        flush();
        best = 0;
        count = 0;
        prev = p.enterprise;
      }
      best = std::max(best, p.score);
      ++count;
    }
    flush();
  } else {
    big = 0;
  }
  const Int128 max_cost = static_cast<Int128>(max_score) + big;
  const Int128 nodes = static_cast<Int128>(enterprises) + mentors + groups + 1;
  if (max_cost * (nodes + 1) >= (static_cast<Int128>(1) << 60)) {
    return ResourceExhaustedError(
        "pairs[].score: scores up to " + std::to_string(max_score) +
        " are too large for exact int64 flow costs with this many enterprises and mentors");
  }
  const int64_t big64 = static_cast<int64_t>(big);

  Graph graph;
  const int usable_count = static_cast<int>(usable.size());
  graph.reserveNode(enterprises + mentors + groups + 1);
  graph.reserveArc(usable_count + 2 * enterprises + mentors + groups);
  std::vector<Graph::Node> enterprise_node(enterprises, lemon::INVALID);
  std::vector<Graph::Node> mentor_node(mentors);
  for (int m = 0; m < mentors; ++m) mentor_node[m] = graph.addNode();
  const Graph::Node sink = graph.addNode();
  std::vector<Graph::Node> group_node(groups, lemon::INVALID);
  Graph::ArcMap<int> capacity(graph);
  Graph::ArcMap<int64_t> cost(graph);
  Graph::NodeMap<int> supply(graph, 0);

  // Pair arcs first (arc id k = usable[k]), then bypass arcs, then group arcs, then mentor arcs.
  // An ungrouped enterprise has supply = its capacity left and a bypass to the sink; a grouped
  // one gets its flow from its group node, whose supply is min(quota left, its enterprises'
  // capacity) and which has its own bypass: at most the quota leaves the group toward mentors.
  std::vector<Graph::Arc> pair_arc(usable_count);
  int64_t total_supply = 0;
  std::vector<int64_t> group_supply(groups, 0);
  for (int k = 0; k < usable_count; ++k) {
    const CandidatePair& p = problem.pairs[usable[k]];
    Graph::Node& en = enterprise_node[p.enterprise];
    if (en == lemon::INVALID) {
      en = graph.addNode();
      const int g = group_of(p.enterprise);
      if (g < 0) {
        supply[en] = enterprise_left[p.enterprise];
        total_supply += enterprise_left[p.enterprise];
      } else {
        group_supply[g] += enterprise_left[p.enterprise];
      }
    }
    const Graph::Arc a = graph.addArc(en, mentor_node[p.mentor]);
    capacity[a] = 1;
    cost[a] = -(p.score + big64);
    pair_arc[k] = a;
  }
  for (int e = 0; e < enterprises; ++e) {
    if (enterprise_node[e] == lemon::INVALID || group_of(e) >= 0) continue;
    const Graph::Arc a = graph.addArc(enterprise_node[e], sink);
    capacity[a] = enterprise_left[e];
    cost[a] = 0;
  }
  for (int g = 0; g < groups; ++g) {
    if (group_supply[g] == 0) continue;
    group_node[g] = graph.addNode();
    const int s = static_cast<int>(std::min<int64_t>(group_left[g], group_supply[g]));
    supply[group_node[g]] = s;
    total_supply += s;
    const Graph::Arc bypass = graph.addArc(group_node[g], sink);
    capacity[bypass] = s;
    cost[bypass] = 0;
  }
  for (int e = 0; e < enterprises; ++e) {
    const int g = group_of(e);
    if (enterprise_node[e] == lemon::INVALID || g < 0) continue;
    const Graph::Arc a = graph.addArc(group_node[g], enterprise_node[e]);
    capacity[a] = enterprise_left[e];
    cost[a] = 0;
  }
  for (int m = 0; m < mentors; ++m) {
    if (remaining[m] == 0) continue;
    const Graph::Arc a = graph.addArc(mentor_node[m], sink);
    capacity[a] = remaining[m];
    cost[a] = 0;
  }
  if (total_supply >= std::numeric_limits<int>::max()) {
    return ResourceExhaustedError("enterprise_capacity: total capacity exceeds the solver's limit");
  }
  supply[sink] = -static_cast<int>(total_supply);

  Solver solver(graph);
  solver.upperMap(capacity).costMap(cost).supplyMap(supply);
  const Solver::ProblemType result = solver.run(Solver::BLOCK_SEARCH);
  if (result != Solver::OPTIMAL) {
    // Cannot happen: the bypass arcs make the flow feasible and all capacities are finite.
    return InternalError("assignment: min-cost flow returned " +
                         std::string(result == Solver::INFEASIBLE ? "infeasible" : "unbounded"));
  }

  for (int k = 0; k < usable_count; ++k) {
    const uint32_t i = usable[k];
    const CandidatePair& p = problem.pairs[i];
    const Graph::Arc a = pair_arc[k];
    if (solver.flow(a) == 1) {
      if (out.mentor_of[p.enterprise] < 0 || p.mentor < out.mentor_of[p.enterprise]) {
        out.mentor_of[p.enterprise] = p.mentor;
      }
      out.chosen[i] = 1;
      out.total_score += p.score;
      ++out.matched;
      out.slack[i] = 0;
    } else {
      // Reduced cost c + pi(u) - pi(v) >= 0 for an arc at its lower bound at optimality.
      const int64_t reduced = cost[a] + solver.potential(graph.source(a)) -
                              solver.potential(graph.target(a));
      out.slack[i] = std::max<int64_t>(reduced, 0);
    }
  }
  return out;
}

}  // namespace smematch
