// smematch match mentors|channels: assign enterprises to STAR SME mentors (optimal under
// capacities) or check their readiness for modern-trade channels and assign channel slots.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "smematch/matching.h"
#include "smematch/profile_io.h"
#include "smematch/registry.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"

namespace smematch::cli {
namespace {

namespace po = boost::program_options;
using nlohmann::json;

constexpr size_t kMaxErrorsShown = 50;
constexpr size_t kTableMaxEnterprises = 30;

struct Loaded {
  std::vector<EnterpriseProfile> profiles;
  size_t bad = 0;
};

Status ReadFileText(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  if (out->substr(0, 3) == "\xEF\xBB\xBF") out->erase(0, 3);
  return Status::Ok();
}

// Reads every enterprise of `path` with the same reader as `screen` (JSON object or array,
// JSON Lines, CSV). Bad rows are reported to `err` and left out.
Status ReadEnterprises(const std::string& path, const std::string& format,
                       const ProvinceTable& provinces, bool quiet, std::ostream& err,
                       Loaded* loaded) {
  std::string text;
  SMEMATCH_RETURN_IF_ERROR(ReadFileText(path, &text));
  std::string kind = format;
  if (kind == "auto") kind = path.ends_with(".csv") ? "csv" : path.ends_with(".json") ? "json" : "jsonl";
  if (kind != "csv" && kind != "json" && kind != "jsonl") {
    return InvalidArgumentError("--input-format must be json, jsonl or csv");
  }
  const RegistryFormat f = kind == "csv" ? RegistryFormat::kCsv
                           : kind == "json" ? RegistryFormat::kJson : RegistryFormat::kJsonLines;
  std::vector<RegistryRowError> bad;
  Result<std::vector<EnterpriseProfile>> profiles = ReadProfiles(text, f, provinces, &bad);
  if (!profiles.ok()) return profiles.status().WithPrefix(path);
  loaded->profiles = std::move(*profiles);
  loaded->bad = bad.size();
  size_t shown = 0;
  for (const RegistryRowError& b : bad) {
    if (quiet || shown++ >= kMaxErrorsShown) break;
    err << path << ": row " << b.row << (b.id.empty() ? "" : " (" + b.id + ")") << ": "
        << JoinFieldErrors(b.errors) << "\n";
  }
  return Status::Ok();
}

// Ids of enterprises eligible for STAR_SME in the output of `smematch screen` (JSON Lines).
Status ReadEligibleIds(const std::string& path, std::set<std::string>* ids) {
  std::string text;
  SMEMATCH_RETURN_IF_ERROR(ReadFileText(path, &text));
  std::istringstream in(text);
  std::string line;
  size_t row = 0;
  while (std::getline(in, line)) {
    ++row;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return InvalidArgumentError(path + ": line " + std::to_string(row) +
                                  ": not a JSON object (expected `smematch screen` JSON Lines output)");
    }
    if (!j.contains("decisions") || !j["id"].is_string()) continue;  // invalid-record lines
    for (const json& d : j["decisions"]) {
      if (d.value("program", "") == "STAR_SME" && d.value("outcome", "") == "eligible") {
        ids->insert(j["id"].get<std::string>());
      }
    }
  }
  return Status::Ok();
}

// "A=B" -> (A, B).
Result<std::pair<std::string, std::string>> SplitPair(const std::string& s, const std::string& flag) {
  size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) {
    return InvalidArgumentError(flag + ": expected ENTERPRISE=MENTOR, got '" + s + "'");
  }
  return std::pair{s.substr(0, eq), s.substr(eq + 1)};
}

// The previous assignment: a JSON Lines or JSON output of `smematch match mentors`
// (enterprise_id, mentor_id), or a JSON object {"ENTERPRISE": "MENTOR", ...}.
Status ReadPrevious(const std::string& path, std::map<std::string, std::string>* out) {
  std::string text;
  SMEMATCH_RETURN_IF_ERROR(ReadFileText(path, &text));
  auto take = [&](const json& r) {
    if (r.is_object() && r.contains("enterprise_id") && r["enterprise_id"].is_string() &&
        r.contains("mentor_id") && r["mentor_id"].is_string()) {
      (*out)[r["enterprise_id"].get<std::string>()] = r["mentor_id"].get<std::string>();
    }
  };
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_discarded()) {
    if (doc.is_object() && doc.contains("matches")) {
      for (const json& r : doc["matches"]) take(r);
    } else if (doc.is_object()) {
      for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (!it.value().is_string()) {
          return InvalidArgumentError(path + ": /" + it.key() + ": expected a mentor id string");
        }
        (*out)[it.key()] = it.value().get<std::string>();
      }
    } else if (doc.is_array()) {
      for (const json& r : doc) take(r);
    }
    return Status::Ok();
  }
  std::istringstream in(text);
  std::string line;
  size_t row = 0;
  while (std::getline(in, line)) {
    ++row;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json r = json::parse(line, nullptr, false);
    if (r.is_discarded()) return InvalidArgumentError(path + ": line " + std::to_string(row) + ": malformed JSON");
    take(r);
  }
  return Status::Ok();
}

// Controls file (JSON): pins, forbids, unavailable, province_quota, min_score, previous,
// keep_previous, objective. Flags add to it.
Status ReadControls(const std::string& path, MatchOptions* o, std::string* previous_path) {
  std::string text;
  SMEMATCH_RETURN_IF_ERROR(ReadFileText(path, &text));
  json c = json::parse(text, nullptr, false);
  if (c.is_discarded() || !c.is_object()) return InvalidArgumentError(path + ": expected a JSON object");
  static const std::set<std::string> kKeys = {"pins", "forbids", "unavailable", "province_quota",
                                              "min_score", "previous", "keep_previous", "objective"};
  for (auto it = c.begin(); it != c.end(); ++it) {
    if (!kKeys.count(it.key())) {
      return InvalidArgumentError(path + ": /" + it.key() +
                                  ": unknown control; expected pins, forbids, unavailable, "
                                  "province_quota, min_score, previous, keep_previous, objective");
    }
  }
  auto pairs = [&](const char* key, std::vector<std::pair<std::string, std::string>>* dst) -> Status {
    if (!c.contains(key)) return Status::Ok();
    if (!c[key].is_array()) return InvalidArgumentError(path + ": /" + key + ": expected an array");
    for (size_t i = 0; i < c[key].size(); ++i) {
      const json& p = c[key][i];
      if (!p.is_object() || !p.contains("enterprise") || !p["enterprise"].is_string() ||
          !p.contains("mentor") || !p["mentor"].is_string()) {
        return InvalidArgumentError(path + ": /" + key + "/" + std::to_string(i) +
                                    ": expected {\"enterprise\": \"...\", \"mentor\": \"...\"}");
      }
      dst->push_back({p["enterprise"].get<std::string>(), p["mentor"].get<std::string>()});
    }
    return Status::Ok();
  };
  SMEMATCH_RETURN_IF_ERROR(pairs("pins", &o->pins));
  SMEMATCH_RETURN_IF_ERROR(pairs("forbids", &o->forbids));
  if (c.contains("unavailable")) {
    if (!c["unavailable"].is_array()) return InvalidArgumentError(path + ": /unavailable: expected an array of mentor ids");
    for (size_t i = 0; i < c["unavailable"].size(); ++i) {
      if (!c["unavailable"][i].is_string()) {
        return InvalidArgumentError(path + ": /unavailable/" + std::to_string(i) + ": expected a mentor id");
      }
      o->unavailable.push_back(c["unavailable"][i].get<std::string>());
    }
  }
  if (c.contains("province_quota")) {
    if (!c["province_quota"].is_object()) return InvalidArgumentError(path + ": /province_quota: expected an object");
    for (auto it = c["province_quota"].begin(); it != c["province_quota"].end(); ++it) {
      if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0) {
        return InvalidArgumentError(path + ": /province_quota/" + it.key() + ": expected a whole number >= 0");
      }
      o->province_quota[it.key()] = it.value().get<int>();
    }
  }
  if (c.contains("min_score")) {
    if (!c["min_score"].is_number_integer() || c["min_score"].get<int64_t>() < 0) {
      return InvalidArgumentError(path + ": /min_score: expected a whole number >= 0");
    }
    o->min_score = c["min_score"].get<int64_t>();
  }
  if (c.contains("previous")) {
    if (!c["previous"].is_string()) return InvalidArgumentError(path + ": /previous: expected a file name");
    *previous_path = c["previous"].get<std::string>();
  }
  if (c.contains("keep_previous")) {
    if (!c["keep_previous"].is_boolean()) return InvalidArgumentError(path + ": /keep_previous: expected true or false");
    o->keep_previous = c["keep_previous"].get<bool>();
  }
  if (c.contains("objective")) {
    std::string obj = c["objective"].is_string() ? c["objective"].get<std::string>() : "";
    if (obj == "max-fit") o->objective = AssignmentObjective::kMaxTotalFit;
    else if (obj == "most-matched") o->objective = AssignmentObjective::kMostMatchedThenFit;
    else return InvalidArgumentError(path + ": /objective: expected \"max-fit\" or \"most-matched\"");
  }
  return Status::Ok();
}

}  // namespace

int RunMatch(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const std::string what = args.empty() ? "" : args[0];
  if (what != "mentors" && what != "channels") {
    if (what == "--help" || what == "-h") {
      out << "usage: smematch match mentors|channels [options] ENTERPRISES\n"
             "(smematch match mentors --help, smematch match channels --help)\n";
      return kExitOk;
    }
    err << "smematch match: expected 'mentors' or 'channels', got '" << what << "'\n"
        << "usage: smematch match mentors|channels [options] ENTERPRISES\n";
    return kExitUsage;
  }
  const bool mentors_mode = what == "mentors";
  const std::string name = "smematch match " + what;
  po::options_description desc(
      mentors_mode
          ? "usage: smematch match mentors [options] ENTERPRISES --mentors FILE\n"
            "\n"
            "Assigns the enterprises in ENTERPRISES (.json, .jsonl or .csv, read like `screen`'s input)\n"
            "to the mentors of the registry, maximising the total fit the script\n"
            "rules/matching/mentor_fit.lua gives, under the mentors' capacities. Every enterprise gets\n"
            "its mentor and score breakdown, or why it has none, and its best alternatives.\n"
            "\n"
            "options"
          : "usage: smematch match channels [options] ENTERPRISES --channels FILE\n"
            "\n"
            "Checks every enterprise's readiness for every channel of the registry with\n"
            "rules/matching/channel_readiness.lua (ready / not ready with the gaps in Thai and\n"
            "English, and a score) and assigns the channels' supplier slots optimally.\n"
            "\n"
            "options");
  std::string input, registry, rules_dir = "rules", output = "-", format = "auto", lang = "th";
  std::string input_format = "auto", screened, as_of, controls, previous, objective = "max-fit";
  std::string rematch = "keep";
  std::vector<std::string> pins, forbids, unavailable, quotas;
  int threads = 0, top_k = 3, max_channels = 0;
  int64_t min_score = -1;
  desc.add_options()("help,h", "show this help")
      (mentors_mode ? "mentors" : "channels", po::value(&registry)->required(),
       mentors_mode ? "mentor registry (.json array, .jsonl or .csv)"
                    : "channel registry (.json array, .jsonl or .csv)")
      ("rules", po::value(&rules_dir)->default_value("rules"),
       "rule set directory (matching/*.lua, data/provinces.csv, the program rules)")
      ("input-format", po::value(&input_format)->default_value("auto"), "json, jsonl or csv (auto: by extension)")
      ("eligible-only", "match only enterprises that the program rules find eligible for STAR_SME "
                        "(screened here)")
      ("screened", po::value(&screened),
       "match only enterprises eligible for STAR_SME in this output of `smematch screen` (JSON Lines)")
      ("as-of", po::value(&as_of), "decision date for --eligible-only (default: today in Bangkok)")
      ("objective", po::value(&objective)->default_value("max-fit"),
       "max-fit (maximum total fit) or most-matched (most enterprises matched, then fit)")
      ("min-score", po::value(&min_score), "pairs scoring less are not assigned")
      ("format", po::value(&format)->default_value("auto"),
       "json, jsonl, csv or table (auto: table for a small run on the terminal, csv for a .csv "
       "output, json for .json, else jsonl)")
      ("output,o", po::value(&output)->default_value("-"), "output file, written only when complete")
      ("lang", po::value(&lang)->default_value("th"), "language of table and CSV texts: th or en")
      ("threads", po::value(&threads)->default_value(0), "scoring threads (0: one per core)")
      ("no-bom", "do not start CSV output with a UTF-8 byte order mark")
      ("strict", "exit 1 if any enterprise or registry row is invalid")
      ("quiet,q", "no summary on standard error");
  if (mentors_mode) {
    desc.add_options()
        ("controls", po::value(&controls), "operator controls file (JSON; see docs/matching.md)")
        ("pin", po::value(&pins)->composing(), "ENTERPRISE=MENTOR: assign this pair (repeatable)")
        ("forbid", po::value(&forbids)->composing(), "ENTERPRISE=MENTOR: never this pair (repeatable)")
        ("unavailable", po::value(&unavailable)->composing(), "MENTOR: no pairs with this mentor (repeatable)")
        ("quota", po::value(&quotas)->composing(), "TH-xx=N: at most N enterprises matched in that province (repeatable)")
        ("previous", po::value(&previous), "previous assignment (output of match mentors, JSON or JSON Lines)")
        ("rematch", po::value(&rematch)->default_value("keep"),
         "keep: keep previous pairs still allowed; all: re-optimise every pair")
        ("top-k", po::value(&top_k)->default_value(3), "alternatives per enterprise (0-50)");
  } else {
    desc.add_options()("max-channels", po::value(&max_channels)->default_value(0),
                       "most channels one enterprise is placed with (0: no limit)");
  }
  po::options_description hidden;
  hidden.add_options()("input", po::value(&input));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("input", 1);
  po::variables_map vm;
  std::vector<std::string> rest(args.begin() + 1, args.end());
  auto usage = [&](const std::string& m) {
    err << name << ": " << m << "\n(see " << name << " --help)\n";
    return kExitUsage;
  };
  try {
    po::store(po::command_line_parser(rest).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      out << desc << "\nexit codes: 0 done; 1 the script failed on some pairs (or, with --strict, a row\n"
                     "was invalid); 2 bad options or controls; 3 rules not loaded; 4 an input not\n"
                     "readable as a whole, or the output not written\n";
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return usage(e.what());
  }
  if (input.empty()) return usage("missing ENTERPRISES file");
  if (lang != "th" && lang != "en") return usage("--lang must be th or en");
  if (threads < 0 || threads > 256) return usage("--threads must be from 0 to 256");
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (objective != "max-fit" && objective != "most-matched") {
    return usage("--objective must be max-fit or most-matched, not '" + objective + "'");
  }
  if (rematch != "keep" && rematch != "all") return usage("--rematch must be keep or all");
  if (top_k < 0 || top_k > 50) return usage("--top-k must be from 0 to 50");
  if (max_channels < 0) return usage("--max-channels must be >= 0");
  if (vm.count("min-score") && min_score < 0) return usage("--min-score must be >= 0");
  if (format != "auto" && format != "json" && format != "jsonl" && format != "csv" && format != "table") {
    return usage("--format must be json, jsonl, csv or table, not '" + format + "'");
  }
  Date date = Date::TodayInBangkok();
  if (!as_of.empty()) {
    Result<Date> d = Date::Parse(as_of);
    if (!d.ok()) return usage("--as-of: " + d.status().message());
    date = *d;
  }
  const bool quiet = vm.count("quiet") > 0;

  // Rules: the program rules (provinces, and STAR_SME eligibility) and the matching scripts.
  Result<std::shared_ptr<const RuleSet>> rules = RuleSet::Load(rules_dir);
  if (!rules.ok()) {
    err << name << ": the rule set in '" << rules_dir << "' was not loaded:\n" << rules.status().message() << "\n";
    return kExitRules;
  }
  Result<std::shared_ptr<const MatchRules>> match_rules = MatchRules::Load(rules_dir, (*rules)->provinces());
  if (!match_rules.ok()) {
    err << name << ": the matching scripts in '" << rules_dir << "/matching' were not loaded:\n"
        << match_rules.status().message() << "\n";
    return kExitRules;
  }

  // Operator controls.
  MatchOptions options;
  options.objective = objective == "max-fit" ? AssignmentObjective::kMaxTotalFit
                                             : AssignmentObjective::kMostMatchedThenFit;
  if (!controls.empty()) {
    Status s = ReadControls(controls, &options, &previous);
    if (!s.ok()) {
      err << name << ": --controls: " << s.message() << "\n";
      return s.code() == StatusCode::kNotFound ? kExitIo : kExitUsage;
    }
    if (vm["objective"].defaulted() == false) {
      options.objective = objective == "max-fit" ? AssignmentObjective::kMaxTotalFit
                                                 : AssignmentObjective::kMostMatchedThenFit;
    }
  }
  for (const std::string& p : pins) {
    auto pair = SplitPair(p, "--pin");
    if (!pair.ok()) return usage(pair.status().message());
    options.pins.push_back(*pair);
  }
  for (const std::string& p : forbids) {
    auto pair = SplitPair(p, "--forbid");
    if (!pair.ok()) return usage(pair.status().message());
    options.forbids.push_back(*pair);
  }
  for (const std::string& m : unavailable) options.unavailable.push_back(m);
  for (const std::string& q : quotas) {
    auto pair = SplitPair(q, "--quota");
    if (!pair.ok()) return usage("--quota: expected TH-xx=N, got '" + q + "'");
    try {
      size_t used = 0;
      int n = std::stoi(pair->second, &used);
      if (used != pair->second.size() || n < 0) throw std::invalid_argument("n");
      options.province_quota[pair->first] = n;
    } catch (const std::exception&) {
      return usage("--quota: expected TH-xx=N with N a whole number >= 0, got '" + q + "'");
    }
  }
  if (vm.count("min-score")) options.min_score = min_score;
  if (rematch == "all") options.keep_previous = false;
  if (!previous.empty()) {
    Status s = ReadPrevious(previous, &options.previous);
    if (!s.ok()) {
      err << name << ": --previous: " << s.message() << "\n";
      return s.code() == StatusCode::kNotFound ? kExitIo : kExitUsage;
    }
  }
  options.top_k = top_k;
  options.threads = threads;

  // Inputs.
  const ProvinceTable& provinces = (*rules)->provinces();
  Loaded loaded;
  Status read = ReadEnterprises(input, input_format, provinces, quiet, err, &loaded);
  if (!read.ok()) {
    err << name << ": " << read.message() << "\n";
    return kExitIo;
  }
  size_t filtered_out = 0;
  if (!screened.empty() || vm.count("eligible-only")) {
    std::set<std::string> eligible;
    if (!screened.empty()) {
      Status s = ReadEligibleIds(screened, &eligible);
      if (!s.ok()) {
        err << name << ": --screened: " << s.message() << "\n";
        return kExitIo;
      }
    }
    std::unique_ptr<Screener> screener;
    ScreenOptions screen_options;
    screen_options.programs = {"STAR_SME"};
    screen_options.as_of = date;
    screen_options.explain = false;
    if (vm.count("eligible-only")) {
      Result<std::unique_ptr<Screener>> sc = Screener::Create(*rules);
      if (!sc.ok()) {
        err << name << ": " << sc.status().message() << "\n";
        return kExitRules;
      }
      screener = std::move(*sc);
    }
    std::vector<EnterpriseProfile> kept;
    std::vector<Decision> decisions;
    for (EnterpriseProfile& p : loaded.profiles) {
      bool ok = screened.empty() || eligible.count(p.id) > 0;
      if (ok && screener) {
        Status s = screener->Screen(p, screen_options, &decisions);
        if (!s.ok()) return usage("--eligible-only: " + s.message());
        ok = decisions.size() == 1 && decisions[0].outcome == Outcome::kEligible;
      }
      if (ok) kept.push_back(std::move(p));
      else ++filtered_out;
    }
    loaded.profiles = std::move(kept);
  }

  std::string text;
  MatchOutput fmt = MatchOutput::kJsonLines;
  auto choose_format = [&](size_t count) {
    if (format == "json") fmt = MatchOutput::kJson;
    else if (format == "jsonl") fmt = MatchOutput::kJsonLines;
    else if (format == "csv") fmt = MatchOutput::kCsv;
    else if (format == "table") fmt = MatchOutput::kTable;
    else if (output.ends_with(".csv")) fmt = MatchOutput::kCsv;
    else if (output.ends_with(".json")) fmt = MatchOutput::kJson;
    else if (output == "-" && count <= kTableMaxEnterprises) fmt = MatchOutput::kTable;
    else fmt = MatchOutput::kJsonLines;
  };
  const bool thai = lang == "th";
  const bool bom = vm.count("no-bom") == 0;
  size_t bad_registry = 0;
  int script_errors = 0;
  std::string summary_line;
  if (mentors_mode) {
    Result<MentorRegistry> reg = ReadMentorsFile(registry, provinces);
    if (!reg.ok()) {
      err << name << ": --mentors: " << reg.status().message() << "\n";
      return kExitIo;  // not found, or not readable as a whole
    }
    for (const RegistryRowError& b : reg->bad_rows) {
      ++bad_registry;
      if (!quiet) {
        err << registry << ": row " << b.row << (b.id.empty() ? "" : " (" + b.id + ")") << ": "
            << JoinFieldErrors(b.errors) << "\n";
      }
    }
    Result<MentorMatchResult> res = MatchMentors(loaded.profiles, reg->items, **match_rules, options);
    if (!res.ok()) {
      err << name << ": " << res.status().message() << "\n";
      return ExitCodeFor(res.status());
    }
    choose_format(loaded.profiles.size());
    WriteMentorMatches(*res, loaded.profiles, reg->items, **match_rules, fmt, thai, bom, &text);
    const MatchSummary& s = res->summary;
    script_errors = s.script_errors;
    std::ostringstream ss;
    ss << "matched " << s.matched << " of " << s.enterprises << " enterprises to " << reg->items.size()
       << " mentors; total fit " << s.total_score << "; pairs " << s.pairs_possible << " possible, "
       << s.pairs_scored << " scored after pruning, " << s.pairs_allowed << " allowed";
    if (!options.previous.empty()) {
      ss << "; re-matching: " << s.kept << " kept, " << s.changed << " changed, " << s.newly_matched
         << " newly matched";
    }
    ss << "; scoring " << s.scoring_seconds << " s, solving " << s.solving_seconds << " s";
    for (const std::string& e : s.error_samples) ss << "\nscript error: " << e;
    summary_line = ss.str();
  } else {
    Result<ChannelRegistry> reg = ReadChannelsFile(registry, provinces);
    if (!reg.ok()) {
      err << name << ": --channels: " << reg.status().message() << "\n";
      return kExitIo;
    }
    for (const RegistryRowError& b : reg->bad_rows) {
      ++bad_registry;
      if (!quiet) {
        err << registry << ": row " << b.row << (b.id.empty() ? "" : " (" + b.id + ")") << ": "
            << JoinFieldErrors(b.errors) << "\n";
      }
    }
    ChannelOptions copt;
    copt.objective = options.objective;
    copt.max_channels_per_enterprise = max_channels;
    copt.min_score = options.min_score;
    copt.threads = threads;
    Result<ChannelMatchResult> res = MatchChannels(loaded.profiles, reg->items, **match_rules, copt);
    if (!res.ok()) {
      err << name << ": " << res.status().message() << "\n";
      return ExitCodeFor(res.status());
    }
    choose_format(loaded.profiles.size());
    WriteChannelMatches(*res, loaded.profiles, reg->items, **match_rules, fmt, thai, bom, &text);
    const ChannelSummary& s = res->summary;
    script_errors = s.script_errors;
    int64_t ready = 0;
    for (const auto& c : s.channels) ready += c.ready;
    std::ostringstream ss;
    ss << "checked " << s.enterprises << " enterprises against " << reg->items.size() << " channels; "
       << ready << " ready pairs, " << s.assignments << " slots assigned; scoring " << s.scoring_seconds
       << " s, solving " << s.solving_seconds << " s";
    for (const std::string& e : s.error_samples) ss << "\nscript error: " << e;
    summary_line = ss.str();
  }
  Status written = WriteAtomically(output, out, [&](std::ostream& o) {
    o.write(text.data(), static_cast<std::streamsize>(text.size()));
    return o ? Status::Ok() : UnavailableError("cannot write the output");
  });
  if (!written.ok()) {
    err << name << ": " << written.message() << "\n";
    return kExitIo;
  }
  if (!quiet) {
    err << summary_line << "\n";
    if (loaded.bad || filtered_out || bad_registry) {
      err << loaded.bad << " invalid enterprise rows, " << filtered_out
          << " not eligible for STAR_SME (left out), " << bad_registry << " invalid registry rows\n";
    }
    err << "matching rules " << (*match_rules)->hash().substr(0, 19) << "\n";
  }
  if (script_errors > 0) return kExitRecordErrors;
  if (vm.count("strict") && (loaded.bad > 0 || bad_registry > 0)) return kExitRecordErrors;
  return kExitOk;
}

}  // namespace smematch::cli
