#include "smematch/decision_writer.h"

#include <cmath>

#include "csv_reader.h"
#include "smematch/json_text.h"

namespace smematch {
namespace {

const std::string& Pick(const LocalizedText& t, Lang lang) { return lang == Lang::kTh ? t.th : t.en; }

// Appends the ids of the criteria whose bit is set in `mask` as a JSON array.
void AppendCriterionIds(const ProgramInfo& program, uint64_t mask, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (size_t i = 0; i < program.criteria.size(); ++i) {
    if (!((mask >> i) & 1u)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(program.criteria[i].id, out);
  }
  out->push_back(']');
}

void AppendFieldNames(uint64_t mask, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (int i = 0; i < kProfileFieldCount; ++i) {
    if (!((mask >> i) & 1u)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(FieldName(static_cast<ProfileField>(i)), out);
  }
  out->push_back(']');
}

void AppendText(const LocalizedText& t, std::string* out) {
  out->append("{\"th\":");
  AppendJsonString(t.th, out);
  out->append(",\"en\":");
  AppendJsonString(t.en, out);
  out->push_back('}');
}

void AppendStatusJson(const Status& s, std::string* out) {
  out->append("{\"code\":");
  AppendJsonString(StatusCodeName(s.code()), out);
  out->append(",\"message\":");
  AppendJsonString(s.message(), out);
  out->push_back('}');
}

std::string JoinIds(const ProgramInfo& program, uint64_t mask) {
  std::string s;
  for (size_t i = 0; i < program.criteria.size(); ++i) {
    if (!((mask >> i) & 1u)) continue;
    if (!s.empty()) s += ';';
    s += program.criteria[i].id;
  }
  return s;
}

std::string JoinFields(uint64_t mask) {
  std::string s;
  for (std::string_view f : FieldNames(mask)) {
    if (!s.empty()) s += ';';
    s += f;
  }
  return s;
}

std::string FormatScore(double score) {
  std::string s;
  if (score == std::floor(score)) AppendInt(static_cast<int64_t>(score), &s);
  else AppendNumber(std::round(score * 100) / 100, &s);
  return s;
}

// The reasons an officer reads first: those of failed or undecided criteria, else all.
std::string Reasons(const Decision& d, Lang lang, std::string_view separator) {
  std::string s;
  bool problems = d.failed != 0 || d.undecided != 0;
  for (const CriterionResult& c : d.criteria) {
    if (problems && c.outcome == CriterionOutcome::kPass) continue;
    if (!s.empty()) s += separator;
    s += Pick(c.reason, lang);
  }
  return s;
}

std::string_view OutcomeLabel(Outcome o, Lang lang) {
  if (lang == Lang::kEn) {
    switch (o) {
      case Outcome::kEligible: return "ELIGIBLE";
      case Outcome::kIneligible: return "NOT ELIGIBLE";
      case Outcome::kNeedsInformation: return "NEEDS INFORMATION";
      case Outcome::kError: return "RULE ERROR";
    }
  }
  switch (o) {
    case Outcome::kEligible: return "มีสิทธิ์";
    case Outcome::kIneligible: return "ไม่มีสิทธิ์";
    case Outcome::kNeedsInformation: return "ต้องการข้อมูลเพิ่มเติม";
    case Outcome::kError: return "กฎทำงานผิดพลาด";
  }
  return "";
}

std::string_view GroupLabel(const Decision& d, Lang lang) {
  for (const GroupInfo& g : d.program->groups) {
    if (g.id == d.group) return Pick(g.label, lang);
  }
  return d.group;
}

}  // namespace

void AppendDecisionsJson(const EnterpriseProfile& profile, std::span<const Decision> decisions,
                         const WriteOptions& options, std::string* out) {
  out->append("{\"id\":");
  AppendJsonString(profile.id, out);
  if (!options.compact) {
    out->append(",\"name\":");
    AppendJsonString(profile.name, out);
    out->append(",\"as_of\":\"");
    out->append(options.as_of.ToString());
    out->push_back('"');
  }
  out->append(",\"rule_set\":");
  AppendJsonString(options.rule_set, out);
  out->append(",\"decisions\":[");
  for (size_t i = 0; i < decisions.size(); ++i) {
    const Decision& d = decisions[i];
    if (i) out->push_back(',');
    out->append("{\"program\":");
    AppendJsonString(d.program->id, out);
    if (!options.compact) {
      out->append(",\"version\":");
      AppendJsonString(d.program->version, out);
    }
    out->append(",\"outcome\":\"");
    out->append(OutcomeName(d.outcome));
    out->push_back('"');
    if (d.outcome == Outcome::kError) {
      out->append(",\"error\":");
      AppendStatusJson(d.error, out);
      out->push_back('}');
      continue;
    }
    out->append(",\"failed\":");
    AppendCriterionIds(*d.program, d.failed, out);
    out->append(",\"missing\":");
    AppendFieldNames(d.missing_fields, out);
    if (d.score) {
      out->append(",\"score\":");
      AppendNumber(*d.score, out);
    }
    if (!d.group.empty()) {
      out->append(",\"group\":");
      AppendJsonString(d.group, out);
    }
    if (!options.compact && !d.criteria.empty()) {
      out->append(",\"criteria\":[");
      for (size_t k = 0; k < d.criteria.size(); ++k) {
        const CriterionResult& c = d.criteria[k];
        if (k) out->push_back(',');
        out->append("{\"id\":");
        AppendJsonString(d.program->criteria[k].id, out);
        out->append(",\"result\":\"");
        out->append(CriterionOutcomeName(c.outcome));
        out->push_back('"');
        if (c.missing_fields) {
          out->append(",\"missing\":");
          AppendFieldNames(c.missing_fields, out);
        }
        out->append(",\"reason\":");
        AppendText(c.reason, out);
        out->push_back('}');
      }
      out->push_back(']');
    }
    if (!options.compact && d.benefit) {
      out->append(",\"benefit\":{\"text\":");
      AppendText(d.benefit->text, out);
      out->append(",\"values\":");
      out->append(d.benefit->values.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      out->push_back('}');
    }
    out->push_back('}');
  }
  out->append("]}");
}

void AppendRecordErrorJson(size_t row, std::string_view id, const Status& status,
                           const std::vector<FieldError>& fields, std::string* out) {
  out->append("{\"row\":");
  AppendInt(static_cast<int64_t>(row), out);
  if (!id.empty()) {
    out->append(",\"id\":");
    AppendJsonString(id, out);
  }
  out->append(",\"error\":{\"code\":");
  AppendJsonString(StatusCodeName(status.code()), out);
  out->append(",\"message\":");
  AppendJsonString(status.message(), out);
  if (!fields.empty()) {
    out->append(",\"fields\":[");
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) out->push_back(',');
      out->append("{\"field\":");
      AppendJsonString(fields[i].field, out);
      out->append(",\"message\":");
      AppendJsonString(fields[i].message, out);
      out->push_back('}');
    }
    out->push_back(']');
  }
  out->append("}}");
}

std::string DecisionsCsvHeader() {
  return "id,name,province,program,version,outcome,outcome_text,score,group,failed_criteria,"
         "missing_fields,reasons,benefit,as_of,rule_set\r\n";
}

void AppendDecisionsCsv(const EnterpriseProfile& profile, std::span<const Decision> decisions,
                        const WriteOptions& options, std::string* out) {
  std::string as_of = options.as_of.ToString();
  for (const Decision& d : decisions) {
    auto cell = [out](std::string_view s) {
      AppendCsvCell(s, out);
      out->push_back(',');
    };
    cell(profile.id);
    cell(profile.name);
    cell(profile.province.value_or(""));
    cell(d.program->id);
    cell(d.program->version);
    cell(OutcomeName(d.outcome));
    cell(OutcomeLabel(d.outcome, options.lang));
    cell(d.score ? FormatScore(*d.score) : "");
    cell(d.group.empty() ? std::string_view() : GroupLabel(d, options.lang));
    cell(JoinIds(*d.program, d.failed));
    cell(JoinFields(d.missing_fields));
    cell(d.outcome == Outcome::kError ? d.error.message() : Reasons(d, options.lang, " | "));
    cell(d.benefit ? Pick(d.benefit->text, options.lang) : "");
    cell(as_of);
    AppendCsvCell(options.rule_set, out);
    out->append("\r\n");
  }
}

void AppendRecordErrorCsv(size_t row, std::string_view id, const Status& status,
                          const WriteOptions& options, std::string* out) {
  std::string label = id.empty() ? "row " + std::to_string(row) : std::string(id);
  AppendCsvCell(label, out);
  out->append(",,,,,error,");
  AppendCsvCell(options.lang == Lang::kTh ? "ข้อมูลไม่ถูกต้อง" : "invalid input", out);
  out->append(",,,,,");
  AppendCsvCell("row " + std::to_string(row) + ": " + status.message(), out);
  out->append(",,");
  AppendCsvCell(options.as_of.ToString(), out);
  out->push_back(',');
  AppendCsvCell(options.rule_set, out);
  out->append("\r\n");
}

void AppendDecisionsTable(const EnterpriseProfile& profile, std::span<const Decision> decisions,
                          const WriteOptions& options, std::string* out) {
  const Lang lang = options.lang;
  out->append(profile.id);
  out->append("  ");
  out->append(profile.name);
  if (profile.province) {
    out->append("  (");
    out->append(*profile.province);
    out->push_back(')');
  }
  out->push_back('\n');
  out->append(lang == Lang::kTh ? "  ณ วันที่ " : "  as of ");
  out->append(options.as_of.ToString());
  out->append(lang == Lang::kTh ? "  ชุดกฎ " : "  rule set ");
  out->append(options.rule_set.substr(0, 19));
  out->append("\n\n");
  for (const Decision& d : decisions) {
    out->append("  ");
    out->append(d.program->id);
    out->append(" v");
    out->append(d.program->version);
    out->append("  ");
    out->append(Pick(d.program->name, lang));
    out->append("\n    => ");
    out->append(OutcomeLabel(d.outcome, lang));
    if (d.score) {
      out->append(lang == Lang::kTh ? "  คะแนน " : "  score ");
      out->append(FormatScore(*d.score));
    }
    if (!d.group.empty()) {
      out->append(lang == Lang::kTh ? "  กลุ่ม " : "  group ");
      out->append(GroupLabel(d, lang));
    }
    out->push_back('\n');
    if (d.outcome == Outcome::kError) {
      out->append("    ");
      out->append(d.error.message());
      out->push_back('\n');
    }
    for (size_t k = 0; k < d.criteria.size(); ++k) {
      const CriterionResult& c = d.criteria[k];
      out->append(c.outcome == CriterionOutcome::kPass   ? "    [ok]   "
                  : c.outcome == CriterionOutcome::kFail ? "    [FAIL] "
                                                         : "    [?]    ");
      out->append(Pick(c.reason, lang));
      out->push_back('\n');
    }
    if (d.benefit) {
      out->append(lang == Lang::kTh ? "    สิทธิประโยชน์: " : "    benefit: ");
      out->append(Pick(d.benefit->text, lang));
      out->push_back('\n');
    }
    out->push_back('\n');
  }
}

void AppendRecordErrorTable(size_t row, std::string_view id, const Status& status,
                            const WriteOptions& options, std::string* out) {
  out->append(options.lang == Lang::kTh ? "แถว " : "row ");
  out->append(std::to_string(row));
  if (!id.empty()) {
    out->append(" (");
    out->append(id);
    out->push_back(')');
  }
  out->append(options.lang == Lang::kTh ? ": ข้อมูลไม่ถูกต้อง: " : ": invalid input: ");
  out->append(status.message());
  out->append("\n\n");
}

}  // namespace smematch
