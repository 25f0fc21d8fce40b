#include "smematch/rule_set.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "condition.h"
#include "lua/rule_runtime.h"

namespace smematch {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kProvincesFile = "/data/provinces.csv";

LocalizedText Text(const json& j) {
  if (!j.is_object()) return {};
  return {j.value("th", ""), j.value("en", "")};
}

Status ReadFile(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return Status::Ok();
}

ProgramInfo ToProgramInfo(const json& j, int index) {
  ProgramInfo p;
  p.index = index;
  p.id = j.at("id").get<std::string>();
  p.name = Text(j.at("name"));
  if (j.contains("description")) p.description = Text(j["description"]);
  p.version = j.at("version").get<std::string>();
  p.effective_from = *Date::Parse(j.at("effective_from").get<std::string>());
  if (j.contains("effective_to") && j["effective_to"].is_string()) {
    p.effective_to = *Date::Parse(j["effective_to"].get<std::string>());
  }
  p.source = j.value("source", "");
  p.script = j.at("script").get<std::string>();
  if (j.contains("parameters") && j["parameters"].is_array()) {
    for (const json& pj : j["parameters"]) {
      ParameterInfo pi;
      pi.name = pj.at("name").get<std::string>();
      pi.value = pj.contains("value") ? pj["value"] : json();
      pi.type = pj.value("type", "");
      pi.unit = pj.value("unit", "");
      pi.description = {pj.value("th", ""), pj.value("en", "")};
      pi.source = pj.value("source", "");
      pi.assumed = pj.value("assumed", false);
      pi.line = pj.value("line", 0);
      p.parameters.push_back(std::move(pi));
    }
  }
  if (j.contains("criteria") && j["criteria"].is_array()) {
    for (const json& cj : j["criteria"]) {
      CriterionInfo ci;
      ci.id = cj.at("id").get<std::string>();
      ci.title = {cj.value("th", ""), cj.value("en", "")};
      ci.pass = Text(cj.value("pass", json::object()));
      ci.fail = Text(cj.value("fail", json::object()));
      ci.source = cj.value("source", "");
      ci.assumed = cj.value("assumed", false);
      ci.line = cj.value("line", 0);
      ci.condition = cj.value("condition", "");
      p.criteria.push_back(std::move(ci));
    }
  }
  if (j.contains("groups") && j["groups"].is_array()) {
    for (const json& gj : j["groups"]) {
      p.groups.push_back({gj.at("id").get<std::string>(), {gj.value("th", ""), gj.value("en", "")}});
    }
  }
  p.has_score = j.value("has_score", false);
  if (j.contains("benefit") && j["benefit"].is_object()) p.benefit = Text(j["benefit"]);
  return p;
}

// Compiles every criterion written as a condition; returns each error as
// "path:line: criterion 'id': condition, column N: message".
Status CompileConditions(std::vector<ProgramInfo>* programs) {
  std::string errors;
  for (ProgramInfo& p : *programs) {
    for (CriterionInfo& c : p.criteria) {
      if (c.condition.empty()) continue;
      Result<Condition> compiled = Condition::Compile(c.condition, p.parameters);
      if (compiled.ok()) {
        c.compiled = std::make_shared<const Condition>(std::move(*compiled));
        continue;
      }
      if (!errors.empty()) errors += '\n';
      errors += p.script + ":" + std::to_string(c.line) + ": criterion '" + c.id +
                "': condition, " + compiled.status().message();
    }
  }
  if (!errors.empty()) return InvalidArgumentError(errors);
  return Status::Ok();
}

// Versions of one program must not overlap: on any date at most one is effective.
Status CheckVersions(const std::vector<ProgramInfo>& programs) {
  std::map<std::string, std::vector<const ProgramInfo*>> by_id;
  for (const ProgramInfo& p : programs) by_id[p.id].push_back(&p);
  std::string errors;
  for (auto& [id, versions] : by_id) {
    std::sort(versions.begin(), versions.end(), [](const ProgramInfo* a, const ProgramInfo* b) {
      return a->effective_from < b->effective_from;
    });
    for (size_t i = 1; i < versions.size(); ++i) {
      const ProgramInfo& prev = *versions[i - 1];
      const ProgramInfo& next = *versions[i];
      if (!prev.effective_to || *prev.effective_to >= next.effective_from) {
        if (!errors.empty()) errors += '\n';
        errors += next.script + ":1: program " + id + " version " + next.version +
                  " (effective from " + next.effective_from.ToString() + ") overlaps version " +
                  prev.version + " in " + prev.script + " (effective " +
                  prev.effective_from.ToString() + " to " +
                  (prev.effective_to ? prev.effective_to->ToString() : std::string("open end")) +
                  "); end the earlier version the day before";
      }
    }
  }
  if (!errors.empty()) return InvalidArgumentError(errors);
  return Status::Ok();
}

}  // namespace

Result<std::vector<RuleSet::File>> RuleSet::ReadFiles(const std::string& dir) {
  std::error_code ec;
  fs::path root(dir);
  if (!fs::is_directory(root, ec)) return NotFoundError("rules directory '" + dir + "' not found");
  fs::path canonical = fs::weakly_canonical(root, ec);
  std::string base = canonical.filename().string();
  if (base.empty()) base = "rules";
  std::vector<File> files;
  auto add = [&](const fs::path& p) -> Status {
    File f;
    f.path = base + "/" + fs::relative(p, root, ec).generic_string();
    SMEMATCH_RETURN_IF_ERROR(ReadFile(p, &f.text));
    files.push_back(std::move(f));
    return Status::Ok();
  };
  if (fs::exists(root / "settings.lua", ec)) SMEMATCH_RETURN_IF_ERROR(add(root / "settings.lua"));
  if (!fs::is_directory(root / "programs", ec)) {
    return NotFoundError("rules directory '" + dir + "' has no programs/ folder");
  }
  for (const auto& entry : fs::directory_iterator(root / "programs", ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".lua") {
      SMEMATCH_RETURN_IF_ERROR(add(entry.path()));
    }
  }
  if (!fs::exists(root / "data" / "provinces.csv", ec)) {
    return NotFoundError("rules directory '" + dir + "' has no data/provinces.csv");
  }
  SMEMATCH_RETURN_IF_ERROR(add(root / "data" / "provinces.csv"));
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.path < b.path; });
  return files;
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(const std::string& dir, const RuleLimits& limits) {
  Result<std::vector<File>> files = ReadFiles(dir);
  if (!files.ok()) return files.status();
  return FromFiles(std::move(*files), limits);
}

std::string RuleSet::HashFiles(std::span<const File> files) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const RuleSet::File& f : files) {
    // Path, NUL, size, NUL, content: no two different file sets hash the same input.
    std::string size = std::to_string(f.text.size());
    EVP_DigestUpdate(ctx, f.path.data(), f.path.size());
    EVP_DigestUpdate(ctx, "", 1);
    EVP_DigestUpdate(ctx, size.data(), size.size());
    EVP_DigestUpdate(ctx, "", 1);
    EVP_DigestUpdate(ctx, f.text.data(), f.text.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  static const char kHex[] = "0123456789abcdef";
  std::string hex = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

Result<std::shared_ptr<const RuleSet>> RuleSet::FromFiles(std::vector<File> files,
                                                          const RuleLimits& limits) {
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.path < b.path; });
  auto rules = std::shared_ptr<RuleSet>(new RuleSet());
  rules->limits_ = limits;
  rules->hash_ = HashFiles(files);
  const File* provinces = nullptr;
  for (const File& f : files) {
    if (f.path.ends_with(kProvincesFile)) provinces = &f;
  }
  if (provinces == nullptr) return NotFoundError("rule set has no data/provinces.csv");
  Result<ProvinceTable> table = ProvinceTable::Parse(provinces->text);
  if (!table.ok()) return table.status().WithPrefix(provinces->path);
  rules->provinces_ = std::move(*table);
  if (rules->provinces_.all().empty()) return InvalidArgumentError(provinces->path + ": no provinces");

  RuleRuntime runtime(limits);
  SMEMATCH_RETURN_IF_ERROR(runtime.Load(files, rules->provinces_));
  Result<nlohmann::json> described = runtime.Describe();
  if (!described.ok()) return described.status();
  const json& d = *described;
  std::string tie = d.at("settings").value("sme_size_tie_break", "revenue_prevails");
  rules->tie_break_ = ParseSizeTieBreak(tie).value_or(SizeTieBreak::kRevenuePrevails);
  if (d.contains("programs") && d["programs"].is_array()) {
    int index = 0;
    for (const json& pj : d["programs"]) rules->programs_.push_back(ToProgramInfo(pj, index++));
  }
  if (rules->programs_.empty()) return InvalidArgumentError("rule set declares no program");
  SMEMATCH_RETURN_IF_ERROR(CompileConditions(&rules->programs_));
  SMEMATCH_RETURN_IF_ERROR(CheckVersions(rules->programs_));
  rules->files_ = std::move(files);
  return std::shared_ptr<const RuleSet>(std::move(rules));
}

std::vector<std::string> RuleSet::program_ids() const {
  std::vector<std::string> ids;
  for (const ProgramInfo& p : programs_) ids.push_back(p.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Result<const ProgramInfo*> RuleSet::Find(std::string_view program_id, const Date& as_of) const {
  bool known = false;
  for (const ProgramInfo& p : programs_) {
    if (p.id != program_id) continue;
    known = true;
    if (p.EffectiveOn(as_of)) return &p;
  }
  if (!known) {
    std::string ids;
    for (const std::string& id : program_ids()) ids += (ids.empty() ? "" : ", ") + id;
    return NotFoundError("unknown program '" + std::string(program_id) + "'; known: " + ids);
  }
  return FailedPreconditionError("no version of program " + std::string(program_id) +
                                 " is effective on " + as_of.ToString());
}

}  // namespace smematch
