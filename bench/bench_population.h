// The synthetic population the benchmarks screen: data/population_mix.json with seed 2562, the
// mix and seed `smematch generate` uses by default (so bench/wrk_screen.lua's bodies match).
#ifndef SMEMATCH_BENCH_BENCH_POPULATION_H_
#define SMEMATCH_BENCH_BENCH_POPULATION_H_

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "smematch/population.h"

namespace smematch {

// Returns the benchmarks' generator; aborts if the mix file does not parse (a broken tree).
inline const PopulationGenerator& BenchPopulation() {
  static const PopulationGenerator gen = [] {
    std::ifstream in(SMEMATCH_SOURCE_DIR "/data/population_mix.json");
    std::stringstream ss;
    ss << in.rdbuf();
    auto mix = ParsePopulationMix(ss.str());
    if (!mix.ok()) std::abort();
    return PopulationGenerator(*mix, 2562);
  }();
  return gen;
}

}  // namespace smematch

#endif  // SMEMATCH_BENCH_BENCH_POPULATION_H_
