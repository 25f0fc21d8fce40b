#include "smematch/case_runner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "smematch/profile_io.h"
#include "smematch/screener.h"

namespace smematch {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string Join(const std::set<std::string>& items) {
  std::string s = "[";
  for (const std::string& i : items) s += (s.size() > 1 ? ", " : "") + i;
  return s + "]";
}

Result<std::set<std::string>> StringSet(const json& j, const std::string& where) {
  if (!j.is_array()) return InvalidArgumentError(where + ": expected an array of strings");
  std::set<std::string> out;
  for (const json& item : j) {
    if (!item.is_string()) return InvalidArgumentError(where + ": expected an array of strings");
    out.insert(item.get<std::string>());
  }
  return out;
}

std::string_view OutcomeWord(std::string_view outcome, Lang lang) {
  if (lang == Lang::kEn) return outcome;
  if (outcome == "pass") return "ผ่าน";
  if (outcome == "fail") return "ไม่ผ่าน";
  if (outcome == "needs_information") return "ต้องการข้อมูลเพิ่มเติม";
  if (outcome == "not fail") return "ไม่ตกเกณฑ์";
  return outcome;
}

// One line per criterion of a failing case: what the case expected of it (when it says),
// what it got, and its reason.
std::vector<std::string> CriteriaDetail(const ProgramInfo& prog, const Decision& d,
                                        const json& expect, Lang lang) {
  std::vector<std::string> lines;
  if (d.criteria.size() != prog.criteria.size()) return lines;  // a rule error: no criteria
  std::set<std::string> want_failed;
  bool failed_given = expect.contains("failed") && expect["failed"].is_array();
  if (failed_given) {
    for (const json& id : expect["failed"]) {
      if (id.is_string()) want_failed.insert(id.get<std::string>());
    }
  }
  std::string want_outcome = expect.value("outcome", "");
  for (size_t k = 0; k < prog.criteria.size(); ++k) {
    const std::string& id = prog.criteria[k].id;
    std::string got(CriterionOutcomeName(d.criteria[k].outcome));
    std::string want;
    if (want_failed.count(id)) want = "fail";
    else if (want_outcome == "eligible") want = "pass";
    else if (failed_given) want = "not fail";
    bool met = want.empty() || want == got || (want == "not fail" && got != "fail");
    const LocalizedText& reasons = d.criteria[k].reason;
    const std::string& reason = lang == Lang::kTh ? reasons.th : reasons.en;
    std::string line = met ? "  " : "! ";
    line += id + ": ";
    if (!want.empty()) {
      line += std::string(lang == Lang::kTh ? "คาดว่า " : "expected ") +
              std::string(OutcomeWord(want, lang)) + (lang == Lang::kTh ? ", ผลจริง " : ", got ");
    }
    line += std::string(OutcomeWord(got, lang)) + ": " + reason;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

size_t CoverageReport::covered() const {
  return static_cast<size_t>(std::count_if(criteria.begin(), criteria.end(),
                                           [](const CriterionCoverage& c) { return c.covered(); }));
}

double CoverageReport::percent() const {
  if (criteria.empty()) return 100.0;
  return 100.0 * static_cast<double>(covered()) / static_cast<double>(criteria.size());
}

CoverageReport ComputeCoverage(const RuleSet& rules, std::span<const CaseFileResult> results,
                               bool all_programs) {
  std::set<std::string> programs;
  for (const CaseFileResult& r : results) programs.insert(r.program);
  if (all_programs) {
    for (const std::string& id : rules.program_ids()) programs.insert(id);
  }
  std::vector<const ProgramInfo*> versions;
  for (const ProgramInfo& p : rules.programs()) {
    if (programs.count(p.id)) versions.push_back(&p);
  }
  std::stable_sort(versions.begin(), versions.end(),
                   [](const ProgramInfo* a, const ProgramInfo* b) {
                     if (a->id != b->id) return a->id < b->id;
                     return a->effective_from < b->effective_from;
                   });
  CoverageReport report;
  for (const ProgramInfo* p : versions) {
    for (const CriterionInfo& c : p->criteria) {
      CriterionCoverage cov;
      cov.program = p->id;
      cov.version = p->version;
      cov.script = p->script;
      cov.criterion = c.id;
      cov.line = c.line;
      report.criteria.push_back(std::move(cov));
    }
  }
  for (const CaseFileResult& r : results) {
    for (const CaseResult& c : r.cases) {
      for (const auto& [id, outcome] : c.criteria) {
        for (CriterionCoverage& cov : report.criteria) {
          if (cov.script != r.script || cov.criterion != id) continue;
          if (outcome == "pass") ++cov.pass;
          else if (outcome == "fail") ++cov.fail;
          else ++cov.needs_information;
        }
      }
    }
  }
  return report;
}

size_t CaseFileResult::failures() const {
  return static_cast<size_t>(std::count_if(cases.begin(), cases.end(),
                                           [](const CaseResult& c) { return !c.passed; }));
}

std::vector<std::string> FindCaseFiles(const std::string& rules_dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(rules_dir) / "programs", ec)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.ends_with(".cases.json")) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<CaseFileResult> RunCaseFile(const std::string& path, std::shared_ptr<const RuleSet> rules,
                                   Lang lang) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read case file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  json doc = json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError(path + ": not a JSON object (check commas and quotes)");
  }
  CaseFileResult result;
  result.path = path;
  if (!doc.contains("program") || !doc["program"].is_string()) {
    return InvalidArgumentError(path + ": /program: expected the program id, e.g. \"BSC\"");
  }
  result.program = doc["program"].get<std::string>();
  ScreenOptions options;
  options.programs = {result.program};
  options.explain = true;
  if (doc.contains("as_of")) {
    if (!doc["as_of"].is_string()) return InvalidArgumentError(path + ": /as_of: expected \"YYYY-MM-DD\"");
    Result<Date> d = Date::Parse(doc["as_of"].get<std::string>());
    if (!d.ok()) return d.status().WithPrefix(path + ": /as_of");
    options.as_of = *d;
  }
  json base = doc.value("base", json::object());
  if (!base.is_object()) return InvalidArgumentError(path + ": /base: expected a profile object");
  if (!doc.contains("cases") || !doc["cases"].is_array()) {
    return InvalidArgumentError(path + ": /cases: expected an array of cases");
  }
  if (Result<const ProgramInfo*> version = rules->Find(result.program, options.as_of); version.ok()) {
    result.version = (*version)->version;
    result.script = (*version)->script;
  }
  Result<std::unique_ptr<Screener>> screener = Screener::Create(rules);
  if (!screener.ok()) return screener.status();
  ProfileReader reader(&rules->provinces());
  std::vector<Decision> decisions;
  std::vector<FieldError> field_errors;
  const json& cases = doc["cases"];
  for (size_t i = 0; i < cases.size(); ++i) {
    const json& c = cases[i];
    std::string where = path + ": /cases/" + std::to_string(i);
    if (!c.is_object()) return InvalidArgumentError(where + ": expected an object");
    CaseResult cr;
    cr.name = c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>()
                                                          : "case " + std::to_string(i + 1);
    if (c.contains("name") && !c["name"].is_string()) {
      return InvalidArgumentError(where + ": /name: expected a string");
    }
    where += " (" + cr.name + ")";
    json profile = c.contains("profile") ? c["profile"] : base;
    if (c.contains("with")) profile.merge_patch(c["with"]);  // RFC 7386: null removes a field
    if (!profile.contains("id")) profile["id"] = "case-" + std::to_string(i + 1);
    if (!profile.contains("name")) profile["name"] = cr.name;
    EnterpriseProfile p;
    Status parsed = reader.ParseJson(profile.dump(), &p, &field_errors);
    if (!parsed.ok()) return parsed.WithPrefix(where + ": profile");
    if (!c.contains("expect") || !c["expect"].is_object()) {
      return InvalidArgumentError(where + ": /expect: expected an object with at least \"outcome\"");
    }
    const json& expect = c["expect"];
    SMEMATCH_RETURN_IF_ERROR(screener->get()->Screen(p, options, &decisions).WithPrefix(where));
    const Decision& d = decisions[0];
    const ProgramInfo& prog = *d.program;
    auto mismatch = [&](std::string m) { cr.mismatches.push_back(std::move(m)); };
    for (size_t k = 0; k < d.criteria.size(); ++k) {
      cr.criteria.emplace_back(prog.criteria[k].id, CriterionOutcomeName(d.criteria[k].outcome));
    }
    auto reason_of = [&](size_t k) {
      return lang == Lang::kTh ? d.criteria[k].reason.th : d.criteria[k].reason.en;
    };
    if (d.outcome == Outcome::kError) mismatch("rule error: " + d.error.message());
    if (!expect.contains("outcome") || !expect["outcome"].is_string()) {
      return InvalidArgumentError(where + ": /expect/outcome: required, one of eligible, " +
                                  "ineligible, needs_information");
    }
    std::string want_outcome = expect["outcome"].get<std::string>();
    if (want_outcome != OutcomeName(d.outcome)) {
      std::string m = "outcome: expected " + want_outcome + ", got " + std::string(OutcomeName(d.outcome));
      for (size_t k = 0; k < d.criteria.size(); ++k) {
        if (d.criteria[k].outcome != CriterionOutcome::kPass) {
          m += "\n      " + prog.criteria[k].id + " " +
               std::string(CriterionOutcomeName(d.criteria[k].outcome)) + ": " + reason_of(k);
        }
      }
      mismatch(m);
    }
    std::set<std::string> ids;
    for (const CriterionInfo& ci : prog.criteria) ids.insert(ci.id);
    auto check_ids = [&](const char* key, uint64_t mask, bool criteria) -> Status {
      if (!expect.contains(key)) return Status::Ok();
      Result<std::set<std::string>> want = StringSet(expect[key], where + ": /expect/" + key);
      if (!want.ok()) return want.status();
      std::set<std::string> got;
      if (criteria) {
        for (size_t k = 0; k < prog.criteria.size(); ++k) {
          if ((mask >> k) & 1u) got.insert(prog.criteria[k].id);
        }
        for (const std::string& w : *want) {
          if (!ids.count(w)) {
            return InvalidArgumentError(where + ": /expect/" + key + ": no criterion '" + w +
                                        "' in " + prog.script);
          }
        }
      } else {
        for (std::string_view f : FieldNames(mask)) got.insert(std::string(f));
      }
      if (got != *want) mismatch(std::string(key) + ": expected " + Join(*want) + ", got " + Join(got));
      return Status::Ok();
    };
    SMEMATCH_RETURN_IF_ERROR(check_ids("failed", d.failed, true));
    SMEMATCH_RETURN_IF_ERROR(check_ids("missing", d.missing_fields, false));
    if (expect.contains("score")) {
      if (!expect["score"].is_number()) return InvalidArgumentError(where + ": /expect/score: expected a number");
      double want = expect["score"].get<double>();
      if (!d.score || std::fabs(*d.score - want) > 1e-9) {
        std::string got = "none";
        if (d.score) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%g", *d.score);
          got = buf;
        }
        mismatch("score: expected " + expect["score"].dump() + ", got " + got);
      }
    }
    if (expect.contains("group")) {
      if (!expect["group"].is_string()) return InvalidArgumentError(where + ": /expect/group: expected a string");
      std::string want = expect["group"].get<std::string>();
      if (want != d.group) mismatch("group: expected " + want + ", got " + std::string(d.group));
    }
    if (expect.contains("reasons")) {
      if (!expect["reasons"].is_object()) {
        return InvalidArgumentError(where + ": /expect/reasons: expected {criterion id: text}");
      }
      for (const auto& [cid, text] : expect["reasons"].items()) {
        auto it = std::find_if(prog.criteria.begin(), prog.criteria.end(),
                               [&](const CriterionInfo& ci) { return ci.id == cid; });
        if (it == prog.criteria.end() || !text.is_string()) {
          return InvalidArgumentError(where + ": /expect/reasons/" + cid + ": unknown criterion or not a string");
        }
        size_t k = static_cast<size_t>(it - prog.criteria.begin());
        const std::string& want = text.get_ref<const std::string&>();
        if (d.criteria[k].reason.th.find(want) == std::string::npos &&
            d.criteria[k].reason.en.find(want) == std::string::npos) {
          mismatch("reasons/" + cid + ": expected text containing \"" + want + "\", got \"" +
                   reason_of(k) + "\"");
        }
      }
    }
    cr.passed = cr.mismatches.empty();
    if (!cr.passed) cr.criteria_detail = CriteriaDetail(prog, d, expect, lang);
    result.cases.push_back(std::move(cr));
  }
  return result;
}

}  // namespace smematch
