#include "replay.h"

#include <nlohmann/json.hpp>

#include "json_util.h"
#include "smematch/decision_writer.h"
#include "smematch/identifier.h"
#include "smematch/profile_io.h"
#include "smematch/screener.h"

namespace smematch::server {
namespace {

using nlohmann::json;

struct Evaluation {
  std::string decisions_json;  // AppendDecisionsJson
  std::map<std::string, std::string> outcomes;
};

// A valid identifier of the same kind as a masked one: its first digit, eleven zeros and the
// check digit.
std::string StandInIdentifier(char first_digit) {
  std::string id(1, first_digit);
  id.append(11, '0');
  id.push_back(static_cast<char>('0' + IdentifierCheckDigit(id)));
  return id;
}

Result<Evaluation> Evaluate(const AuditRecord& record, std::shared_ptr<const RuleSet> rules) {
  std::string input = record.input;
  if (record.input_masked) {
    json doc = json::parse(input, nullptr, false);
    if (doc.is_object() && doc.contains("identifier") && doc["identifier"].is_string()) {
      std::string masked = doc["identifier"].get<std::string>();
      if (!masked.empty()) doc["identifier"] = StandInIdentifier(masked[0]);
      input = doc.dump();
    }
  }
  ProfileReader reader(&rules->provinces());
  EnterpriseProfile profile;
  std::vector<FieldError> errors;
  Status s = reader.ParseJson(input, &profile, &errors);
  if (!s.ok()) return InternalError("stored input does not parse: " + s.message());
  ScreenOptions options;
  auto as_of = Date::Parse(record.as_of);
  if (!as_of.ok()) return InternalError("stored as_of: " + as_of.status().message());
  options.as_of = *as_of;
  if (!record.programs.empty()) {
    json programs = json::parse(record.programs, nullptr, false);
    if (programs.is_array()) {
      for (const json& p : programs) {
        if (p.is_string()) options.programs.push_back(p.get<std::string>());
      }
    }
  }
  auto screener = Screener::Create(rules);
  if (!screener.ok()) return screener.status();
  std::vector<Decision> decisions;
  SMEMATCH_RETURN_IF_ERROR((*screener)->Screen(profile, options, &decisions));
  Evaluation e;
  WriteOptions write;
  write.rule_set = rules->hash();
  write.as_of = options.as_of;
  AppendDecisionsJson(profile, decisions, write, &e.decisions_json);
  for (const Decision& d : decisions) e.outcomes[d.program->id] = OutcomeName(d.outcome);
  return e;
}

}  // namespace

EnterpriseProfile MaskProfile(const EnterpriseProfile& profile, bool* masked) {
  EnterpriseProfile out = profile;
  *masked = false;
  if (out.identifier && ValidateIdentifier(*out.identifier).ok() &&
      ClassifyIdentifier(*out.identifier) == IdentifierKind::kNationalId) {
    std::string m = out.identifier->substr(0, 1);
    m.append(out.identifier->size() - 1, 'X');
    out.identifier = std::move(m);
    *masked = true;
  }
  return out;
}

Result<std::shared_ptr<const RuleSet>> RuleSetCache::Get(AuditLog& log, const std::string& hash,
                                                         const RuleLimits& limits) {
  {
    std::lock_guard lock(mu_);
    auto it = sets_.find(hash);
    if (it != sets_.end()) {
      it->second.first = ++clock_;
      return it->second.second;
    }
  }
  auto files = log.RuleFiles(hash);
  if (!files.ok()) return files.status();
  auto rules = RuleSet::FromFiles(std::move(*files), limits);
  if (!rules.ok()) return rules.status();
  if ((*rules)->hash() != hash) {
    return InternalError("stored files of rule set " + hash + " hash to " + (*rules)->hash());
  }
  std::lock_guard lock(mu_);
  if (sets_.size() >= capacity_) {
    auto oldest = sets_.begin();
    for (auto it = sets_.begin(); it != sets_.end(); ++it) {
      if (it->second.first < oldest->second.first) oldest = it;
    }
    sets_.erase(oldest);
  }
  sets_[hash] = {++clock_, *rules};
  return *rules;
}

Result<ReplayReport> ReplayDecision(AuditLog& log, RuleSetCache& cache,
                                    const std::string& decision_id,
                                    std::shared_ptr<const RuleSet> current) {
  auto record = log.Find(decision_id);
  if (!record.ok()) return record.status();
  auto stored_rules = cache.Get(log, record->rule_set, current->limits());
  if (!stored_rules.ok()) return stored_rules.status();
  auto stored = Evaluate(*record, *stored_rules);
  if (!stored.ok()) return stored.status();
  auto now = Evaluate(*record, current);
  if (!now.ok()) return now.status();

  json recorded = json::parse(record->outcomes, nullptr, false);
  ReplayReport report;
  report.reproduced = recorded.is_object();
  if (recorded.is_object()) {
    for (const auto& [program, outcome] : stored->outcomes) {
      if (!recorded.contains(program) || recorded[program] != outcome) report.reproduced = false;
    }
    if (recorded.size() != stored->outcomes.size()) report.reproduced = false;
  }
  std::string diffs = "[";
  auto add_diff = [&](const std::string& program, const std::string* a, const std::string* b) {
    if (diffs.size() > 1) diffs.push_back(',');
    diffs += "{\"program\":" + JsonString(program) +
             ",\"stored_outcome\":" + (a ? JsonString(*a) : "null") +
             ",\"current_outcome\":" + (b ? JsonString(*b) : "null") + "}";
  };
  for (const auto& [program, outcome] : stored->outcomes) {
    auto it = now->outcomes.find(program);
    if (it == now->outcomes.end()) add_diff(program, &outcome, nullptr);
    else if (it->second != outcome) add_diff(program, &outcome, &it->second);
  }
  for (const auto& [program, outcome] : now->outcomes) {
    if (!stored->outcomes.count(program)) add_diff(program, nullptr, &outcome);
  }
  diffs.push_back(']');
  report.changed = diffs.size() > 2;

  std::string& out = report.json;
  out = "{\"decision_id\":" + JsonString(record->decision_id);
  out += ",\"time\":" + JsonString(record->time);
  out += ",\"as_of\":" + JsonString(record->as_of);
  out += ",\"stored_rule_set\":" + JsonString(record->rule_set);
  out += ",\"current_rule_set\":" + JsonString(current->hash());
  out += ",\"changed\":";
  out += report.changed ? "true" : "false";
  out += ",\"reproduced\":";
  out += report.reproduced ? "true" : "false";
  out += ",\"input_masked\":";
  out += record->input_masked ? "true" : "false";
  out += ",\"recorded_outcomes\":" + (recorded.is_object() ? record->outcomes : "{}");
  out += ",\"stored\":" + stored->decisions_json;
  out += ",\"current\":" + now->decisions_json;
  out += ",\"differences\":" + diffs + "}";
  return report;
}

}  // namespace smematch::server
