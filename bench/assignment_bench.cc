// Solve time of the optimal assignment (LEMON NetworkSimplex) on the issue-3 sizes. Pairs are
// generated once per size with a seeded generator, outside the timed loop; fit scoring is not
// included (that is the rule scripts' benchmark).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <random>
#include <utility>

#include "smematch/assignment.h"

namespace smematch {
namespace {

// `enterprises` x `mentors` with about `pairs` allowed pairs: each enterprise gets
// pairs/enterprises distinct random mentors, scores 0..10,000, capacities 10..40.
const AssignmentProblem& Instance(int enterprises, int mentors, int pairs,
                                  AssignmentObjective objective) {
  static std::map<std::pair<int, int>, AssignmentProblem> cache;
  auto [it, inserted] = cache.try_emplace({enterprises, mentors});
  AssignmentProblem& p = it->second;
  if (inserted) {
    std::mt19937_64 rng(12345);
    p.enterprises = enterprises;
    std::uniform_int_distribution<int> capacity(10, 40);
    for (int m = 0; m < mentors; ++m) p.mentor_capacity.push_back(capacity(rng));
    const int per = pairs / enterprises;
    std::uniform_int_distribution<int> mentor(0, mentors - 1);
    std::uniform_int_distribution<int64_t> score(0, 10'000);
    std::vector<int> seen(mentors, -1);
    p.pairs.reserve(static_cast<size_t>(per) * enterprises);
    for (int e = 0; e < enterprises; ++e) {
      for (int k = 0; k < per;) {
        const int m = mentor(rng);
        if (seen[m] == e) continue;
        seen[m] = e;
        p.pairs.push_back({e, m, score(rng)});
        ++k;
      }
    }
  }
  p.objective = objective;
  return p;
}

void Run(benchmark::State& state, int enterprises, int mentors, AssignmentObjective objective) {
  const AssignmentProblem& p = Instance(enterprises, mentors, 2'000'000, objective);
  int64_t total = 0;
  int matched = 0;
  for (auto _ : state) {
    Result<Assignment> a = SolveAssignment(p);
    if (!a.ok()) {
      state.SkipWithError(a.status().ToString().c_str());
      return;
    }
    total = a->total_score;
    matched = a->matched;
    benchmark::DoNotOptimize(a);
  }
  state.counters["pairs"] = static_cast<double>(p.pairs.size());
  state.counters["matched"] = matched;
  state.counters["total_score"] = static_cast<double>(total);
}

void BM_Assign20kx1k(benchmark::State& state) {
  Run(state, 20'000, 1'000, AssignmentObjective::kMaxTotalFit);
}
void BM_Assign20kx1kMostMatched(benchmark::State& state) {
  Run(state, 20'000, 1'000, AssignmentObjective::kMostMatchedThenFit);
}
void BM_Assign100kx5k(benchmark::State& state) {
  Run(state, 100'000, 5'000, AssignmentObjective::kMaxTotalFit);
}
void BM_Assign100kx5kMostMatched(benchmark::State& state) {
  Run(state, 100'000, 5'000, AssignmentObjective::kMostMatchedThenFit);
}

BENCHMARK(BM_Assign20kx1k)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Assign20kx1kMostMatched)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Assign100kx5k)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Assign100kx5kMostMatched)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace smematch
