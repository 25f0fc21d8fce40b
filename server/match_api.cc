#include "match_api.h"

#include <filesystem>
#include <set>

namespace smematch::server {
namespace {

using nlohmann::json;

std::string RowErrors(const std::string& path, const std::vector<RegistryRowError>& bad) {
  std::string out;
  for (const RegistryRowError& b : bad) {
    if (!out.empty()) out.push_back('\n');
    out += path + ": row " + std::to_string(b.row) + (b.id.empty() ? "" : " (" + b.id + ")") +
           ": " + JoinFieldErrors(b.errors);
  }
  return out;
}

// Reads [{"enterprise": "...", "mentor": "..."}] at `pointer`.
void ReadPairs(const json& value, const std::string& pointer,
               std::vector<std::pair<std::string, std::string>>* out,
               std::vector<ProblemField>* errors) {
  if (!value.is_array()) {
    errors->push_back({pointer, "expected an array of {\"enterprise\": id, \"mentor\": id}"});
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const json& p = value[i];
    std::string at = pointer + "/" + std::to_string(i);
    if (!p.is_object() || !p.contains("enterprise") || !p["enterprise"].is_string() ||
        !p.contains("mentor") || !p["mentor"].is_string() || p.size() != 2) {
      errors->push_back({at, "expected {\"enterprise\": id, \"mentor\": id}"});
      continue;
    }
    out->push_back({p["enterprise"].get<std::string>(), p["mentor"].get<std::string>()});
  }
}

bool ReadWhole(const json& value, int64_t lo, int64_t hi, int64_t* out) {
  if (!value.is_number_integer()) return false;
  int64_t v = value.get<int64_t>();
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace

std::string DefaultRegistryPath(const std::string& given, const std::string& rules_dir,
                                const std::string& file) {
  if (!given.empty()) return given;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path demo = fs::path(rules_dir).lexically_normal();
  if (demo.filename().empty()) demo = demo.parent_path();  // "rules/"
  demo = demo.parent_path() / "data" / "demo" / file;
  return fs::is_regular_file(demo, ec) ? demo.string() : "";
}

Result<std::shared_ptr<const MatchData>> LoadMatchData(const std::string& rules_dir,
                                                       const ProvinceTable& provinces,
                                                       const RuleLimits& limits,
                                                       const std::string& mentors_path,
                                                       const std::string& channels_path) {
  auto data = std::make_shared<MatchData>();
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(rules_dir) / "matching", ec)) {
    return std::shared_ptr<const MatchData>(std::move(data));  // matching off
  }
  auto rules = MatchRules::Load(rules_dir, provinces, limits);
  if (!rules.ok()) return rules.status().WithPrefix("matching scripts");
  data->rules = std::move(*rules);
  if (!mentors_path.empty()) {
    auto reg = ReadMentorsFile(mentors_path, provinces);
    if (!reg.ok()) return reg.status().WithPrefix("mentor registry");
    if (!reg->bad_rows.empty()) {
      return InvalidArgumentError("mentor registry refused:\n" + RowErrors(mentors_path, reg->bad_rows));
    }
    data->mentors = std::move(reg->items);
    data->mentors_path = mentors_path;
  }
  if (!channels_path.empty()) {
    auto reg = ReadChannelsFile(channels_path, provinces);
    if (!reg.ok()) return reg.status().WithPrefix("channel registry");
    if (!reg->bad_rows.empty()) {
      return InvalidArgumentError("channel registry refused:\n" +
                                  RowErrors(channels_path, reg->bad_rows));
    }
    data->channels = std::move(reg->items);
    data->channels_path = channels_path;
  }
  return std::shared_ptr<const MatchData>(std::move(data));
}

void ParseMatchRequest(const json& body, MatchKind kind, size_t max_enterprises,
                       MatchRequest* out, std::vector<ProblemField>* errors) {
  out->kind = kind;
  const bool mentors = kind == MatchKind::kMentor;
  static const std::set<std::string> kCommon = {"enterprises", "enterprise", "eligible_only",
                                                "objective", "min_score", "as_of", "lang"};
  static const std::set<std::string> kMentorOnly = {"top_k", "pins", "forbids", "unavailable",
                                                    "province_quota", "previous", "keep_previous"};
  static const std::set<std::string> kChannelOnly = {"max_channels"};
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    const json& value = it.value();
    const std::string at = "/" + PointerToken(key);
    if (!kCommon.count(key) && !(mentors ? kMentorOnly : kChannelOnly).count(key)) {
      errors->push_back({at, mentors ? "unknown member; expected enterprises or enterprise, "
                                       "eligible_only, objective, top_k, min_score, pins, "
                                       "forbids, unavailable, province_quota, previous, "
                                       "keep_previous, as_of or lang"
                                     : "unknown member; expected enterprises or enterprise, "
                                       "eligible_only, objective, min_score, max_channels, "
                                       "as_of or lang"});
      continue;
    }
    if (key == "enterprises") {
      if (!value.is_array()) {
        errors->push_back({at, "expected an array of enterprise profiles"});
        continue;
      }
      if (value.size() > max_enterprises) {
        errors->push_back({at, std::to_string(value.size()) + " enterprises; at most " +
                                   std::to_string(max_enterprises) + " in one request"});
        continue;
      }
      for (size_t i = 0; i < value.size(); ++i) {
        std::string p = at + "/" + std::to_string(i);
        if (!value[i].is_object()) {
          errors->push_back({p, "expected an enterprise profile object"});
          continue;
        }
        out->enterprises.push_back(value[i].dump());
        out->pointers.push_back(p);
      }
    } else if (key == "enterprise") {
      if (!value.is_object()) {
        errors->push_back({at, "expected an enterprise profile object"});
        continue;
      }
      out->single = true;
      out->enterprises.push_back(value.dump());
      out->pointers.push_back(at);
    } else if (key == "eligible_only") {
      if (value.is_boolean()) out->eligible_only = value.get<bool>();
      else errors->push_back({at, "expected true or false"});
    } else if (key == "objective") {
      AssignmentObjective o;
      if (value == "max-fit") o = AssignmentObjective::kMaxTotalFit;
      else if (value == "most-matched") o = AssignmentObjective::kMostMatchedThenFit;
      else {
        errors->push_back({at, "expected \"max-fit\" or \"most-matched\""});
        continue;
      }
      out->mentor.objective = out->channel.objective = o;
    } else if (key == "min_score") {
      int64_t v = 0;
      if (ReadWhole(value, 0, int64_t{1} << 40, &v)) out->mentor.min_score = out->channel.min_score = v;
      else errors->push_back({at, "expected a whole number >= 0"});
    } else if (key == "as_of") {
      auto d = value.is_string() ? Date::Parse(value.get<std::string>())
                                 : Result<Date>(InvalidArgumentError("expected YYYY-MM-DD"));
      if (d.ok()) out->as_of = *d;
      else errors->push_back({at, d.status().message()});
    } else if (key == "lang") {
      if (value == "th") out->lang = Lang::kTh;
      else if (value == "en") out->lang = Lang::kEn;
      else errors->push_back({at, "expected \"th\" or \"en\""});
    } else if (key == "top_k") {
      int64_t v = 0;
      if (ReadWhole(value, 0, 50, &v)) out->mentor.top_k = static_cast<int>(v);
      else errors->push_back({at, "expected a whole number from 0 to 50"});
    } else if (key == "pins") {
      ReadPairs(value, at, &out->mentor.pins, errors);
    } else if (key == "forbids") {
      ReadPairs(value, at, &out->mentor.forbids, errors);
    } else if (key == "unavailable") {
      if (!value.is_array()) {
        errors->push_back({at, "expected an array of mentor ids"});
        continue;
      }
      for (size_t i = 0; i < value.size(); ++i) {
        if (value[i].is_string()) out->mentor.unavailable.push_back(value[i].get<std::string>());
        else errors->push_back({at + "/" + std::to_string(i), "expected a mentor id"});
      }
    } else if (key == "province_quota") {
      if (!value.is_object()) {
        errors->push_back({at, "expected an object {\"TH-xx\": most enterprises matched there}"});
        continue;
      }
      for (auto q = value.begin(); q != value.end(); ++q) {
        int64_t v = 0;
        if (ReadWhole(q.value(), 0, 1'000'000, &v)) {
          out->mentor.province_quota[q.key()] = static_cast<int>(v);
        } else {
          errors->push_back({at + "/" + PointerToken(q.key()), "expected a whole number >= 0"});
        }
      }
    } else if (key == "previous") {
      // {"enterprise id": "mentor id"} or [{"enterprise": id, "mentor": id}]
      if (value.is_object()) {
        for (auto p = value.begin(); p != value.end(); ++p) {
          if (p.value().is_string()) out->mentor.previous[p.key()] = p.value().get<std::string>();
          else errors->push_back({at + "/" + PointerToken(p.key()), "expected a mentor id"});
        }
      } else {
        std::vector<std::pair<std::string, std::string>> pairs;
        ReadPairs(value, at, &pairs, errors);
        for (auto& [e, m] : pairs) out->mentor.previous[e] = m;
      }
    } else if (key == "keep_previous") {
      if (value.is_boolean()) out->mentor.keep_previous = value.get<bool>();
      else errors->push_back({at, "expected true or false"});
    } else if (key == "max_channels") {
      int64_t v = 0;
      if (ReadWhole(value, 0, 1000, &v)) out->channel.max_channels_per_enterprise = static_cast<int>(v);
      else errors->push_back({at, "expected a whole number from 0 (no limit) to 1000"});
    }
  }
  if (body.contains("enterprises") && body.contains("enterprise")) {
    errors->push_back({"/enterprise", "give either enterprise or enterprises, not both"});
  } else if (!body.contains("enterprises") && !body.contains("enterprise")) {
    errors->push_back({"/enterprises", "required (or enterprise for a single profile)"});
  }
  out->mentor.threads = out->channel.threads = 1;  // the HTTP pool runs requests in parallel
}

void CheckControlIds(const MatchOptions& options, const std::vector<EnterpriseProfile>& enterprises,
                     const std::vector<Mentor>& mentors, const ProvinceTable& provinces,
                     std::vector<ProblemField>* errors) {
  std::set<std::string_view> eids, mids;
  for (const EnterpriseProfile& e : enterprises) eids.insert(e.id);
  for (const Mentor& m : mentors) mids.insert(m.id);
  auto check_pairs = [&](const char* name,
                         const std::vector<std::pair<std::string, std::string>>& pairs) {
    for (size_t i = 0; i < pairs.size(); ++i) {
      std::string at = std::string("/") + name + "/" + std::to_string(i);
      if (!eids.count(pairs[i].first)) {
        errors->push_back({at + "/enterprise", std::string(name) + ": no enterprise \"" +
                                                   pairs[i].first + "\" in this request"});
      }
      if (!mids.count(pairs[i].second)) {
        errors->push_back({at + "/mentor", std::string(name) + ": no mentor \"" +
                                               pairs[i].second + "\" in the mentor registry"});
      }
    }
  };
  check_pairs("pins", options.pins);
  check_pairs("forbids", options.forbids);
  for (size_t i = 0; i < options.unavailable.size(); ++i) {
    if (!mids.count(options.unavailable[i])) {
      errors->push_back({"/unavailable/" + std::to_string(i),
                         "unavailable: no mentor \"" + options.unavailable[i] +
                             "\" in the mentor registry"});
    }
  }
  for (const auto& [e, m] : options.previous) {
    if (!mids.count(m)) {
      errors->push_back({"/previous/" + PointerToken(e),
                         "previous: no mentor \"" + m + "\" in the mentor registry"});
    }
  }
  for (const auto& [code, n] : options.province_quota) {
    if (!provinces.Find(code)) {
      errors->push_back({"/province_quota/" + PointerToken(code),
                         "province_quota: unknown province code \"" + code +
                             "\"; expected an ISO 3166-2:TH code such as TH-50"});
    }
  }
}

}  // namespace smematch::server
