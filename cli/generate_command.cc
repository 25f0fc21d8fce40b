// smematch generate: write a synthetic national population of enterprise profiles.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli.h"
#include "smematch/population.h"
#include "smematch/profile_io.h"

namespace smematch::cli {
namespace {
namespace po = boost::program_options;
}  // namespace

int RunGenerate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description desc(
      "usage: smematch generate [options]\n"
      "\n"
      "Writes COUNT synthetic enterprise profiles whose mix follows the population file (FACTS.md\n"
      "§6: 3.2 million SMEs, mostly micro and small; community enterprises; OTOP producers). The\n"
      "output is a pure function of the mix file, the seed and COUNT.\n"
      "\n"
      "options");
  uint64_t count = 0, seed = 0;
  std::string mix_path, format, output;
  int threads = 0;
  desc.add_options()
      ("help,h", "show this help")
      ("count,n", po::value(&count)->default_value(3'200'000), "number of enterprises")
      ("seed", po::value(&seed)->default_value(2562), "random seed")
      ("mix", po::value(&mix_path)->default_value("data/population_mix.json"), "population mix file")
      ("format", po::value(&format)->default_value("jsonl"), "jsonl or csv")
      ("output,o", po::value(&output)->default_value("-"), "output file (- for standard output)")
      ("threads", po::value(&threads)->default_value(0), "threads (0: one per core)");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    err << "smematch generate: " << e.what() << "\n";
    return kExitUsage;
  }
  if (vm.count("help")) {
    out << desc;
    return kExitOk;
  }
  if (format != "jsonl" && format != "csv") {
    err << "smematch generate: --format must be jsonl or csv\n";
    return kExitUsage;
  }
  std::ifstream mix_file(mix_path, std::ios::binary);
  if (!mix_file) {
    err << "smematch generate: cannot read the mix file '" << mix_path << "'\n";
    return kExitIo;
  }
  std::stringstream ss;
  ss << mix_file.rdbuf();
  Result<PopulationMix> mix = ParsePopulationMix(ss.str());
  if (!mix.ok()) {
    err << "smematch generate: " << mix_path << ": " << mix.status().message() << "\n";
    return kExitUsage;
  }
  PopulationGenerator generator(*mix, seed);
  const int n_threads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const bool csv = format == "csv";
  Status s = WriteAtomically(output, out, [&](std::ostream& o) {
    if (csv) {
      std::string header;
      for (const std::string& col : ProfileCsvHeader()) header += (header.empty() ? "" : ",") + col;
      o << header << "\r\n";
    }
    // Blocks of records generated in parallel, written in order: memory stays bounded.
    constexpr uint64_t kBlock = 1 << 16;
    std::vector<std::string> parts(static_cast<size_t>(n_threads));
    for (uint64_t start = 0; start < count; start += kBlock * n_threads) {
      std::vector<std::thread> pool;
      for (int t = 0; t < n_threads; ++t) {
        pool.emplace_back([&, t] {
          std::string& buf = parts[static_cast<size_t>(t)];
          buf.clear();
          EnterpriseProfile p;
          uint64_t from = start + static_cast<uint64_t>(t) * kBlock;
          uint64_t to = std::min(count, from + kBlock);
          for (uint64_t i = from; i < to; ++i) {
            generator.Generate(i, &p);
            if (csv) {
              AppendProfileCsv(p, &buf);
            } else {
              AppendProfileJson(p, &buf);
              buf.push_back('\n');
            }
          }
        });
      }
      for (auto& t : pool) t.join();
      for (const std::string& part : parts) o.write(part.data(), static_cast<std::streamsize>(part.size()));
      if (!o) return InternalError("cannot write the output");
    }
    return Status::Ok();
  });
  if (!s.ok()) {
    err << "smematch generate: " << s.message() << "\n";
    return kExitIo;
  }
  return kExitOk;
}

}  // namespace smematch::cli
