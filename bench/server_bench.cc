// Costs on the HTTP service's request path (server/), on real answers and requests:
//   BM_AuditCompress/<level>: zstd-compressing one /v1/screen answer for the audit trail
//     (AuditRecord::result, ~7 kB with Thai and English reasons), as Append() does in the
//     request's thread; counters: stored bytes per answer and the ratio. Level 1 is the one used
//     (kAuditResultZstdLevel); negative levels are zstd's "fast" ones.
//   BM_AuditDecompress: the lookup side (GET /v1/decisions/{id}, replay).
//   BM_ParseScreenRequest/dom|once: reading a /v1/screen body into the request and profile, as
//     bench/wrk_screen.lua sends them (the 2,000 profiles of `smematch generate --count 2000`):
//     dom = nlohmann DOM then the enterprise serialized and parsed again (before);
//     once = simdjson On-Demand envelope, the enterprise's raw text parsed in place.
//   ./build/bench/smematch_bench --benchmark_filter='Audit|ParseScreen'
#include <benchmark/benchmark.h>


#include "audit_log.h"
#include "bench_population.h"
#include "screen_request.h"
#include "smematch/decision_writer.h"
#include "smematch/population.h"
#include "smematch/profile_io.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"

namespace smematch::server {
namespace {

// Answers as the service writes them for 512 synthetic enterprises: the decision id, every
// program's decision with reasons (explain on), as DecisionWriter writes them.
const std::vector<std::string>& Answers() {
  static std::vector<std::string> answers = [] {
    auto rules = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
    if (!rules.ok()) std::abort();
    auto screener = Screener::Create(*rules);
    if (!screener.ok()) std::abort();
    const PopulationGenerator& gen = BenchPopulation();
    ScreenOptions options;
    options.as_of = *Date::Parse("2026-11-21");
    options.explain = true;
    WriteOptions write;
    write.rule_set = (*rules)->hash();
    write.as_of = options.as_of;
    std::vector<std::string> v;
    std::vector<Decision> decisions;
    for (size_t i = 0; i < 512; ++i) {
      EnterpriseProfile p;
      gen.Generate(i, &p);
      if (!(*screener)->Screen(p, options, &decisions).ok()) std::abort();
      std::string out = "{\"decision_id\":\"dec_01JDQ3V6Z8N4W2K7RC5XGM9TBH\",";
      std::string body;
      AppendDecisionsJson(p, decisions, write, &body);
      out.append(body, 1);
      v.push_back(std::move(out));
    }
    return v;
  }();
  return answers;
}

void BM_AuditCompress(benchmark::State& state) {
  const auto& answers = Answers();
  const int level = static_cast<int>(state.range(0));
  size_t i = 0, in = 0, out = 0;
  for (auto _ : state) {
    const std::string& a = answers[i++ % answers.size()];
    auto z = CompressAuditResult(a, level);
    if (!z.ok()) state.SkipWithError(z.status().ToString().c_str());
    in += a.size();
    out += z->size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(in));
  state.counters["answer_bytes"] = static_cast<double>(in) / static_cast<double>(state.iterations());
  state.counters["stored_bytes"] =
      static_cast<double>(out) / static_cast<double>(state.iterations());
  state.counters["ratio"] = static_cast<double>(in) / static_cast<double>(out);
}
BENCHMARK(BM_AuditCompress)->Arg(1)->Arg(2)->Arg(3)->Arg(-1)->Arg(-3)->Arg(-5)->Arg(-10);

void BM_AuditDecompress(benchmark::State& state) {
  std::vector<std::string> frames;
  for (const std::string& a : Answers()) frames.push_back(*CompressAuditResult(a));
  size_t i = 0, out = 0;
  for (auto _ : state) {
    auto json = DecompressAuditResult(frames[i++ % frames.size()]);
    if (!json.ok()) state.SkipWithError(json.status().ToString().c_str());
    out += json->size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(out));
}
BENCHMARK(BM_AuditDecompress);

// The bodies bench/wrk_screen.lua sends for `smematch generate --count 2000` (seed 2562).
const std::vector<std::string>& ScreenBodies() {
  static std::vector<std::string> bodies = [] {
    const PopulationGenerator& gen = BenchPopulation();
    std::vector<std::string> v;
    for (size_t i = 0; i < 2000; ++i) {
      EnterpriseProfile p;
      gen.Generate(i, &p);
      std::string body = R"({"as_of":"2026-11-21","explain":true,"enterprise":)";
      AppendProfileJson(p, &body);
      body.push_back('}');
      v.push_back(std::move(body));
    }
    return v;
  }();
  return bodies;
}

void BM_ParseScreenRequest(benchmark::State& state) {
  auto rules = RuleSet::Load(SMEMATCH_SOURCE_DIR "/rules");
  if (!rules.ok()) std::abort();
  const auto& bodies = ScreenBodies();
  ProfileReader reader(&(*rules)->provinces());
  EnterpriseProfile profile;
  std::vector<FieldError> field_errors;
  const bool dom = state.range(0) == 0;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& body = bodies[i++ % bodies.size()];
    ScreenRequest request;
    RequestProblem problem;
    bool ok = dom ? ParseScreenRequestDom(body, **rules, &reader, &request, &profile,
                                          &field_errors, &problem)
                  : ParseScreenRequest(body, **rules, &reader, &request, &profile, &field_errors,
                                       &problem);
    if (!ok) state.SkipWithError(problem.detail.c_str());
    bytes += body.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetLabel(dom ? "dom" : "once");
}
BENCHMARK(BM_ParseScreenRequest)->Arg(0)->Arg(1);

}  // namespace
}  // namespace smematch::server
