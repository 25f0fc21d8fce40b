// Screening throughput, the two figures of docs/performance.md:
//   BM_EvaluateOnly: profiles already in memory, Screener::Screen without reasons;
//   BM_EndToEnd:     JSON Lines text in -> ScreenBatch -> compact JSON Lines text out.
// Both count decisions (one enterprise x one program) per second, with the real rules/ and a
// synthetic population from data/population_mix.json.
//   ./build/smematch_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <sstream>

#include "bench_population.h"
#include "smematch/batch.h"
#include "smematch/population.h"
#include "smematch/profile_io.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"

namespace smematch {
namespace {

constexpr size_t kProfiles = 1 << 16;

std::shared_ptr<const RuleSet> Rules() {
  static std::shared_ptr<const RuleSet> rules = [] {
    auto r = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      std::abort();
    }
    return *r;
  }();
  return rules;
}

const std::vector<EnterpriseProfile>& Profiles() {
  static std::vector<EnterpriseProfile> profiles = [] {
    const PopulationGenerator& gen = BenchPopulation();
    std::vector<EnterpriseProfile> v(kProfiles);
    for (size_t i = 0; i < v.size(); ++i) gen.Generate(i, &v[i]);
    return v;
  }();
  return profiles;
}

const std::string& JsonLines() {
  static std::string text = [] {
    std::string s;
    for (const EnterpriseProfile& p : Profiles()) {
      AppendProfileJson(p, &s);
      s.push_back('\n');
    }
    return s;
  }();
  return text;
}

ScreenOptions Options() {
  ScreenOptions o;
  o.as_of = *Date::Parse("2026-11-21");
  o.explain = false;
  return o;
}

void BM_EvaluateOnly(benchmark::State& state) {
  const auto& profiles = Profiles();
  auto screener = Screener::Create(Rules());
  ScreenOptions options = Options();
  std::vector<Decision> decisions;
  size_t i = state.thread_index() * 7919, n = 0;
  for (auto _ : state) {
    Status s = (*screener)->Screen(profiles[i++ % profiles.size()], options, &decisions);
    benchmark::DoNotOptimize(s);
    n += decisions.size();
  }
  state.counters["decisions/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  state.counters["replay%"] = 100.0 * static_cast<double>((*screener)->stats().replays) /
                              static_cast<double>(std::max<int64_t>(1, state.iterations()));
}
BENCHMARK(BM_EvaluateOnly)->Threads(1)->Threads(2)->UseRealTime();

void BM_EvaluateExplain(benchmark::State& state) {
  const auto& profiles = Profiles();
  auto screener = Screener::Create(Rules());
  ScreenOptions options = Options();
  options.explain = true;
  std::vector<Decision> decisions;
  size_t i = 0, n = 0;
  for (auto _ : state) {
    Status s = (*screener)->Screen(profiles[i++ % profiles.size()], options, &decisions);
    benchmark::DoNotOptimize(s);
    n += decisions.size();
  }
  state.counters["decisions/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EvaluateExplain)->UseRealTime();

// A stream buffer that counts and drops what it is given.
class NullBuffer : public std::streambuf {
 public:
  size_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<size_t>(n);
    return n;
  }
  int overflow(int c) override {
    ++bytes;
    return c;
  }
};

void BM_EndToEnd(benchmark::State& state) {
  const std::string& input = JsonLines();
  BatchOptions options;
  options.screen = Options();
  options.write.compact = true;
  options.threads = static_cast<int>(state.range(0));
  uint64_t decisions = 0;
  for (auto _ : state) {
    std::istringstream in(input);
    NullBuffer sink;
    std::ostream out(&sink);
    auto stats = ScreenBatch(in, out, Rules(), options);
    if (!stats.ok()) state.SkipWithError(stats.status().ToString().c_str());
    decisions += stats->decisions;
  }
  state.counters["decisions/s"] =
      benchmark::Counter(static_cast<double>(decisions), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EndToEnd)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ParseProfile(benchmark::State& state) {
  const std::string& input = JsonLines();
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < input.size();) {
    size_t nl = input.find('\n', pos);
    lines.emplace_back(input.data() + pos, nl - pos);
    pos = nl + 1;
  }
  ProfileReader reader(&Rules()->provinces());
  EnterpriseProfile p;
  std::vector<FieldError> errors;
  size_t i = 0;
  for (auto _ : state) {
    Status s = reader.ParseJsonPadded(lines[i++ % lines.size()], &p, &errors);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseProfile);

}  // namespace
}  // namespace smematch

BENCHMARK_MAIN();
