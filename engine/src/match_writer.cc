// Output of mentor and channel matching: JSON, JSON Lines, CSV and a readable table.
#include <nlohmann/json.hpp>

#include "csv_reader.h"
#include "smematch/matching.h"

namespace smematch {
namespace {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

ordered Text(const LocalizedText& t) { return ordered{{"th", t.th}, {"en", t.en}}; }

std::string IndustryId(const EnterpriseProfile& e) {
  return e.industry ? std::string(IndustryLabels()[static_cast<int>(*e.industry)].id) : "";
}

ordered Parts(const MatchScriptInfo& script, const std::vector<int64_t>& parts) {
  ordered out = ordered::array();
  for (size_t i = 0; i < parts.size() && i < script.parts.size(); ++i) {
    out.push_back({{"id", script.parts[i].id}, {"score", parts[i]}, {"th", script.parts[i].text.th},
                   {"en", script.parts[i].text.en}});
  }
  return out;
}

// The status as the table shows it to an officer.
std::string StatusText(MatchStatus status, bool thai) {
  if (!thai) return std::string(MatchStatusName(status));
  switch (status) {
    case MatchStatus::kMatched: return "จับคู่แล้ว";
    case MatchStatus::kPinned: return "กำหนดคู่ไว้";
    case MatchStatus::kKept: return "คงคู่เดิม";
    case MatchStatus::kUnmatched: break;
  }
  return "ยังไม่มีพี่เลี้ยง";
}

ordered MentorRecord(const EnterpriseMatch& r, std::span<const EnterpriseProfile> enterprises,
                     std::span<const Mentor> mentors, const MatchScriptInfo& script,
                     const std::string& hash) {
  const EnterpriseProfile& e = enterprises[r.enterprise];
  ordered j;
  j["enterprise_id"] = e.id;
  j["enterprise_name"] = e.name;
  j["province"] = e.province ? json(*e.province) : json();
  j["industry"] = e.industry ? json(IndustryId(e)) : json();
  j["status"] = std::string(MatchStatusName(r.status));
  if (r.mentor >= 0) {
    j["mentor_id"] = mentors[r.mentor].id;
    j["mentor_name"] = mentors[r.mentor].name;
    j["score"] = r.score;
    j["parts"] = Parts(script, r.parts);
  } else {
    j["unmatched"] = r.unmatched_code;
    if (!r.excluded.empty()) {
      ordered ex = ordered::array();
      for (const Exclusion& x : r.excluded) {
        ex.push_back({{"constraint", x.constraint}, {"mentors", x.count}, {"th", x.text.th},
                      {"en", x.text.en}});
      }
      j["excluded"] = ex;
    }
  }
  j["reason"] = Text(r.reason);
  j["allowed_mentors"] = r.allowed;
  ordered alts = ordered::array();
  for (const Alternative& a : r.alternatives) {
    ordered aj{{"mentor_id", mentors[a.mentor].id}, {"score", a.score}};
    if (a.slack == kUnchoosableSlack) aj["slack"] = nullptr, aj["full"] = true;
    else aj["slack"] = a.slack;
    alts.push_back(aj);
  }
  j["alternatives"] = alts;
  if (r.previous_mentor >= 0 || r.changed) {
    j["previous_mentor_id"] = r.previous_mentor >= 0 ? json(mentors[r.previous_mentor].id) : json();
    j["changed"] = r.changed;
  }
  j["rule_set"] = hash;
  return j;
}

ordered MentorSummary(const MentorMatchResult& res, std::span<const Mentor> mentors,
                      const MatchRules& rules) {
  const MatchSummary& s = res.summary;
  ordered j;
  j["enterprises"] = s.enterprises;
  j["matched"] = s.matched;
  j["matched_share"] = s.enterprises ? static_cast<double>(s.matched) / s.enterprises : 0.0;
  j["total_score"] = s.total_score;
  j["score_quantiles"] = {{"min", s.score_quantiles[0]}, {"p25", s.score_quantiles[1]},
                          {"median", s.score_quantiles[2]}, {"p75", s.score_quantiles[3]},
                          {"max", s.score_quantiles[4]}};
  auto shares = [](const std::vector<MatchSummary::Share>& v) {
    ordered o = ordered::object();
    for (const auto& sh : v) {
      o[sh.key.empty() ? "(none)" : sh.key] = {{"enterprises", sh.enterprises}, {"matched", sh.matched},
                                               {"share", sh.enterprises ? static_cast<double>(sh.matched) / sh.enterprises : 0.0}};
    }
    return o;
  };
  j["by_province"] = shares(s.by_province);
  j["by_industry"] = shares(s.by_industry);
  ordered util = ordered::array();
  for (const auto& u : s.mentors) {
    util.push_back({{"mentor_id", mentors[u.mentor].id}, {"assigned", u.assigned}, {"capacity", u.capacity}});
  }
  j["mentor_utilisation"] = util;
  j["pairs"] = {{"possible", s.pairs_possible}, {"scored", s.pairs_scored}, {"allowed", s.pairs_allowed}};
  j["script_errors"] = s.script_errors;
  if (!s.error_samples.empty()) j["error_samples"] = s.error_samples;
  j["rematch"] = {{"kept", s.kept}, {"changed", s.changed}, {"newly_matched", s.newly_matched}};
  // No timings: the output is a function of the inputs (same input, same bytes); the CLI
  // prints the scoring and solving seconds on standard error.
  j["rule_set"] = res.rules_hash;
  j["script"] = {{"path", rules.script(MatchKind::kMentor).path},
                 {"version", rules.script(MatchKind::kMentor).version}};
  return j;
}

void Csv(std::string_view cell, std::string* out, bool last = false) {
  AppendCsvCell(cell, out);
  out->append(last ? "\r\n" : ",");
}

std::string Pad(const std::string& s, size_t width) {
  // Width in code points (Thai combining marks make this approximate; good enough for a table).
  size_t cps = 0;
  for (unsigned char c : s) cps += (c & 0xC0) != 0x80;
  return cps >= width ? s : s + std::string(width - cps, ' ');
}

}  // namespace

void WriteMentorMatches(const MentorMatchResult& result,
                        std::span<const EnterpriseProfile> enterprises,
                        std::span<const Mentor> mentors, const MatchRules& rules,
                        MatchOutput format, bool thai, bool bom, std::string* out) {
  const MatchScriptInfo& script = rules.script(MatchKind::kMentor);
  switch (format) {
    case MatchOutput::kJson: {
      ordered doc;
      doc["summary"] = MentorSummary(result, mentors, rules);
      ordered list = ordered::array();
      for (const EnterpriseMatch& r : result.matches) {
        list.push_back(MentorRecord(r, enterprises, mentors, script, result.rules_hash));
      }
      doc["matches"] = std::move(list);
      out->append(doc.dump(2, ' ', false, json::error_handler_t::replace));
      out->push_back('\n');
      return;
    }
    case MatchOutput::kJsonLines: {
      for (const EnterpriseMatch& r : result.matches) {
        out->append(MentorRecord(r, enterprises, mentors, script, result.rules_hash)
                        .dump(-1, ' ', false, json::error_handler_t::replace));
        out->push_back('\n');
      }
      ordered s{{"summary", MentorSummary(result, mentors, rules)}};
      out->append(s.dump(-1, ' ', false, json::error_handler_t::replace));
      out->push_back('\n');
      return;
    }
    case MatchOutput::kCsv: {
      if (bom) out->append("\xEF\xBB\xBF");
      out->append("enterprise_id,enterprise_name,province,industry,status,mentor_id,mentor_name,"
                  "score,parts,reason,unmatched,alternatives,previous_mentor_id,changed,rule_set\r\n");
      for (const EnterpriseMatch& r : result.matches) {
        const EnterpriseProfile& e = enterprises[r.enterprise];
        Csv(e.id, out);
        Csv(e.name, out);
        Csv(e.province.value_or(""), out);
        Csv(IndustryId(e), out);
        Csv(MatchStatusName(r.status), out);
        Csv(r.mentor >= 0 ? mentors[r.mentor].id : "", out);
        Csv(r.mentor >= 0 ? mentors[r.mentor].name : "", out);
        Csv(r.mentor >= 0 ? std::to_string(r.score) : "", out);
        std::string parts;
        for (size_t i = 0; i < r.parts.size() && i < script.parts.size(); ++i) {
          parts += (parts.empty() ? "" : ";") + script.parts[i].id + "=" + std::to_string(r.parts[i]);
        }
        Csv(parts, out);
        Csv(thai ? r.reason.th : r.reason.en, out);
        Csv(r.unmatched_code, out);
        std::string alts;
        for (const Alternative& a : r.alternatives) {
          alts += (alts.empty() ? "" : ";") + mentors[a.mentor].id + " " + std::to_string(a.score) +
                  (a.slack == kUnchoosableSlack ? std::string(" full") : " slack " + std::to_string(a.slack));
        }
        Csv(alts, out);
        Csv(r.previous_mentor >= 0 ? mentors[r.previous_mentor].id : "", out);
        Csv(r.previous_mentor >= 0 || r.changed ? (r.changed ? "yes" : "no") : "", out);
        Csv(result.rules_hash, out, true);
      }
      return;
    }
    case MatchOutput::kTable: {
      out->append(Pad(thai ? "วิสาหกิจ" : "enterprise", 10) + " " + Pad(thai ? "ชื่อ" : "name", 42) +
                  " " + Pad(thai ? "พี่เลี้ยง" : "mentor", 8) + " " +
                  Pad(thai ? "ชื่อพี่เลี้ยง" : "mentor name", 28) + " " + Pad(thai ? "คะแนน" : "fit", 5) +
                  " " + (thai ? "สถานะ" : "status") + "\n");
      for (const EnterpriseMatch& r : result.matches) {
        const EnterpriseProfile& e = enterprises[r.enterprise];
        out->append(Pad(e.id, 10) + " " + Pad(e.name.substr(0, 150), 42) + " ");
        if (r.mentor >= 0) {
          out->append(Pad(mentors[r.mentor].id, 8) + " " + Pad(mentors[r.mentor].name, 28) + " " +
                      Pad(std::to_string(r.score), 5) + " " + StatusText(r.status, thai));
        } else {
          out->append(Pad("-", 8) + " " + Pad("", 28) + " " + Pad("", 5) + " " +
                      StatusText(MatchStatus::kUnmatched, thai));
        }
        out->append("\n    " + (thai ? r.reason.th : r.reason.en) + "\n");
        if (!r.alternatives.empty()) {
          out->append(thai ? "    ทางเลือก: " : "    alternatives: ");
          bool first = true;
          for (const Alternative& a : r.alternatives) {
            out->append((first ? "" : ", ") + mentors[a.mentor].id + " (" + std::to_string(a.score) +
                        (a.slack == kUnchoosableSlack ? (thai ? ", เต็ม)" : ", full)")
                                                      : (thai ? ", ห่าง " : ", slack ") + std::to_string(a.slack) + ")"));
            first = false;
          }
          out->push_back('\n');
        }
      }
      const MatchSummary& s = result.summary;
      out->append((thai ? "\nจับคู่ได้ " : "\nmatched ") + std::to_string(s.matched) + " / " +
                  std::to_string(s.enterprises) + (thai ? ", คะแนนรวม " : ", total fit ") +
                  std::to_string(s.total_score) + (thai ? ", คะแนน (ต่ำสุด/มัธยฐาน/สูงสุด) " : ", score min/median/max ") +
                  std::to_string(s.score_quantiles[0]) + "/" + std::to_string(s.score_quantiles[2]) + "/" +
                  std::to_string(s.score_quantiles[4]) + "\n");
      return;
    }
  }
}

void WriteChannelMatches(const ChannelMatchResult& result,
                         std::span<const EnterpriseProfile> enterprises,
                         std::span<const Channel> channels, const MatchRules& rules,
                         MatchOutput format, bool thai, bool bom, std::string* out) {
  const MatchScriptInfo& script = rules.script(MatchKind::kChannel);
  auto record = [&](const EnterpriseChannels& ec) {
    const EnterpriseProfile& e = enterprises[ec.enterprise];
    ordered j;
    j["enterprise_id"] = e.id;
    j["enterprise_name"] = e.name;
    j["province"] = e.province ? json(*e.province) : json();
    j["industry"] = e.industry ? json(IndustryId(e)) : json();
    ordered list = ordered::array();
    for (const ChannelFit& f : ec.channels) {
      ordered c;
      c["channel_id"] = channels[f.channel].id;
      c["chain"] = channels[f.channel].chain;
      c["readiness"] = std::string(ReadinessName(f.readiness));
      ordered gaps = ordered::array();
      for (size_t i = 0; i < f.gaps.size(); ++i) {
        gaps.push_back({{"id", f.gap_ids[i]}, {"th", f.gaps[i].th}, {"en", f.gaps[i].en}});
      }
      c["gaps"] = gaps;
      c["score"] = f.score ? json(*f.score) : json();
      if (!f.parts.empty()) c["parts"] = Parts(script, f.parts);
      c["assigned"] = f.assigned;
      if (f.readiness == Readiness::kReady && !f.assigned) {
        c["slack"] = f.slack == kUnchoosableSlack ? json() : json(f.slack);
      }
      list.push_back(c);
    }
    j["channels"] = list;
    j["rule_set"] = result.rules_hash;
    return j;
  };
  auto summary = [&]() {
    const ChannelSummary& s = result.summary;
    ordered j;
    j["enterprises"] = s.enterprises;
    j["assignments"] = s.assignments;
    j["total_score"] = s.total_score;
    ordered per = ordered::array();
    for (const auto& c : s.channels) {
      per.push_back({{"channel_id", channels[c.channel].id}, {"applicable", c.applicable},
                     {"ready", c.ready}, {"assigned", c.assigned},
                     {"slots", c.slots ? json(*c.slots) : json()}});
    }
    j["channels"] = per;
    j["script_errors"] = s.script_errors;
    if (!s.error_samples.empty()) j["error_samples"] = s.error_samples;
    j["rule_set"] = result.rules_hash;
    return j;
  };
  switch (format) {
    case MatchOutput::kJson: {
      ordered doc;
      doc["summary"] = summary();
      ordered list = ordered::array();
      for (const EnterpriseChannels& ec : result.enterprises) list.push_back(record(ec));
      doc["enterprises"] = std::move(list);
      out->append(doc.dump(2, ' ', false, json::error_handler_t::replace));
      out->push_back('\n');
      return;
    }
    case MatchOutput::kJsonLines: {
      for (const EnterpriseChannels& ec : result.enterprises) {
        out->append(record(ec).dump(-1, ' ', false, json::error_handler_t::replace));
        out->push_back('\n');
      }
      out->append(ordered{{"summary", summary()}}.dump(-1, ' ', false, json::error_handler_t::replace));
      out->push_back('\n');
      return;
    }
    case MatchOutput::kCsv: {
      if (bom) out->append("\xEF\xBB\xBF");
      out->append("enterprise_id,enterprise_name,channel_id,chain,readiness,assigned,score,gaps,slack,rule_set\r\n");
      for (const EnterpriseChannels& ec : result.enterprises) {
        const EnterpriseProfile& e = enterprises[ec.enterprise];
        for (const ChannelFit& f : ec.channels) {
          Csv(e.id, out);
          Csv(e.name, out);
          Csv(channels[f.channel].id, out);
          Csv(channels[f.channel].chain, out);
          Csv(ReadinessName(f.readiness), out);
          Csv(f.assigned ? "yes" : "no", out);
          Csv(f.score ? std::to_string(*f.score) : "", out);
          std::string gaps;
          for (const LocalizedText& g : f.gaps) gaps += (gaps.empty() ? "" : "; ") + (thai ? g.th : g.en);
          Csv(gaps, out);
          Csv(f.readiness == Readiness::kReady && !f.assigned && f.slack != kUnchoosableSlack
                  ? std::to_string(f.slack) : "", out);
          Csv(result.rules_hash, out, true);
        }
      }
      return;
    }
    case MatchOutput::kTable: {
      for (const EnterpriseChannels& ec : result.enterprises) {
        const EnterpriseProfile& e = enterprises[ec.enterprise];
        out->append(e.id + "  " + e.name + "\n");
        for (const ChannelFit& f : ec.channels) {
          const Channel& ch = channels[f.channel];
          std::string mark = f.assigned ? "★" : f.readiness == Readiness::kReady ? "✓" :
                             f.readiness == Readiness::kNotReady ? "✗" : "·";
          out->append("  " + mark + " " + Pad(ch.id, 22) + " " +
                      Pad(thai ? (f.readiness == Readiness::kReady ? "พร้อม" : f.readiness == Readiness::kNotReady ? "ยังไม่พร้อม" : "ไม่เกี่ยวข้อง")
                               : std::string(ReadinessName(f.readiness)), 15));
          if (f.score) out->append(" " + std::to_string(*f.score));
          if (f.assigned) out->append(thai ? "  ได้รับที่วาง" : "  slot assigned");
          out->push_back('\n');
          for (const LocalizedText& g : f.gaps) out->append("      - " + (thai ? g.th : g.en) + "\n");
        }
      }
      out->append((thai ? "\nจัดสรรที่วางสินค้า " : "\nslots assigned ") +
                  std::to_string(result.summary.assignments) + "\n");
      return;
    }
  }
}

}  // namespace smematch
