#include "smematch/rule_docs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "smematch/profile.h"
#include "smematch/sme_size.h"

namespace smematch {
namespace {

using nlohmann::json;

// A small document model rendered to both Markdown and HTML. Inline text may hold code spans
// between kCodeOpen and kCodeClose, and links as kLinkOpen label kLinkMid target kLinkClose
// (target without extension: ".md" or ".html" is added per format). Cell text may hold '\n'
// for a line break.
constexpr char kCodeOpen = '\x01';
constexpr char kCodeClose = '\x02';
constexpr char kLinkOpen = '\x03';
constexpr char kLinkMid = '\x04';
constexpr char kLinkClose = '\x05';

std::string Code(std::string_view s) { return kCodeOpen + std::string(s) + kCodeClose; }
std::string Link(std::string_view label, std::string_view target) {
  return kLinkOpen + std::string(label) + kLinkMid + std::string(target) + kLinkClose;
}

struct Block {
  enum Kind { kH1, kH2, kH3, kParagraph, kTable, kComment } kind;
  std::string text;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

class Doc {
 public:
  void H1(std::string t) { blocks_.push_back({Block::kH1, std::move(t), {}, {}}); }
  void H2(std::string t) { blocks_.push_back({Block::kH2, std::move(t), {}, {}}); }
  void H3(std::string t) { blocks_.push_back({Block::kH3, std::move(t), {}, {}}); }
  void P(std::string t) { blocks_.push_back({Block::kParagraph, std::move(t), {}, {}}); }
  void Comment(std::string t) { blocks_.push_back({Block::kComment, std::move(t), {}, {}}); }
  void Table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows) {
    blocks_.push_back({Block::kTable, "", std::move(header), std::move(rows)});
  }

  std::string Markdown() const {
    std::string out;
    for (const Block& b : blocks_) {
      switch (b.kind) {
        case Block::kH1:
          out += "# " + MdInline(b.text, false) + "\n\n";
          break;
        case Block::kH2:
          out += "## " + MdInline(b.text, false) + "\n\n";
          break;
        case Block::kH3:
          out += "### " + MdInline(b.text, false) + "\n\n";
          break;
        case Block::kParagraph:
          out += MdInline(b.text, false) + "\n\n";
          break;
        case Block::kComment:
          out += "<!-- " + b.text + " -->\n\n";
          break;
        case Block::kTable: {
          out += "|";
          for (const std::string& h : b.header) out += " " + MdInline(h, true) + " |";
          out += "\n|";
          for (size_t i = 0; i < b.header.size(); ++i) out += "---|";
          out += "\n";
          for (const auto& row : b.rows) {
            out += "|";
            for (const std::string& c : row) out += " " + MdInline(c, true) + " |";
            out += "\n";
          }
          out += "\n";
          break;
        }
      }
    }
    while (out.ends_with("\n\n")) out.pop_back();
    return out;
  }

  std::string Html(std::string_view title) const {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"th\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
        Escape(title) + "</title>\n<style>\n" + std::string(kCss) + "</style>\n</head>\n<body>\n";
    for (const Block& b : blocks_) {
      switch (b.kind) {
        case Block::kH1:
          out += "<h1>" + HtmlInline(b.text) + "</h1>\n";
          break;
        case Block::kH2:
          out += "<h2>" + HtmlInline(b.text) + "</h2>\n";
          break;
        case Block::kH3:
          out += "<h3>" + HtmlInline(b.text) + "</h3>\n";
          break;
        case Block::kParagraph:
          out += "<p>" + HtmlInline(b.text) + "</p>\n";
          break;
        case Block::kComment:
          out += "<!-- " + Escape(b.text) + " -->\n";
          break;
        case Block::kTable: {
          out += "<table>\n<thead><tr>";
          for (const std::string& h : b.header) out += "<th>" + HtmlInline(h) + "</th>";
          out += "</tr></thead>\n<tbody>\n";
          for (const auto& row : b.rows) {
            out += "<tr>";
            for (const std::string& c : row) out += "<td>" + HtmlInline(c) + "</td>";
            out += "</tr>\n";
          }
          out += "</tbody>\n</table>\n";
          break;
        }
      }
    }
    out += "</body>\n</html>\n";
    return out;
  }

 private:
  static constexpr std::string_view kCss =
      "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"Noto Sans Thai\",Tahoma,sans-serif;"
      "max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}\n"
      "h1{font-size:1.6rem;border-bottom:2px solid #1a4d8f;padding-bottom:.3rem}\n"
      "h2{font-size:1.3rem;margin-top:2rem;color:#1a4d8f}\nh3{font-size:1.1rem}\n"
      "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.95rem}\n"
      "th,td{border:1px solid #c8ced6;padding:.35rem .5rem;text-align:left;vertical-align:top}\n"
      "th{background:#eef2f7}\ntr:nth-child(even) td{background:#fafbfc}\n"
      "code{font-family:ui-monospace,Menlo,Consolas,monospace;background:#f1f3f5;"
      "padding:0 .2rem;border-radius:3px}\n"
      "@media print{body{margin:0;max-width:none}a{color:inherit}}\n";

  static std::string Escape(std::string_view s) {
    std::string out;
    for (char c : s) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          out.push_back(c);
      }
    }
    return out;
  }

  static std::string MdInline(std::string_view s, bool cell) {
    std::string out;
    std::string label;
    bool in_link_target = false, in_link_label = false, in_code = false;
    std::string target;
    for (char c : s) {
      if (c == kCodeOpen || c == kCodeClose) {
        (in_link_label ? label : out).push_back('`');
        in_code = c == kCodeOpen;
      } else if (c == kLinkOpen) {
        in_link_label = true;
        label.clear();
      } else if (c == kLinkMid) {
        in_link_label = false;
        in_link_target = true;
        target.clear();
      } else if (c == kLinkClose) {
        in_link_target = false;
        out += "[" + label + "](" + target + ".md)";
      } else if (in_link_target) {
        target.push_back(c);
      } else {
        std::string& dst = in_link_label ? label : out;
        if (c == '\n')
          dst += cell ? "<br>" : " ";
        else if (c == '|' && cell)
          dst += "\\|";
        else if (c == '<' && !in_code)  // a code span shows '<' as it is, and "&lt;" literally
          dst += "&lt;";
        else
          dst.push_back(c);
      }
    }
    return out;
  }

  static std::string HtmlInline(std::string_view s) {
    std::string out;
    std::string target, label;
    bool in_label = false, in_target = false;
    for (char c : s) {
      if (c == kCodeOpen) {
        (in_label ? label : out) += "<code>";
      } else if (c == kCodeClose) {
        (in_label ? label : out) += "</code>";
      } else if (c == kLinkOpen) {
        in_label = true;
        label.clear();
      } else if (c == kLinkMid) {
        in_label = false;
        in_target = true;
        target.clear();
      } else if (c == kLinkClose) {
        in_target = false;
        out += "<a href=\"" + Escape(target) + ".html\">" + label + "</a>";
      } else if (in_target) {
        target.push_back(c);
      } else {
        std::string& dst = in_label ? label : out;
        if (c == '\n')
          dst += "<br>";
        else
          dst += Escape(std::string_view(&c, 1));
      }
    }
    return out;
  }

  std::vector<Block> blocks_;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string GroupDigits(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  std::string out;
  int n = static_cast<int>(s.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out.push_back(',');
    out.push_back(s[static_cast<size_t>(i)]);
  }
  return (v < 0 ? "-" : "") + out;
}

std::string Decimal(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 9e15) {
    return GroupDigits(static_cast<int64_t>(std::llround(v)));
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// The Thai and English label of an enum id used in parameters (industry, legal form, ...).
const EnumLabel* LabelOf(std::string_view id) {
  for (auto labels : {IndustryLabels(), LegalFormLabels(), SectorLabels(), SmeSizeLabels(),
                      CertificationLabels(), DimensionLabels()}) {
    int i = EnumIndex(labels, id);
    if (i >= 0) return &labels[static_cast<size_t>(i)];
  }
  return nullptr;
}

// A parameter value for the bilingual tables.
std::string ValueCell(const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "ใช่ · yes" : "ไม่ใช่ · no";
  if (v.is_number_integer()) return GroupDigits(v.get<int64_t>());
  if (v.is_number()) return Decimal(v.get<double>());
  if (v.is_string()) return Code(v.get<std::string>());
  if (v.is_array()) {
    std::string out;
    for (const json& item : v) {
      if (!out.empty()) out += "\n";
      std::string id = item.is_string() ? item.get<std::string>() : item.dump();
      out += Code(id);
      if (const EnumLabel* l = LabelOf(id))
        out += " " + std::string(l->th) + " · " + std::string(l->en);
    }
    return out;
  }
  return v.dump();
}

// A parameter value inside a sentence of one language.
std::string ValueText(const json& v, bool th) {
  if (v.is_boolean()) return v.get<bool>() ? (th ? "ใช่" : "yes") : (th ? "ไม่ใช่" : "no");
  if (v.is_number_integer()) return GroupDigits(v.get<int64_t>());
  if (v.is_number()) return Decimal(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const json& item : v) {
      if (!out.empty()) out += th ? " " : ", ";
      std::string id = item.is_string() ? item.get<std::string>() : item.dump();
      const EnumLabel* l = LabelOf(id);
      out += l ? std::string(th ? l->th : l->en) : id;
    }
    return out;
  }
  return v.dump();
}

std::string UnitCell(const std::string& unit) {
  static const std::map<std::string, std::string> kThai = {
      {"years", "ปี"},
      {"year", "ปี"},
      {"fiscal years", "ปีงบประมาณ"},
      {"man-days", "วันทำการ"},
      {"persons", "คน"},
      {"THB/year", "บาท/ปี"},
      {"THB", "บาท"},
      {"days", "วัน"},
      {"list", "รายการ"},
      {"level 0–5", "ระดับ 0–5"},
      {"units/month", "หน่วย/เดือน"},
      {"stars", "ดาว"},
  };
  if (unit.empty()) return "—";
  auto it = kThai.find(unit);
  return it == kThai.end() ? unit : it->second + " · " + unit;
}

// Fills a reason template for reading: parameters by their value, everything that depends on
// the applicant as ‹what it is›.
std::string RenderTemplate(const std::string& tpl, const ProgramInfo& program, bool th) {
  std::string out;
  size_t i = 0;
  while (i < tpl.size()) {
    size_t open = tpl.find('{', i);
    size_t close = open == std::string::npos ? std::string::npos : tpl.find('}', open);
    if (close == std::string::npos) {
      out += tpl.substr(i);
      break;
    }
    out += tpl.substr(i, open - i);
    std::string ref = tpl.substr(open + 1, close - open - 1);
    std::string fmt;
    if (size_t bar = ref.find('|'); bar != std::string::npos) {
      fmt = ref.substr(bar + 1);
      ref = ref.substr(0, bar);
    }
    std::string scope = ref.size() > 2 && ref[1] == '.' ? ref.substr(0, 1) : "";
    std::string name = scope.empty() ? ref : ref.substr(2);
    std::string shown;
    if (scope == "p") {
      for (const ParameterInfo& p : program.parameters) {
        if (p.name != name) continue;
        if (fmt == "mthb" && p.value.is_number())
          shown = Decimal(p.value.get<double>() / 1e6);
        else
          shown = ValueText(p.value, th);
      }
    } else if (scope == "e") {
      std::optional<ProfileField> f = FieldByName(name);
      std::string label = f ? std::string(th ? FieldLabels()[static_cast<size_t>(*f)].th
                                             : FieldLabels()[static_cast<size_t>(*f)].en)
                            : name;
      shown = "‹" + label + "›";
    } else if (scope == "c") {
      if (name == "fiscal_year")
        shown = th ? "‹ปี ค.ศ.›" : "‹year›";
      else if (name == "fiscal_year_be")
        shown = th ? "‹ปี พ.ศ.›" : "‹year (B.E.)›";
      else
        shown = th ? "‹วันที่พิจารณา›" : "‹decision date›";
    } else if (scope == "v") {
      shown = "‹" + name + "›";
    }
    out += shown.empty() ? "{" + tpl.substr(open + 1, close - open - 1) + "}" : shown;
    i = close + 1;
  }
  return out;
}

std::string Bilingual(const LocalizedText& t) {
  if (t.th.empty()) return t.en;
  if (t.en.empty()) return t.th;
  return t.th + "\n" + t.en;
}

std::string Period(const ProgramInfo& p) {
  int fy = p.effective_from.FiscalYear();
  std::string s = p.effective_from.ToString() + " (ปีงบประมาณ พ.ศ. " + std::to_string(fy + 543) +
                  " · FY " + std::to_string(fy) + ")";
  return s;
}

std::string PeriodEnd(const ProgramInfo& p) {
  if (!p.effective_to) return "ไม่กำหนด · open-ended";
  int fy = p.effective_to->FiscalYear();
  return p.effective_to->ToString() + " (ปีงบประมาณ พ.ศ. " + std::to_string(fy + 543) + " · FY " +
         std::to_string(fy) + ")";
}

std::string FileName(const std::string& script) {
  size_t slash = script.rfind('/');
  return slash == std::string::npos ? script : script.substr(slash + 1);
}

constexpr const char* kAssumed = "⚠ สมมติฐาน · assumed";

std::vector<const ProgramInfo*> VersionsOf(const RuleSet& rules, std::string_view id) {
  std::vector<const ProgramInfo*> versions;
  for (const ProgramInfo& p : rules.programs()) {
    if (p.id == id) versions.push_back(&p);
  }
  std::stable_sort(versions.begin(), versions.end(),
                   [](const ProgramInfo* a, const ProgramInfo* b) {
                     return a->effective_from < b->effective_from;
                   });
  return versions;
}

std::string GeneratedNote(const RuleSet& rules) {
  return "Generated by `smematch rules docs` from rule set " + rules.hash() +
         ". Do not edit: change the rule script and generate again.";
}

Doc ProgramDoc(const RuleSet& rules, const std::vector<const ProgramInfo*>& versions) {
  Doc doc;
  const ProgramInfo& latest = *versions.back();
  doc.Comment(GeneratedNote(rules));
  doc.H1(latest.id + " — " + latest.name.th);
  doc.P(latest.name.en);
  if (!latest.description.th.empty() || !latest.description.en.empty()) {
    doc.P(latest.description.th);
    doc.P(latest.description.en);
  }
  doc.P("สร้างจากสคริปต์กฎที่ใช้พิจารณาจริง ชุดกฎ " + Code(rules.hash()) +
        " · Generated from the rule scripts that decide, rule set " + Code(rules.hash()) + ". " +
        std::string(kAssumed) +
        ": ยังไม่มีแหล่งที่มายืนยัน ฝ่ายนโยบายต้องยืนยันหรือแก้ไข · not from a published source; " +
        "policy staff must confirm or change it.");

  doc.H2("เวอร์ชัน · Versions");
  std::vector<std::vector<std::string>> rows;
  for (const ProgramInfo* p : versions) {
    rows.push_back({Code(p->version), Period(*p), PeriodEnd(*p), Code(p->script)});
  }
  doc.Table({"เวอร์ชัน · version", "มีผลตั้งแต่ · effective from", "ถึง (รวมวันนั้น) · to (inclusive)",
             "สคริปต์ · script"},
            rows);

  if (versions.size() > 1) {
    // Parameters dated by version: one row per parameter, one column per version.
    std::vector<std::string> names;
    for (const ProgramInfo* p : versions) {
      for (const ParameterInfo& pi : p->parameters) {
        if (std::find(names.begin(), names.end(), pi.name) == names.end()) names.push_back(pi.name);
      }
    }
    if (!names.empty()) {
      doc.H2("ค่าพารามิเตอร์ตามช่วงเวลา · Parameter values over time");
      std::vector<std::string> header = {"พารามิเตอร์ · parameter"};
      for (const ProgramInfo* p : versions) {
        header.push_back(p->version + " (" + p->effective_from.ToString() + ")");
      }
      rows.clear();
      for (const std::string& name : names) {
        std::vector<std::string> row = {Code(name)};
        for (const ProgramInfo* p : versions) {
          auto it = std::find_if(p->parameters.begin(), p->parameters.end(),
                                 [&](const ParameterInfo& pi) { return pi.name == name; });
          row.push_back(it == p->parameters.end() ? "—" : ValueCell(it->value));
        }
        rows.push_back(std::move(row));
      }
      doc.Table(header, rows);
    }
  }

  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    const ProgramInfo& p = **it;
    doc.H2("เวอร์ชัน " + p.version + " · Version " + p.version);
    std::string when = "มีผล " + Period(p) + " ถึง " + PeriodEnd(p) + " · effective " +
                       p.effective_from.ToString() + " to " +
                       (p.effective_to ? p.effective_to->ToString() : std::string("open-ended"));
    doc.P(when);
    if (p.name.th != latest.name.th || p.name.en != latest.name.en) doc.P(Bilingual(p.name));
    if (!p.source.empty()) doc.P("ที่มา · Sources: " + p.source);
    doc.P("สคริปต์ · Script: " + Code(p.script));

    doc.H3("เกณฑ์ · Criteria");
    doc.P("ต้องผ่านทุกเกณฑ์จึงมีสิทธิ์ · An applicant must meet every criterion to be eligible.");
    rows.clear();
    int n = 0;
    for (const CriterionInfo& c : p.criteria) {
      std::string fail_text =
          RenderTemplate(c.fail.th, p, true) + "\n" + RenderTemplate(c.fail.en, p, false);
      rows.push_back({std::to_string(++n), Code(c.id), Bilingual(c.title),
                      c.condition.empty() ? std::string("ฟังก์ชันในสคริปต์ · function in the script")
                                          : Code(c.condition),
                      fail_text, c.source.empty() ? "—" : c.source, c.assumed ? kAssumed : "",
                      Code(FileName(p.script) + ":" + std::to_string(c.line))});
    }
    doc.Table({"#", "รหัส · id", "เกณฑ์ · criterion", "เงื่อนไข · condition",
               "เหตุผลเมื่อไม่ผ่าน · reason when not met", "ที่มา · source", "", "บรรทัด · line"},
              rows);

    if (!p.parameters.empty()) {
      doc.H3("พารามิเตอร์ · Parameters");
      rows.clear();
      for (const ParameterInfo& pi : p.parameters) {
        rows.push_back({Code(pi.name), ValueCell(pi.value), UnitCell(pi.unit),
                        Bilingual(pi.description), pi.source.empty() ? "—" : pi.source,
                        pi.assumed ? kAssumed : "",
                        Code(FileName(p.script) + ":" + std::to_string(pi.line))});
      }
      doc.Table({"ชื่อ · name", "ค่า · value", "หน่วย · unit", "ความหมาย · meaning", "ที่มา · source", "",
                 "บรรทัด · line"},
                rows);
    }

    if (p.has_score) {
      doc.H3("คะแนน · Score");
      doc.P(
          "ผู้มีสิทธิ์ได้คะแนน 0–100 เพื่อจัดลำดับ คะแนนไม่เปลี่ยนผลการพิจารณา (ดูสูตรในสคริปต์) · "
          "Eligible applicants get a score from 0 to 100 for ranking; it never changes an outcome "
          "(the formula is in the script).");
    }
    if (!p.groups.empty()) {
      doc.H3("กลุ่ม · Groups");
      rows.clear();
      for (const GroupInfo& g : p.groups) rows.push_back({Code(g.id), g.label.th, g.label.en});
      doc.Table({"รหัส · id", "ไทย", "English"}, rows);
    }
    if (p.benefit) {
      doc.H3("สิทธิประโยชน์ · Benefit");
      doc.P(RenderTemplate(p.benefit->th, p, true));
      doc.P(RenderTemplate(p.benefit->en, p, false));
    }
  }
  return doc;
}

Doc IndexDoc(const RuleSet& rules) {
  Doc doc;
  doc.Comment(GeneratedNote(rules));
  doc.H1("โครงการและเกณฑ์การพิจารณา · Programs and their criteria");
  doc.P("สร้างจากสคริปต์กฎที่ใช้พิจารณาจริง ชุดกฎ " + Code(rules.hash()) +
        " · Generated from the rule scripts that decide, rule set " + Code(rules.hash()) + ".");
  std::vector<std::vector<std::string>> rows;
  for (const std::string& id : rules.program_ids()) {
    std::vector<const ProgramInfo*> versions = VersionsOf(rules, id);
    std::string periods;
    for (const ProgramInfo* p : versions) {
      if (!periods.empty()) periods += "\n";
      periods += p->version + ": " + p->effective_from.ToString() + " – " +
                 (p->effective_to ? p->effective_to->ToString() : std::string("…"));
    }
    size_t assumed = 0;
    for (const CriterionInfo& c : versions.back()->criteria) assumed += c.assumed ? 1 : 0;
    rows.push_back({Link(id, Lower(id)), Bilingual(versions.back()->name), periods,
                    std::to_string(versions.back()->criteria.size()) + " (" +
                        std::to_string(assumed) + " ⚠)"});
  }
  doc.Table({"โครงการ · program", "ชื่อ · name", "เวอร์ชันและช่วงที่มีผล · versions and periods",
             "เกณฑ์ (สมมติฐาน) · criteria (assumed)"},
            rows);
  return doc;
}

}  // namespace

std::string ProgramDocMarkdown(const RuleSet& rules, std::string_view program_id) {
  std::vector<const ProgramInfo*> versions = VersionsOf(rules, program_id);
  if (versions.empty()) return "";
  return ProgramDoc(rules, versions).Markdown();
}

std::string ProgramDocHtml(const RuleSet& rules, std::string_view program_id) {
  std::vector<const ProgramInfo*> versions = VersionsOf(rules, program_id);
  if (versions.empty()) return "";
  return ProgramDoc(rules, versions)
      .Html(std::string(program_id) + " — " + versions.back()->name.th);
}

std::vector<DocFile> RenderRuleDocs(const RuleSet& rules, const RuleDocsOptions& options) {
  std::vector<DocFile> files;
  Doc index = IndexDoc(rules);
  if (options.markdown) files.push_back({"index.md", index.Markdown()});
  if (options.html)
    files.push_back({"index.html", index.Html("โครงการและเกณฑ์ · Programs and criteria")});
  for (const std::string& id : rules.program_ids()) {
    std::vector<const ProgramInfo*> versions = VersionsOf(rules, id);
    Doc doc = ProgramDoc(rules, versions);
    if (options.markdown) files.push_back({Lower(id) + ".md", doc.Markdown()});
    if (options.html)
      files.push_back({Lower(id) + ".html", doc.Html(id + " — " + versions.back()->name.th)});
  }
  return files;
}

}  // namespace smematch
