#include "smematch/matching.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <thread>

#include "lua/match_runtime.h"

namespace smematch {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kMentorScript = "/matching/mentor_fit.lua";
constexpr std::string_view kChannelScript = "/matching/channel_readiness.lua";
constexpr int kChunk = 128;  // enterprises per work item

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

MatchScriptInfo ToInfo(const json& d, const std::string& path) {
  MatchScriptInfo info;
  info.path = path;
  info.id = d.value("id", "");
  info.version = d.value("version", "");
  info.description = {d.value("th", ""), d.value("en", "")};
  info.source = d.value("source", "");
  if (d.contains("prune") && d["prune"].is_array()) {
    for (const json& p : d["prune"]) info.prune.push_back(p.get<std::string>());
  }
  auto items = [&](const char* key, std::vector<MatchItemInfo>* out) {
    if (!d.contains(key) || !d[key].is_array()) return;
    for (const json& j : d[key]) {
      out->push_back({j.value("id", ""), {j.value("th", ""), j.value("en", "")},
                      j.value("source", ""), j.value("assumed", false), j.value("line", 0)});
    }
  };
  items("constraints", &info.constraints);
  items("parts", &info.parts);
  if (d.contains("parameters") && d["parameters"].is_array()) {
    for (const json& pj : d["parameters"]) {
      ParameterInfo pi;
      pi.name = pj.value("name", "");
      pi.value = pj.contains("value") ? pj["value"] : json();
      pi.type = pj.value("type", "");
      pi.unit = pj.value("unit", "");
      pi.description = {pj.value("th", ""), pj.value("en", "")};
      pi.source = pj.value("source", "");
      pi.assumed = pj.value("assumed", false);
      pi.line = pj.value("line", 0);
      info.parameters.push_back(std::move(pi));
    }
  }
  return info;
}

// Texts of the engine's own exclusions (the prune ids and operator controls).
LocalizedText ExclusionText(std::string_view id) {
  static const std::map<std::string_view, LocalizedText> kTexts = {
      {"mentor_active", {"พี่เลี้ยงไม่ได้เปิดรับงาน (inactive)", "mentor is inactive"}},
      {"mentor_capacity", {"พี่เลี้ยงไม่มีที่ว่าง (capacity 0)", "mentor has no capacity"}},
      {"province_served", {"พี่เลี้ยงไม่ได้ให้บริการในจังหวัดของกิจการ", "mentor does not serve the enterprise's province"}},
      {"industry_covered", {"พี่เลี้ยงไม่ได้เชี่ยวชาญอุตสาหกรรมของกิจการ", "mentor does not cover the enterprise's industry"}},
      {"channel_active", {"ช่องทางไม่ได้เปิดรับผู้ผลิตรายใหม่", "channel is not taking new suppliers"}},
      {"industry_accepted", {"ช่องทางไม่รับสินค้าในอุตสาหกรรมนี้", "channel does not take this industry"}},
      {"region_served", {"ช่องทางไม่ได้รับสินค้าจากจังหวัดของกิจการ", "channel does not buy from the enterprise's province"}},
      {"unavailable", {"เจ้าหน้าที่กำหนดว่าพี่เลี้ยงไม่ว่าง", "mentor marked unavailable by the operator"}},
      {"forbidden", {"เจ้าหน้าที่ห้ามจับคู่นี้", "pair forbidden by the operator"}},
      {"below_min_score", {"คะแนนความเหมาะสมต่ำกว่าเกณฑ์ขั้นต่ำ", "fit below the minimum score"}},
      {"script_error", {"สคริปต์ให้คะแนนทำงานผิดพลาด", "the fit script failed for this pair"}},
      {"no_province", {"ไม่ได้ระบุจังหวัดของกิจการ", "the enterprise's province is not given"}},
  };
  auto it = kTexts.find(id);
  return it == kTexts.end() ? LocalizedText{std::string(id), std::string(id)} : it->second;
}

// Runs `fn(thread, first, last)` over [0, n) in chunks on `threads` threads.
template <typename Fn>
void ParallelChunks(int n, int threads, Fn fn) {
  std::atomic<int> next{0};
  auto work = [&](int t) {
    for (;;) {
      const int first = next.fetch_add(kChunk);
      if (first >= n) return;
      fn(t, first, std::min(n, first + kChunk));
    }
  };
  if (threads <= 1) {
    work(0);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (std::thread& th : pool) th.join();
}

// Canonical order: by id, then input position (so ties are independent of the row order
// when ids are unique).
template <typename T>
std::vector<int> CanonicalOrder(std::span<const T> items) {
  std::vector<int> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return items[a].id < items[b].id; });
  return order;
}

// Creates one runtime per thread with `partners` loaded.
template <typename Setter>
Result<std::vector<std::unique_ptr<MatchRuntime>>> MakeRuntimes(const MatchRules& rules,
                                                                MatchKind kind, int threads,
                                                                Setter set) {
  std::vector<std::unique_ptr<MatchRuntime>> out;
  for (int t = 0; t < threads; ++t) {
    auto rt = std::make_unique<MatchRuntime>(rules.limits());
    SMEMATCH_RETURN_IF_ERROR(rt->Load(kind, rules.file(kind), rules.provinces()));
    SMEMATCH_RETURN_IF_ERROR(set(*rt));
    out.push_back(std::move(rt));
  }
  return out;
}

int64_t CeilDiv(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

std::string PartsText(const MatchScriptInfo& script, const std::vector<int64_t>& parts, bool thai) {
  std::string s;
  for (size_t i = 0; i < parts.size() && i < script.parts.size(); ++i) {
    if (!s.empty()) s += ", ";
    s += (thai ? script.parts[i].text.th : script.parts[i].text.en) + " " + std::to_string(parts[i]);
  }
  return s;
}

int ProvinceIndexOf(const ProvinceTable& provinces, const std::optional<std::string>& code) {
  if (!code) return -1;
  const Province* p = provinces.Find(*code);
  return p == nullptr ? -1 : static_cast<int>(p - provinces.all().data());
}

struct Scored {
  std::vector<std::pair<int, int64_t>> pairs;  // (canonical mentor, score) passing constraints
  std::vector<int> constraint_fails;           // per script constraint
  int errors = 0;
  bool no_province = false;
};

}  // namespace

bool MatchScriptInfo::Prunes(std::string_view constraint) const {
  return std::find(prune.begin(), prune.end(), constraint) != prune.end();
}

std::string_view MatchStatusName(MatchStatus s) {
  switch (s) {
    case MatchStatus::kMatched: return "matched";
    case MatchStatus::kPinned: return "pinned";
    case MatchStatus::kKept: return "kept";
    case MatchStatus::kUnmatched: return "unmatched";
  }
  return "unmatched";
}

std::string_view ReadinessName(Readiness r) {
  switch (r) {
    case Readiness::kReady: return "ready";
    case Readiness::kNotReady: return "not_ready";
    case Readiness::kNotApplicable: return "not_applicable";
  }
  return "not_applicable";
}

Result<std::shared_ptr<const MatchRules>> MatchRules::Load(const std::string& dir,
                                                           const ProvinceTable& provinces,
                                                           const RuleLimits& limits) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root(dir);
  if (!fs::is_directory(root, ec)) return NotFoundError("rules directory '" + dir + "' not found");
  std::string base = fs::weakly_canonical(root, ec).filename().string();
  if (base.empty()) base = "rules";
  std::vector<RuleSet::File> files;
  for (std::string_view name : {kMentorScript, kChannelScript}) {
    fs::path p = root / std::string(name.substr(1));
    std::ifstream in(p, std::ios::binary);
    if (!in) return NotFoundError("cannot read " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    files.push_back({base + std::string(name), ss.str()});
  }
  return FromFiles(std::move(files), provinces, limits);
}

Result<std::shared_ptr<const MatchRules>> MatchRules::FromFiles(std::vector<RuleSet::File> files,
                                                                const ProvinceTable& provinces,
                                                                const RuleLimits& limits) {
  auto rules = std::shared_ptr<MatchRules>(new MatchRules());
  rules->provinces_ = provinces;
  rules->limits_ = limits;
  bool found[2] = {false, false};
  for (RuleSet::File& f : files) {
    if (f.path.ends_with(kMentorScript)) {
      rules->files_[0] = std::move(f);
      found[0] = true;
    } else if (f.path.ends_with(kChannelScript)) {
      rules->files_[1] = std::move(f);
      found[1] = true;
    }
  }
  if (!found[0]) return NotFoundError("rule set has no matching/mentor_fit.lua");
  if (!found[1]) return NotFoundError("rule set has no matching/channel_readiness.lua");
  std::string errors;
  for (int k = 0; k < 2; ++k) {
    MatchRuntime runtime(limits);
    const MatchKind kind = k == 0 ? MatchKind::kMentor : MatchKind::kChannel;
    Status s = runtime.Load(kind, rules->files_[k], rules->provinces_);
    if (s.code() == StatusCode::kResourceExhausted) return s;
    if (!s.ok()) {
      errors += (errors.empty() ? "" : "\n") + s.message();
      continue;
    }
    Result<json> d = runtime.Describe();
    if (!d.ok()) return d.status();
    rules->info_[k] = ToInfo(*d, rules->files_[k].path);
  }
  if (!errors.empty()) return InvalidArgumentError(errors);
  rules->hash_ = RuleSet::HashFiles(rules->files_);
  return std::shared_ptr<const MatchRules>(std::move(rules));
}

// ---------------------------------------------------------------------------------------------
// Mentors

Result<MentorMatchResult> MatchMentors(std::span<const EnterpriseProfile> enterprises,
                                       std::span<const Mentor> mentors, const MatchRules& rules,
                                       const MatchOptions& options) {
  const auto start = Clock::now();
  const MatchScriptInfo& script = rules.script(MatchKind::kMentor);
  const ProvinceTable& provinces = rules.provinces();
  const int n_ent = static_cast<int>(enterprises.size());
  const int n_men = static_cast<int>(mentors.size());
  const int n_prov = static_cast<int>(provinces.all().size());
  const int threads = std::max(1, std::min(options.threads, 64));
  if (options.top_k < 0 || options.top_k > 50) return InvalidArgumentError("top_k: must be 0 to 50");
  if (options.min_score < 0) return InvalidArgumentError("min_score: must be >= 0");

  // Canonical orders; c_* are canonical indexes.
  const std::vector<int> ent_order = CanonicalOrder(enterprises);
  const std::vector<int> men_order = CanonicalOrder(mentors);
  std::vector<int> men_canon(n_men);
  for (int c = 0; c < n_men; ++c) men_canon[men_order[c]] = c;
  std::map<std::string_view, int> ent_by_id, men_by_id;  // id -> canonical index (first)
  for (int c = n_ent - 1; c >= 0; --c) ent_by_id[enterprises[ent_order[c]].id] = c;
  for (int c = n_men - 1; c >= 0; --c) men_by_id[mentors[men_order[c]].id] = c;
  auto find_ent = [&](const std::string& id, const std::string& what) -> Result<int> {
    auto it = ent_by_id.find(id);
    if (it == ent_by_id.end()) return InvalidArgumentError(what + ": unknown enterprise id '" + id + "'");
    return it->second;
  };
  auto find_men = [&](const std::string& id, const std::string& what) -> Result<int> {
    auto it = men_by_id.find(id);
    if (it == men_by_id.end()) return InvalidArgumentError(what + ": unknown mentor id '" + id + "'");
    return it->second;
  };

  // Operator controls, resolved to canonical indexes.
  std::vector<char> unavailable(n_men, 0);
  for (size_t i = 0; i < options.unavailable.size(); ++i) {
    Result<int> m = find_men(options.unavailable[i], "unavailable[" + std::to_string(i) + "]");
    if (!m.ok()) return m.status();
    unavailable[*m] = 1;
  }
  std::set<std::pair<int, int>> forbidden;
  for (size_t i = 0; i < options.forbids.size(); ++i) {
    const std::string what = "forbids[" + std::to_string(i) + "]";
    Result<int> e = find_ent(options.forbids[i].first, what);
    if (!e.ok()) return e.status();
    Result<int> m = find_men(options.forbids[i].second, what);
    if (!m.ok()) return m.status();
    forbidden.insert({*e, *m});
  }
  std::vector<std::pair<int, int>> pins;
  for (size_t i = 0; i < options.pins.size(); ++i) {
    const std::string what = "pins[" + std::to_string(i) + "]";
    Result<int> e = find_ent(options.pins[i].first, what);
    if (!e.ok()) return e.status();
    Result<int> m = find_men(options.pins[i].second, what);
    if (!m.ok()) return m.status();
    pins.push_back({*e, *m});
  }
  std::vector<int> previous(n_ent, -1);  // canonical enterprise -> canonical mentor
  for (const auto& [eid, mid] : options.previous) {
    auto e = ent_by_id.find(eid);
    auto m = men_by_id.find(mid);
    // A previous pair whose enterprise is not in this run is ignored; a mentor no longer in
    // the registry means that pair cannot be kept (counted as changed).
    if (e == ent_by_id.end()) continue;
    previous[e->second] = m == men_by_id.end() ? -2 : m->second;
  }
  std::map<std::string, int> quota_group;  // province -> group
  std::vector<int> group_capacity;
  for (const auto& [code, q] : options.province_quota) {
    if (provinces.Find(code) == nullptr) {
      return InvalidArgumentError("province_quota: unknown province code '" + code + "'");
    }
    if (q < 0) return InvalidArgumentError("province_quota[" + code + "]: must be >= 0");
    quota_group[code] = static_cast<int>(group_capacity.size());
    group_capacity.push_back(q);
  }

  // Pruning index: (province, industry or "unknown") -> canonical mentors, by declared prunes.
  const bool prune_active = script.Prunes("mentor_active");
  const bool prune_capacity = script.Prunes("mentor_capacity");
  const bool prune_province = script.Prunes("province_served");
  const bool prune_industry = script.Prunes("industry_covered");
  auto base_excluded = [&](int c) -> const char* {
    const Mentor& m = mentors[men_order[c]];
    if (unavailable[c]) return "unavailable";
    if (prune_active && !m.active) return "mentor_active";
    if (prune_capacity && m.capacity <= 0) return "mentor_capacity";
    return nullptr;
  };
  const int cells_prov = prune_province ? n_prov : 1;
  const int cells_ind = prune_industry ? kIndustryCount + 1 : 1;  // +1: industry not given
  std::vector<std::vector<int>> index(static_cast<size_t>(cells_prov) * cells_ind);
  for (int c = 0; c < n_men; ++c) {
    if (base_excluded(c)) continue;
    const Mentor& m = mentors[men_order[c]];
    for (int p = 0; p < cells_prov; ++p) {
      if (prune_province && !m.served.Has(p)) continue;
      for (int i = 0; i < cells_ind; ++i) {
        if (prune_industry && !m.all_industries &&
            (i == kIndustryCount || !(m.industries & (1u << i)))) {
          continue;
        }
        index[static_cast<size_t>(p) * cells_ind + i].push_back(c);
      }
    }
  }

  // Scoring on `threads` threads, one runtime each.
  auto runtimes = MakeRuntimes(rules, MatchKind::kMentor, threads, [&](MatchRuntime& rt) {
    std::vector<Mentor> canon;
    canon.reserve(n_men);
    for (int c = 0; c < n_men; ++c) canon.push_back(mentors[men_order[c]]);
    return rt.SetMentors(canon, provinces);
  });
  if (!runtimes.ok()) return runtimes.status();
  std::vector<Scored> scored(n_ent);
  std::vector<std::vector<std::string>> error_samples(threads);
  std::vector<Status> thread_status(threads);
  const int nc = static_cast<int>(script.constraints.size());
  ParallelChunks(n_ent, threads, [&](int t, int first, int last) {
    MatchRuntime& rt = *(*runtimes)[t];
    std::vector<int64_t> out;
    std::vector<std::pair<int, Status>> errors;
    for (int ce = first; ce < last; ++ce) {
      const EnterpriseProfile& e = enterprises[ent_order[ce]];
      Scored& s = scored[ce];
      s.constraint_fails.assign(nc, 0);
      const int prov = ProvinceIndexOf(provinces, e.province);
      if (prune_province && prov < 0) {
        s.no_province = true;
        continue;
      }
      const int ind = e.industry ? static_cast<int>(*e.industry) : kIndustryCount;
      const std::vector<int>& cand =
          index[static_cast<size_t>(prune_province ? prov : 0) * cells_ind + (prune_industry ? ind : 0)];
      if (cand.empty()) continue;
      Status st = rt.SetEnterprise(e, provinces);
      if (!st.ok()) {
        thread_status[t] = st;
        return;
      }
      errors.clear();
      st = rt.ScoreAll(cand, &out, &errors);
      if (!st.ok()) {
        thread_status[t] = st;
        return;
      }
      for (const auto& [k, status] : errors) {
        ++s.errors;
        if (error_samples[t].size() < 20) {
          error_samples[t].push_back(e.id + " / " + mentors[men_order[cand[k]]].id + ": " +
                                     status.message());
        }
      }
      s.pairs.reserve(cand.size());
      for (size_t k = 0; k < cand.size(); ++k) {
        if (out[k] >= 0) s.pairs.push_back({cand[k], out[k]});
        else if (out[k] != MatchRuntime::kPairError) ++s.constraint_fails[-out[k] - 1];
      }
    }
  });
  for (const Status& s : thread_status) {
    if (!s.ok()) return s;
  }
  MentorMatchResult result;
  result.rules_hash = rules.hash();
  MatchSummary& sum = result.summary;
  sum.enterprises = n_ent;
  sum.pairs_possible = static_cast<int64_t>(n_ent) * n_men;
  for (int t = 0; t < threads; ++t) {
    for (std::string& m : error_samples[t]) {
      if (sum.error_samples.size() < 20) sum.error_samples.push_back(std::move(m));
    }
  }

  // The problem: canonical enterprises and mentors.
  AssignmentProblem problem;
  problem.enterprises = n_ent;
  problem.objective = options.objective;
  problem.mentor_capacity.resize(n_men);
  for (int c = 0; c < n_men; ++c) {
    problem.mentor_capacity[c] = unavailable[c] ? 0 : std::max(0, mentors[men_order[c]].capacity);
  }
  if (!group_capacity.empty()) {
    problem.group_capacity = group_capacity;
    problem.enterprise_group.assign(n_ent, -1);
    for (int ce = 0; ce < n_ent; ++ce) {
      const EnterpriseProfile& e = enterprises[ent_order[ce]];
      if (!e.province) continue;
      auto it = quota_group.find(*e.province);
      if (it != quota_group.end()) problem.enterprise_group[ce] = it->second;
    }
  }
  // Pinned pairs skip the minimum score; so do kept pairs? No: a kept pair must still be allowed.
  std::set<std::pair<int, int>> pinned_set(pins.begin(), pins.end());
  std::vector<int> pin_of(n_ent, -1);
  for (auto [e, m] : pins) pin_of[e] = m;
  // Scale for kMaxTotalFit: score * (E + 1) + 1 makes "most matched" the tie rule among
  // assignments of maximum total fit (the +1s sum to at most E < E + 1).
  const bool scaled = options.objective == AssignmentObjective::kMaxTotalFit;
  const int64_t scale = scaled ? static_cast<int64_t>(n_ent) + 1 : 1;
  std::vector<std::vector<int>> excluded_control(n_ent);  // counts: forbidden, below_min
  std::vector<std::array<int, 2>> control_counts(n_ent, {0, 0});
  std::vector<size_t> first_pair(n_ent + 1, 0);
  for (int ce = 0; ce < n_ent; ++ce) {
    first_pair[ce] = problem.pairs.size();
    for (const auto& [cm, score] : scored[ce].pairs) {
      const bool is_pin = pin_of[ce] == cm;
      if (!is_pin && forbidden.count({ce, cm})) {
        ++control_counts[ce][0];
        continue;
      }
      if (!is_pin && score < options.min_score) {
        ++control_counts[ce][1];
        continue;
      }
      if (score > (int64_t{1} << 40)) return InvalidArgumentError("fit score too large");
      problem.pairs.push_back({ce, cm, scaled ? score * scale + 1 : score});
    }
  }
  first_pair[n_ent] = problem.pairs.size();
  sum.pairs_allowed = static_cast<int64_t>(problem.pairs.size());
  for (const Scored& s : scored) {
    sum.pairs_scored += static_cast<int64_t>(s.pairs.size()) + s.errors;
    for (int f : s.constraint_fails) sum.pairs_scored += f;
    sum.script_errors += s.errors;
  }
  auto pair_index = [&](int ce, int cm) -> int64_t {
    for (size_t k = first_pair[ce]; k < first_pair[ce + 1]; ++k) {
      if (problem.pairs[k].mentor == cm) return static_cast<int64_t>(k);
    }
    return -1;
  };

  // Pins: each must be an allowed pair; otherwise say why.
  std::vector<int> used(n_men, 0);
  std::vector<int> group_used(group_capacity.size(), 0);
  std::vector<char> status_pinned(n_ent, 0), status_kept(n_ent, 0);
  for (size_t i = 0; i < pins.size(); ++i) {
    const auto [ce, cm] = pins[i];
    if (pair_index(ce, cm) < 0) {
      const EnterpriseProfile& e = enterprises[ent_order[ce]];
      const Mentor& m = mentors[men_order[cm]];
      std::string why;
      if (const char* b = base_excluded(cm)) why = ExclusionText(b).en;
      else if (scored[ce].no_province) why = ExclusionText("no_province").en;
      else {
        // Explain the pair with the script to name its failing constraints.
        MatchRuntime& rt = *(*runtimes)[0];
        std::vector<int> failed;
        std::vector<int64_t> parts;
        Status st = rt.SetEnterprise(e, provinces);
        if (st.ok()) st = rt.Explain(cm, &failed, &parts);
        if (!st.ok()) why = st.message();
        for (int f : failed) why += (why.empty() ? "" : "; ") + script.constraints[f].text.en;
        if (why.empty()) why = "excluded by the index (province or industry not covered)";
      }
      return InvalidArgumentError("pins[" + std::to_string(i) + "] (" + e.id + ", " + m.id +
                                  "): not an allowed pair: " + why);
    }
    if (used[cm] >= problem.mentor_capacity[cm]) {
      return InvalidArgumentError("pins[" + std::to_string(i) + "] (" + enterprises[ent_order[ce]].id +
                                  ", " + mentors[men_order[cm]].id + "): exceeds the mentor's capacity of " +
                                  std::to_string(problem.mentor_capacity[cm]));
    }
    if (status_pinned[ce]) {
      return InvalidArgumentError("pins[" + std::to_string(i) + "]: enterprise '" +
                                  enterprises[ent_order[ce]].id + "' is pinned twice");
    }
    const int g = problem.enterprise_group.empty() ? -1 : problem.enterprise_group[ce];
    if (g >= 0 && group_used[g] >= group_capacity[g]) {
      return InvalidArgumentError("pins[" + std::to_string(i) + "]: exceeds the quota of province " +
                                  *enterprises[ent_order[ce]].province);
    }
    if (g >= 0) ++group_used[g];
    ++used[cm];
    status_pinned[ce] = 1;
    problem.pinned.push_back({ce, cm});
  }
  // Re-matching: keep previous pairs that are still allowed, in canonical enterprise order,
  // while the mentor has room.
  if (options.keep_previous) {
    for (int ce = 0; ce < n_ent; ++ce) {
      const int cm = previous[ce];
      if (cm < 0 || status_pinned[ce] || pair_index(ce, cm) < 0) continue;
      const int g = problem.enterprise_group.empty() ? -1 : problem.enterprise_group[ce];
      if (used[cm] >= problem.mentor_capacity[cm]) continue;
      if (g >= 0 && group_used[g] >= group_capacity[g]) continue;
      if (g >= 0) ++group_used[g];
      ++used[cm];
      status_kept[ce] = 1;
      problem.pinned.push_back({ce, cm});
    }
  }
  sum.scoring_seconds = Seconds(start);

  const auto solve_start = Clock::now();
  Result<Assignment> solved = SolveAssignment(problem);
  if (!solved.ok()) return solved.status();
  sum.solving_seconds = Seconds(solve_start);
  const Assignment& a = *solved;

  // Per enterprise: mentor, explanation, alternatives; unmatched reasons.
  std::vector<int> assigned(n_men, 0);
  for (int ce = 0; ce < n_ent; ++ce) {
    if (a.mentor_of[ce] >= 0) ++assigned[a.mentor_of[ce]];
  }
  std::vector<int> group_matched(group_capacity.size(), 0);
  for (int ce = 0; ce < n_ent; ++ce) {
    const int g = problem.enterprise_group.empty() ? -1 : problem.enterprise_group[ce];
    if (g >= 0 && a.mentor_of[ce] >= 0) ++group_matched[g];
  }
  result.matches.resize(n_ent);
  std::vector<Status> explain_status(threads);
  ParallelChunks(n_ent, threads, [&](int t, int first, int last) {
    MatchRuntime& rt = *(*runtimes)[t];
    std::vector<int> failed;
    std::vector<int64_t> parts;
    for (int ce = first; ce < last; ++ce) {
      const int input = ent_order[ce];
      const EnterpriseProfile& e = enterprises[input];
      EnterpriseMatch& r = result.matches[input];
      r.enterprise = input;
      r.allowed = static_cast<int>(first_pair[ce + 1] - first_pair[ce]);
      if (previous[ce] >= 0) r.previous_mentor = men_order[previous[ce]];
      const int cm = a.mentor_of[ce];
      bool entered = false;
      auto enter = [&]() -> bool {
        if (entered) return true;
        Status st = rt.SetEnterprise(e, provinces);
        if (!st.ok()) {
          explain_status[t] = st;
          return false;
        }
        entered = true;
        return true;
      };
      if (cm >= 0) {
        r.mentor = men_order[cm];
        r.status = status_pinned[ce] ? MatchStatus::kPinned
                   : status_kept[ce] ? MatchStatus::kKept : MatchStatus::kMatched;
        const int64_t k = pair_index(ce, cm);
        const int64_t s = problem.pairs[k].score;
        r.score = scaled ? (s - 1) / scale : s;
        if (!enter()) return;
        Status st = rt.Explain(cm, &failed, &parts);
        if (st.ok()) r.parts = parts;
        const std::string th = PartsText(script, r.parts, true);
        const std::string en = PartsText(script, r.parts, false);
        std::string pre_th, pre_en;
        if (r.status == MatchStatus::kPinned) {
          pre_th = "เจ้าหน้าที่กำหนดคู่นี้; ";
          pre_en = "pinned by the operator; ";
        } else if (r.status == MatchStatus::kKept) {
          pre_th = "คงคู่เดิมจากการจับคู่ครั้งก่อน; ";
          pre_en = "kept from the previous assignment; ";
        }
        r.reason = {pre_th + "คะแนนความเหมาะสม " + std::to_string(r.score) + " (" + th + ")",
                    pre_en + "fit " + std::to_string(r.score) + " (" + en + ")"};
      } else {
        r.status = MatchStatus::kUnmatched;
        const Scored& s = scored[ce];
        const int g = problem.enterprise_group.empty() ? -1 : problem.enterprise_group[ce];
        if (s.no_province) {
          r.unmatched_code = "no_province";
          r.reason = ExclusionText("no_province");
        } else if (r.allowed == 0) {
          r.unmatched_code = "no_allowed_mentor";
          // Which constraint excluded the mentors (the first that applies, engine's first).
          std::map<std::string, int> counts;
          const int prov = ProvinceIndexOf(provinces, e.province);
          const int ind = e.industry ? static_cast<int>(*e.industry) : -1;
          for (int c = 0; c < n_men; ++c) {
            const Mentor& m = mentors[men_order[c]];
            if (const char* b = base_excluded(c)) {
              ++counts[b];
            } else if (prune_province && !m.served.Has(prov)) {
              ++counts["province_served"];
            } else if (prune_industry && !m.all_industries && (ind < 0 || !(m.industries & (1u << ind)))) {
              ++counts["industry_covered"];
            }
          }
          auto add = [&](const std::string& id, LocalizedText text, int count) {
            if (count > 0) r.excluded.push_back({id, std::move(text), count});
          };
          for (const char* id : {"unavailable", "mentor_active", "mentor_capacity",
                                 "province_served", "industry_covered"}) {
            add(id, ExclusionText(id), counts[id]);
          }
          for (int i = 0; i < nc; ++i) {
            add(script.constraints[i].id, script.constraints[i].text, s.constraint_fails[i]);
          }
          add("forbidden", ExclusionText("forbidden"), control_counts[ce][0]);
          add("below_min_score", ExclusionText("below_min_score"), control_counts[ce][1]);
          add("script_error", ExclusionText("script_error"), s.errors);
          std::string th, en;
          for (const Exclusion& x : r.excluded) {
            th += (th.empty() ? "" : "; ") + x.text.th + " (" + std::to_string(x.count) + ")";
            en += (en.empty() ? "" : "; ") + x.text.en + " (" + std::to_string(x.count) + ")";
          }
          r.reason = {"ไม่มีพี่เลี้ยงที่จับคู่ได้: " + (th.empty() ? "ไม่มีพี่เลี้ยงในทะเบียน" : th),
                      "no allowed mentor: " + (en.empty() ? "no mentor in the registry" : en)};
        } else {
          bool all_full = true;
          for (size_t k = first_pair[ce]; k < first_pair[ce + 1]; ++k) {
            const int m = problem.pairs[k].mentor;
            if (assigned[m] < problem.mentor_capacity[m]) all_full = false;
          }
          if (all_full) {
            r.unmatched_code = "all_suitable_full";
            r.reason = {"พี่เลี้ยงที่เหมาะสมทั้ง " + std::to_string(r.allowed) + " คนเต็มแล้ว",
                        "every suitable mentor (" + std::to_string(r.allowed) + ") is full"};
          } else if (g >= 0 && group_matched[g] >= group_capacity[g]) {
            r.unmatched_code = "quota_reached";
            r.reason = {"ครบโควตาของจังหวัด " + *e.province + " แล้ว",
                        "the quota of province " + *e.province + " is reached"};
          } else {
            r.unmatched_code = "not_chosen";
            r.reason = {"ผลรวมคะแนนสูงสุดทำได้โดยไม่จับคู่กิจการนี้",
                        "the maximum total fit is reached without this enterprise"};
          }
        }
      }
      // Top-k alternatives among the allowed pairs not chosen.
      if (options.top_k > 0 && r.allowed > 0) {
        std::vector<size_t> ks;
        for (size_t k = first_pair[ce]; k < first_pair[ce + 1]; ++k) {
          if (problem.pairs[k].mentor != cm) ks.push_back(k);
        }
        auto slack_points = [&](size_t k) {
          const int64_t sl = a.slack[k];
          return sl == kUnchoosableSlack ? sl : CeilDiv(sl, scale);
        };
        const size_t take = std::min<size_t>(options.top_k, ks.size());
        std::partial_sort(ks.begin(), ks.begin() + take, ks.end(), [&](size_t x, size_t y) {
          const int64_t sx = slack_points(x), sy = slack_points(y);
          if (sx != sy) return sx < sy;
          if (problem.pairs[x].score != problem.pairs[y].score) {
            return problem.pairs[x].score > problem.pairs[y].score;
          }
          return problem.pairs[x].mentor < problem.pairs[y].mentor;
        });
        for (size_t j = 0; j < take; ++j) {
          const CandidatePair& p = problem.pairs[ks[j]];
          r.alternatives.push_back({men_order[p.mentor], scaled ? (p.score - 1) / scale : p.score,
                                    slack_points(ks[j])});
        }
      }
      if (previous[ce] == -2) r.changed = true;  // the previous mentor left the registry
      else if (r.previous_mentor >= 0) r.changed = r.mentor != r.previous_mentor;
    }
  });
  for (const Status& s : explain_status) {
    if (!s.ok()) return s;
  }
  for (const auto& rt : *runtimes) sum.replays += rt->sandbox().replays();

  // Summary.
  std::map<std::string, MatchSummary::Share> by_prov, by_ind;
  std::vector<int64_t> scores;
  for (int i = 0; i < n_ent; ++i) {
    const EnterpriseMatch& r = result.matches[i];
    const EnterpriseProfile& e = enterprises[i];
    const bool matched = r.mentor >= 0;
    const std::string prov = e.province.value_or("");
    const std::string ind = e.industry ? std::string(IndustryLabels()[static_cast<int>(*e.industry)].id) : "";
    for (auto [map, key] : {std::pair{&by_prov, prov}, std::pair{&by_ind, ind}}) {
      MatchSummary::Share& sh = (*map)[key];
      sh.key = key;
      ++sh.enterprises;
      sh.matched += matched;
    }
    if (matched) {
      ++sum.matched;
      sum.total_score += r.score;
      scores.push_back(r.score);
    }
    if (r.previous_mentor >= 0 || r.changed) {
      if (r.changed) ++sum.changed;
      else ++sum.kept;
    } else if (matched) {
      ++sum.newly_matched;
    }
  }
  for (auto& [k, v] : by_prov) sum.by_province.push_back(v);
  for (auto& [k, v] : by_ind) sum.by_industry.push_back(v);
  for (int i = 0; i < n_men; ++i) {
    sum.mentors.push_back({i, assigned[men_canon[i]], mentors[i].capacity});
  }
  if (!scores.empty()) {
    std::sort(scores.begin(), scores.end());
    const double q[5] = {0, 0.25, 0.5, 0.75, 1.0};
    for (int k = 0; k < 5; ++k) {
      // Nearest rank.
      size_t rank = static_cast<size_t>(std::ceil(q[k] * static_cast<double>(scores.size())));
      sum.score_quantiles[k] = scores[rank == 0 ? 0 : rank - 1];
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Channels

Result<ChannelMatchResult> MatchChannels(std::span<const EnterpriseProfile> enterprises,
                                         std::span<const Channel> channels, const MatchRules& rules,
                                         const ChannelOptions& options) {
  const auto start = Clock::now();
  const MatchScriptInfo& script = rules.script(MatchKind::kChannel);
  const ProvinceTable& provinces = rules.provinces();
  const int n_ent = static_cast<int>(enterprises.size());
  const int n_ch = static_cast<int>(channels.size());
  const int threads = std::max(1, std::min(options.threads, 64));
  if (options.max_channels_per_enterprise < 0) {
    return InvalidArgumentError("max_channels_per_enterprise: must be >= 0");
  }
  if (options.min_score < 0) return InvalidArgumentError("min_score: must be >= 0");
  const std::vector<int> ent_order = CanonicalOrder(enterprises);
  const std::vector<int> ch_order = CanonicalOrder(channels);
  const bool prune_active = script.Prunes("channel_active");
  const bool prune_industry = script.Prunes("industry_accepted");
  const bool prune_region = script.Prunes("region_served");

  auto runtimes = MakeRuntimes(rules, MatchKind::kChannel, threads, [&](MatchRuntime& rt) {
    std::vector<Channel> canon;
    for (int c = 0; c < n_ch; ++c) canon.push_back(channels[ch_order[c]]);
    return rt.SetChannels(canon, provinces);
  });
  if (!runtimes.ok()) return runtimes.status();

  ChannelMatchResult result;
  result.rules_hash = rules.hash();
  result.enterprises.resize(n_ent);
  std::vector<std::vector<std::string>> samples(threads);
  std::vector<int> errors(threads, 0);
  std::vector<Status> thread_status(threads);
  ParallelChunks(n_ent, threads, [&](int t, int first, int last) {
    MatchRuntime& rt = *(*runtimes)[t];
    std::vector<int> failed;
    std::vector<int64_t> parts;
    for (int ce = first; ce < last; ++ce) {
      const int input = ent_order[ce];
      const EnterpriseProfile& e = enterprises[input];
      EnterpriseChannels& ec = result.enterprises[input];
      ec.enterprise = input;
      ec.channels.resize(n_ch);
      const int prov = ProvinceIndexOf(provinces, e.province);
      bool entered = false;
      for (int cc = 0; cc < n_ch; ++cc) {
        const Channel& ch = channels[ch_order[cc]];
        ChannelFit& f = ec.channels[ch_order[cc]];
        f.channel = ch_order[cc];
        const char* pruned = nullptr;
        if (prune_active && !ch.active) pruned = "channel_active";
        else if (prune_industry && !ch.all_industries &&
                 (!e.industry || !(ch.industries & (1u << static_cast<int>(*e.industry))))) {
          pruned = "industry_accepted";
        } else if (prune_region && (prov < 0 || !ch.served.Has(prov))) {
          pruned = "region_served";
        }
        if (pruned) {
          f.readiness = Readiness::kNotApplicable;
          f.gap_ids.push_back(pruned);
          f.gaps.push_back(ExclusionText(pruned));
          continue;
        }
        if (!entered) {
          Status st = rt.SetEnterprise(e, provinces);
          if (!st.ok()) {
            thread_status[t] = st;
            return;
          }
          entered = true;
        }
        Status st = rt.Explain(cc, &failed, &parts);
        if (!st.ok()) {
          ++errors[t];
          if (samples[t].size() < 20) samples[t].push_back(e.id + " / " + ch.id + ": " + st.message());
          f.readiness = Readiness::kNotApplicable;
          f.gap_ids.push_back("script_error");
          f.gaps.push_back(ExclusionText("script_error"));
          continue;
        }
        f.readiness = failed.empty() ? Readiness::kReady : Readiness::kNotReady;
        for (int i : failed) {
          f.gap_ids.push_back(script.constraints[i].id);
          f.gaps.push_back(script.constraints[i].text);
        }
        if (!parts.empty()) {
          f.parts = parts;
          f.score = std::accumulate(parts.begin(), parts.end(), int64_t{0});
        }
      }
    }
  });
  for (const Status& s : thread_status) {
    if (!s.ok()) return s;
  }
  ChannelSummary& sum = result.summary;
  sum.enterprises = n_ent;
  for (int t = 0; t < threads; ++t) {
    sum.script_errors += errors[t];
    for (std::string& m : samples[t]) {
      if (sum.error_samples.size() < 20) sum.error_samples.push_back(std::move(m));
    }
  }
  sum.scoring_seconds = Seconds(start);

  // Slots: ready pairs scoring at least min_score, channels as "mentors".
  const auto solve_start = Clock::now();
  AssignmentProblem problem;
  problem.enterprises = n_ent;
  problem.objective = options.objective;
  const bool scaled = options.objective == AssignmentObjective::kMaxTotalFit;
  const int64_t scale = scaled ? static_cast<int64_t>(n_ent) * std::max(1, n_ch) + 1 : 1;
  for (int cc = 0; cc < n_ch; ++cc) {
    const Channel& ch = channels[ch_order[cc]];
    problem.mentor_capacity.push_back(ch.slots ? *ch.slots : n_ent);
  }
  problem.enterprise_capacity.assign(
      n_ent, options.max_channels_per_enterprise > 0 ? options.max_channels_per_enterprise : std::max(1, n_ch));
  std::vector<std::pair<int, int>> pair_of;  // (input enterprise, input channel)
  for (int ce = 0; ce < n_ent; ++ce) {
    const EnterpriseChannels& ec = result.enterprises[ent_order[ce]];
    for (int cc = 0; cc < n_ch; ++cc) {
      const ChannelFit& f = ec.channels[ch_order[cc]];
      if (f.readiness != Readiness::kReady || !f.score || *f.score < options.min_score) continue;
      problem.pairs.push_back({ce, cc, scaled ? *f.score * scale + 1 : *f.score});
      pair_of.push_back({ent_order[ce], ch_order[cc]});
    }
  }
  Result<Assignment> solved = SolveAssignment(problem);
  if (!solved.ok()) return solved.status();
  sum.solving_seconds = Seconds(solve_start);
  sum.channels.resize(n_ch);
  for (int c = 0; c < n_ch; ++c) {
    sum.channels[c].channel = c;
    sum.channels[c].slots = channels[c].slots;
  }
  for (size_t k = 0; k < problem.pairs.size(); ++k) {
    ChannelFit& f = result.enterprises[pair_of[k].first].channels[pair_of[k].second];
    f.assigned = solved->chosen[k] != 0;
    const int64_t sl = solved->slack[k];
    f.slack = f.assigned ? 0 : (sl == kUnchoosableSlack ? sl : CeilDiv(sl, scale));
    if (f.assigned) {
      ++sum.channels[pair_of[k].second].assigned;
      ++sum.assignments;
      sum.total_score += *f.score;
    }
  }
  for (const EnterpriseChannels& ec : result.enterprises) {
    for (const ChannelFit& f : ec.channels) {
      if (f.readiness != Readiness::kNotApplicable) ++sum.channels[f.channel].applicable;
      if (f.readiness == Readiness::kReady) ++sum.channels[f.channel].ready;
    }
  }
  return result;
}

}  // namespace smematch
