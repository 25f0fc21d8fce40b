// SolveAssignment extensions for matching: enterprise capacities (an enterprise may take
// several channels) and group quotas (per-province quotas), against exhaustive search.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "smematch/assignment.h"

namespace smematch {
namespace {

using ::testing::HasSubstr;

struct Best {
  int matched = -1;
  int64_t total = -1;
};

// Every subset of pairs that respects every capacity, quota and pin; the best under the
// objective.
Best BruteForce(const AssignmentProblem& p) {
  const int n = static_cast<int>(p.pairs.size());
  Best best;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    std::vector<int> ecap(p.enterprises, 1), mcap = p.mentor_capacity, gcap = p.group_capacity;
    if (!p.enterprise_capacity.empty()) ecap = p.enterprise_capacity;
    bool ok = true;
    int matched = 0;
    int64_t total = 0;
    for (int i = 0; i < n && ok; ++i) {
      if (!(mask & (1u << i))) continue;
      const CandidatePair& c = p.pairs[i];
      const int g = p.enterprise_group.empty() ? -1 : p.enterprise_group[c.enterprise];
      if (--ecap[c.enterprise] < 0 || --mcap[c.mentor] < 0 || (g >= 0 && --gcap[g] < 0)) ok = false;
      ++matched;
      total += c.score;
    }
    for (auto [e, m] : p.pinned) {
      bool has = false;
      for (int i = 0; i < n; ++i) {
        has = has || ((mask & (1u << i)) && p.pairs[i].enterprise == e && p.pairs[i].mentor == m);
      }
      ok = ok && has;
    }
    if (!ok) continue;
    const bool better = p.objective == AssignmentObjective::kMaxTotalFit
                            ? total > best.total
                            : (matched > best.matched || (matched == best.matched && total > best.total));
    if (better) best = {matched, total};
  }
  return best;
}

AssignmentProblem RandomProblem(std::mt19937& rng, AssignmentObjective objective) {
  AssignmentProblem p;
  p.objective = objective;
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  p.enterprises = uni(1, 6);
  const int mentors = uni(1, 4);
  for (int m = 0; m < mentors; ++m) p.mentor_capacity.push_back(uni(0, 3));
  const bool capacities = uni(0, 1) == 1;
  const bool groups = uni(0, 1) == 1;
  if (capacities) {
    for (int e = 0; e < p.enterprises; ++e) p.enterprise_capacity.push_back(uni(0, 3));
  }
  if (groups) {
    const int g = uni(1, 3);
    for (int k = 0; k < g; ++k) p.group_capacity.push_back(uni(0, 3));
    for (int e = 0; e < p.enterprises; ++e) p.enterprise_group.push_back(uni(-1, g - 1));
  }
  for (int e = 0; e < p.enterprises; ++e) {
    for (int m = 0; m < mentors; ++m) {
      if (p.pairs.size() < 13 && uni(0, 2) > 0) p.pairs.push_back({e, m, uni(0, 20)});
    }
  }
  return p;
}

// Checks `a` against the problem's constraints and returns (matched, total) recomputed.
Best Check(const AssignmentProblem& p, const Assignment& a) {
  std::vector<int> ecap(p.enterprises, 1), mcap = p.mentor_capacity, gcap = p.group_capacity;
  if (!p.enterprise_capacity.empty()) ecap = p.enterprise_capacity;
  Best b{0, 0};
  for (size_t i = 0; i < p.pairs.size(); ++i) {
    if (!a.chosen[i]) continue;
    const CandidatePair& c = p.pairs[i];
    const int g = p.enterprise_group.empty() ? -1 : p.enterprise_group[c.enterprise];
    EXPECT_GE(--ecap[c.enterprise], 0) << "enterprise capacity exceeded";
    EXPECT_GE(--mcap[c.mentor], 0) << "mentor capacity exceeded";
    if (g >= 0) {
      EXPECT_GE(--gcap[g], 0) << "group quota exceeded";
    }
    ++b.matched;
    b.total += c.score;
  }
  return b;
}

TEST(MatchAssignment, CapacitiesAndQuotasEqualBruteForceOn600RandomInstances) {
  std::mt19937 rng(20260301);
  for (int round = 0; round < 600; ++round) {
    const auto objective = round % 2 ? AssignmentObjective::kMaxTotalFit
                                     : AssignmentObjective::kMostMatchedThenFit;
    AssignmentProblem p = RandomProblem(rng, objective);
    Result<Assignment> a = SolveAssignment(p);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    const Best got = Check(p, *a);
    EXPECT_EQ(got.total, a->total_score);
    EXPECT_EQ(got.matched, a->matched);
    const Best want = BruteForce(p);
    EXPECT_EQ(a->total_score, want.total) << "round " << round;
    if (objective == AssignmentObjective::kMostMatchedThenFit) {
      EXPECT_EQ(a->matched, want.matched) << "round " << round;
    }
  }
}

TEST(MatchAssignment, PinsCountTowardTheGroupQuota) {
  AssignmentProblem p;
  p.enterprises = 3;
  p.mentor_capacity = {3};
  p.pairs = {{0, 0, 1}, {1, 0, 10}, {2, 0, 10}};
  p.enterprise_group = {0, 0, 0};
  p.group_capacity = {2};
  p.pinned = {{0, 0}};
  Result<Assignment> a = SolveAssignment(p);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->matched, 2);
  EXPECT_EQ(a->total_score, 11);
  EXPECT_EQ(a->mentor_of[0], 0);

  p.group_capacity = {0};
  Result<Assignment> over = SolveAssignment(p);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(over.status().message(), HasSubstr("exceeds group_capacity[0] = 0"));
}

TEST(MatchAssignment, EnterpriseTakesSeveralChannels) {
  AssignmentProblem p;
  p.enterprises = 2;
  p.mentor_capacity = {1, 1, 2};
  p.enterprise_capacity = {3, 1};
  p.pairs = {{0, 0, 5}, {0, 1, 5}, {0, 2, 5}, {1, 0, 9}, {1, 2, 1}};
  Result<Assignment> a = SolveAssignment(p);
  ASSERT_TRUE(a.ok());
  // Enterprise 1 takes channel 0 (9); enterprise 0 takes channels 1 and 2.
  EXPECT_EQ(a->total_score, 19);
  EXPECT_EQ(a->matched, 3);
  EXPECT_TRUE(a->chosen[1] && a->chosen[2] && a->chosen[3]);
}

TEST(MatchAssignment, BadExtensionsNameTheField) {
  AssignmentProblem p;
  p.enterprises = 2;
  p.mentor_capacity = {1};
  p.enterprise_capacity = {1};
  Result<Assignment> a = SolveAssignment(p);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("enterprise_capacity: expected 2 entries, got 1"));
  p.enterprise_capacity = {};
  p.enterprise_group = {0, 1};
  p.group_capacity = {1};
  a = SolveAssignment(p);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("enterprise_group[1]: 1 out of range [-1, 1)"));
}

}  // namespace
}  // namespace smematch
