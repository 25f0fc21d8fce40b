// Mentor matching end to end on the issue-3 sizes: pruning index, the fit script
// (rules/matching/mentor_fit.lua) on every thread, the min-cost flow, explanations and
// alternatives. Enterprises and mentors are generated once per size with a seeded generator,
// outside the timed loop. Mentors serve a few provinces and industries (below), so that about
// 2 million pairs survive pruning (the counters report the exact numbers: pairs_scored, left
// after pruning and scored by the script; pairs_allowed, passed the script's constraints).
#include <benchmark/benchmark.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "smematch/matching.h"

namespace smematch {
namespace {

struct Data {
  std::vector<EnterpriseProfile> enterprises;
  std::vector<Mentor> mentors;
};

const ProvinceTable& Provinces() {
  static const ProvinceTable* t = [] {
    std::ifstream in(std::string(SMEMATCH_SOURCE_DIR) + "/rules/data/provinces.csv");
    std::ostringstream ss;
    ss << in.rdbuf();
    return new ProvinceTable(std::move(*ProvinceTable::Parse(ss.str())));
  }();
  return *t;
}

const Data& Instance(int enterprises, int mentors, int served_extra, int industries_lo,
                     int industries_hi) {
  static std::map<std::pair<int, int>, Data> cache;
  auto [it, inserted] = cache.try_emplace({enterprises, mentors});
  Data& d = it->second;
  if (!inserted) return d;
  std::mt19937_64 rng(20260301);
  const auto& provinces = Provinces().all();
  const int np = static_cast<int>(provinces.size());
  auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  // A few industries dominate, as in the population (food, agro-processing, crafts).
  const int common[] = {0, 0, 0, 1, 2, 3, 4, 4, 5, 5, 6, 7, 8, 13, 14, 16};
  for (int e = 0; e < enterprises; ++e) {
    EnterpriseProfile p;
    p.id = "E" + std::to_string(e);
    p.name = "enterprise " + std::to_string(e);
    p.province = provinces[uni(0, np - 1)].iso_code;
    p.industry = static_cast<Industry>(common[uni(0, 15)]);
    std::array<int, kDimensionCount> needs{};
    for (int& n : needs) n = uni(0, 5);
    p.needs = needs;
    p.digital_readiness = uni(0, 5);
    d.enterprises.push_back(std::move(p));
  }
  for (int m = 0; m < mentors; ++m) {
    Mentor men;
    men.id = "M" + std::to_string(m);
    men.name = "mentor " + std::to_string(m);
    const int home = uni(0, np - 1);
    men.home_province = provinces[home].iso_code;
    men.served.Add(home);
    for (int k = 0; k < served_extra; ++k) men.served.Add(uni(0, np - 1));
    const int inds = uni(industries_lo, industries_hi);
    for (int k = 0; k < inds; ++k) men.industries |= 1u << common[uni(0, 15)];
    for (int& x : men.expertise) x = uni(0, 5);
    men.languages = {"th"};
    men.capacity = uni(10, 40);
    d.mentors.push_back(std::move(men));
  }
  return d;
}

void Run(benchmark::State& state, int enterprises, int mentors, int served_extra, int ind_lo,
         int ind_hi) {
  auto rules = MatchRules::Load(std::string(SMEMATCH_SOURCE_DIR) + "/rules", Provinces());
  if (!rules.ok()) {
    state.SkipWithError(rules.status().ToString().c_str());
    return;
  }
  const Data& d = Instance(enterprises, mentors, served_extra, ind_lo, ind_hi);
  MatchOptions o;
  o.threads = static_cast<int>(state.range(0));
  MatchSummary s;
  for (auto _ : state) {
    Result<MentorMatchResult> r = MatchMentors(d.enterprises, d.mentors, **rules, o);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    s = r->summary;
    benchmark::DoNotOptimize(r);
  }
  state.counters["threads"] = static_cast<double>(o.threads);
  state.counters["pairs_scored"] = static_cast<double>(s.pairs_scored);
  state.counters["pairs_allowed"] = static_cast<double>(s.pairs_allowed);
  state.counters["matched"] = s.matched;
  state.counters["scoring_s"] = s.scoring_seconds;
  state.counters["solving_s"] = s.solving_seconds;
  state.counters["replays"] = static_cast<double>(s.replays);
}

// 20,000 x 1,000: mentors serve about a region (home + 11 provinces), 4-5 industries.
void BM_Match20kx1k(benchmark::State& state) { Run(state, 20'000, 1'000, 11, 4, 5); }
// 100,000 x 5,000: home + 1 province, 2-3 industries.
void BM_Match100kx5k(benchmark::State& state) { Run(state, 100'000, 5'000, 1, 2, 3); }

BENCHMARK(BM_Match20kx1k)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Match100kx5k)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace smematch
