#include "smematch/rule_check.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "smematch/profile.h"
#include "smematch/provinces.h"

namespace smematch {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kProvincesSuffix = "/data/provinces.csv";
constexpr std::string_view kSettingsSuffix = "/settings.lua";

// ---------------------------------------------------------------------------------------------
// A Lua tokenizer just good enough to follow block structure and find references: comments
// are dropped, strings kept with their (unescaped-enough) content, lines counted.

enum class TokenType { kName, kString, kNumber, kSymbol };

struct Token {
  TokenType type;
  std::string text;
  int line;
};

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Returns the level of a long bracket opening at `s[i]` ("[[" = 0, "[==[" = 2), or -1.
int LongBracketLevel(std::string_view s, size_t i) {
  if (i >= s.size() || s[i] != '[') return -1;
  size_t j = i + 1;
  while (j < s.size() && s[j] == '=') ++j;
  if (j < s.size() && s[j] == '[') return static_cast<int>(j - i - 1);
  return -1;
}

// Skips a long bracket of `level` opening at `s[i]`; returns the index after it and counts
// lines. `content` receives the text inside.
size_t SkipLongBracket(std::string_view s, size_t i, int level, int* line, std::string* content) {
  size_t start = i + static_cast<size_t>(level) + 2;
  std::string close = "]" + std::string(static_cast<size_t>(level), '=') + "]";
  size_t end = s.find(close, start);
  if (end == std::string_view::npos) end = s.size();
  *line += static_cast<int>(std::count(s.begin() + static_cast<std::ptrdiff_t>(start),
                                       s.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
  if (content != nullptr) content->assign(s.substr(start, end - start));
  return std::min(s.size(), end + close.size());
}

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> tokens;
  int line = 1;
  size_t i = 0;
  if (s.substr(0, 1) == "#") i = s.find('\n') == std::string_view::npos ? s.size() : s.find('\n');
  while (i < s.size()) {
    char ch = s[i];
    if (ch == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(ch))) {
      ++i;
      continue;
    }
    if (ch == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      int level = LongBracketLevel(s, i + 2);
      if (level >= 0) {
        i = SkipLongBracket(s, i + 2, level, &line, nullptr);
      } else {
        size_t nl = s.find('\n', i);
        i = nl == std::string_view::npos ? s.size() : nl;
      }
      continue;
    }
    if (IsNameStart(ch)) {
      size_t j = i;
      while (j < s.size() && IsNameChar(s[j])) ++j;
      tokens.push_back({TokenType::kName, std::string(s.substr(i, j - i)), line});
      i = j;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(ch)) ||
        (ch == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i;
      while (j < s.size()) {
        char c = s[j];
        if (IsNameChar(c) || c == '.') {
          ++j;
        } else if ((c == '+' || c == '-') && j > i && std::strchr("eEpP", s[j - 1]) != nullptr) {
          ++j;
        } else {
          break;
        }
      }
      tokens.push_back({TokenType::kNumber, std::string(s.substr(i, j - i)), line});
      i = j;
      continue;
    }
    if (ch == '"' || ch == '\'') {
      int start_line = line;
      std::string content;
      size_t j = i + 1;
      while (j < s.size() && s[j] != ch) {
        if (s[j] == '\\' && j + 1 < s.size()) {
          if (s[j + 1] == '\n') ++line;
          content.push_back(s[j + 1]);
          j += 2;
          continue;
        }
        if (s[j] == '\n') break;  // unfinished string: the loader reports it
        content.push_back(s[j]);
        ++j;
      }
      tokens.push_back({TokenType::kString, std::move(content), start_line});
      i = std::min(s.size(), j + 1);
      continue;
    }
    int level = LongBracketLevel(s, i);
    if (level >= 0) {
      int start_line = line;
      std::string content;
      i = SkipLongBracket(s, i, level, &line, &content);
      tokens.push_back({TokenType::kString, std::move(content), start_line});
      continue;
    }
    static constexpr std::string_view kMulti[] = {
        "...", "..", "==", "~=", "<=", ">=", "//", "::", "<<", ">>"};
    size_t len = 1;
    for (std::string_view m : kMulti) {
      if (s.substr(i, m.size()) == m) {
        len = m.size();
        break;
      }
    }
    tokens.push_back({TokenType::kSymbol, std::string(s.substr(i, len)), line});
    i += len;
  }
  return tokens;
}

bool IsSymbol(const std::vector<Token>& t, size_t i, std::string_view sym) {
  return i < t.size() && t[i].type == TokenType::kSymbol && t[i].text == sym;
}
bool IsName(const std::vector<Token>& t, size_t i, std::string_view name) {
  return i < t.size() && t[i].type == TokenType::kName && t[i].text == name;
}

const std::set<std::string, std::less<>>& Keywords() {
  static const std::set<std::string, std::less<>> k = {
      "and",      "break",  "do",   "else", "elseif", "end",  "false", "for",
      "function", "goto",   "if",   "in",   "local",  "nil",  "not",   "or",
      "repeat",   "return", "then", "true", "until",  "while"};
  return k;
}

// Names a rule script cannot reach, with why.
const std::map<std::string, std::string, std::less<>>& Unavailable() {
  static const std::map<std::string, std::string, std::less<>> m = {
      {"os",
       "rules cannot read the clock, the environment or run programs; the decision date is "
       "c.as_of"},
      {"io", "rules cannot read or write files"},
      {"require", "rules cannot load other code"},
      {"load", "rules cannot compile code at run time"},
      {"loadfile", "rules cannot load files"},
      {"dofile", "rules cannot run files"},
      {"loadstring", "rules cannot compile code at run time (and it is not Lua 5.4)"},
      {"debug", "the debug library would break the sandbox"},
      {"package", "rules cannot load modules"},
      {"coroutine", "coroutines are not offered to rule scripts"},
      {"print", "rules cannot write output; reasons are the pass/fail texts"},
      {"collectgarbage", "the engine manages memory"},
      {"rawget", "rules must not bypass the read-only views"},
      {"rawset", "rules must not bypass the read-only views"},
      {"_G", "rule scripts have no global table"},
      {"setfenv", "not Lua 5.4, and rules cannot change environments"},
      {"getfenv", "not Lua 5.4, and rules cannot read environments"},
      {"module", "rules cannot define modules"},
  };
  return m;
}

constexpr std::string_view kContextNames[] = {"as_of", "fiscal_year", "fiscal_year_be"};

// ---------------------------------------------------------------------------------------------
// Loader messages

struct ParsedLine {
  std::string file;
  int line = 0;
  std::string message;
};

// Splits "path:line: message" lines (a line without that shape continues the previous one;
// "path: message" has line 0).
std::vector<ParsedLine> ParseLoaderMessages(const std::string& text,
                                            const std::vector<RuleSet::File>& files) {
  std::vector<ParsedLine> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    ParsedLine p;
    bool matched = false;
    for (const RuleSet::File& f : files) {
      if (l.size() > f.path.size() && l.compare(0, f.path.size(), f.path) == 0 &&
          l[f.path.size()] == ':') {
        p.file = f.path;
        std::string rest = l.substr(f.path.size() + 1);
        size_t digits = 0;
        while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])))
          ++digits;
        if (digits > 0 && digits < rest.size() && rest[digits] == ':') {
          p.line = std::stoi(rest.substr(0, digits));
          rest = rest.substr(digits + 1);
        }
        if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
        p.message = rest;
        matched = true;
        break;
      }
    }
    if (!matched && !out.empty() && !l.empty()) {
      out.back().message += "\n" + l;
      continue;
    }
    if (!matched) p.message = l;
    if (!p.message.empty() || !p.file.empty()) out.push_back(std::move(p));
  }
  return out;
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

std::string Classify(std::string_view m, StatusCode code) {
  if (code == StatusCode::kResourceExhausted || Contains(m, "instruction budget") ||
      Contains(m, "memory limit")) {
    return "budget";
  }
  if (Contains(m, "precompiled") || Contains(m, "cannot set a metatable on their environment") ||
      Contains(m, "finalizers (__gc)") || Contains(m, "cannot set global")) {
    return "sandbox";
  }
  for (const auto& [name, why] : Unavailable()) {
    if (Contains(m, "(global '" + name + "')")) return "sandbox";
  }
  if (Contains(m, "(field 'dump')") || Contains(m, "(field 'random')") ||
      Contains(m, "(field 'randomseed')")) {
    return "sandbox";
  }
  if (Contains(m, " near ") || Contains(m, "unfinished ")) return "syntax";
  if (Contains(m, "overlaps version")) return "overlap";
  if (Contains(m, "missing the Thai text") || Contains(m, "missing the English text") ||
      Contains(m, "expected { th =")) {
    return "missing_text";
  }
  if (Contains(m, "declared type") || Contains(m, "value must be an integer, number")) {
    return "parameter_type";
  }
  if (Contains(m, "declared twice")) return "duplicate_id";
  if (Contains(m, "placeholder") || Contains(m, "unknown format")) return "placeholder";
  if (m.substr(0, 8) == "settings") return "settings";
  return "declaration";
}

// Explains Lua's "attempt to index a nil value (global 'io')" in the sandbox's words.
std::string SandboxHint(std::string_view m) {
  for (const auto& [name, why] : Unavailable()) {
    if (Contains(m, "(global '" + name + "')")) {
      return "; '" + name + "' is not available in rule scripts (sandbox): " + why;
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Dates

int64_t DaysFromCivil(const Date& d) {
  // Howard Hinnant's days_from_civil.
  int y = d.year - (d.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp + (mp < 10 ? 3 : -9);
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

// ---------------------------------------------------------------------------------------------
// The checker

class Checker {
 public:
  Checker(std::vector<RuleSet::File> files, const RuleLimits& limits)
      : files_(std::move(files)), limits_(limits) {
    std::sort(files_.begin(), files_.end(),
              [](const RuleSet::File& a, const RuleSet::File& b) { return a.path < b.path; });
  }

  RuleCheckReport Run() {
    for (const RuleSet::File& f : files_) report_.files.push_back(f.path);
    const RuleSet::File* provinces = nullptr;
    for (const RuleSet::File& f : files_) {
      if (f.path.ends_with(kProvincesSuffix)) provinces = &f;
    }
    bool can_load = CheckProvinces(provinces);
    std::vector<const RuleSet::File*> scripts;
    for (const RuleSet::File& f : files_) {
      if (f.path.ends_with(".lua") && !f.path.ends_with(kSettingsSuffix)) scripts.push_back(&f);
    }
    if (scripts.empty()) {
      Add(FindingSeverity::kError, "file", "", 0,
          "the rule set has no program script (programs/*.lua)");
    }
    if (can_load) {
      LoadWhole(scripts);
      for (const RuleSet::File* s : scripts) LoadAlone(*s, *provinces);
    }
    CheckVersions();
    loader_findings_ = report_.findings.size();
    for (const RuleSet::File& f : files_) {
      if (f.path.ends_with(".lua") && !unscannable_.count(f.path)) Scan(f);
    }
    std::stable_sort(report_.findings.begin(), report_.findings.end(),
                     [](const RuleFinding& a, const RuleFinding& b) {
                       if (a.file != b.file) return a.file < b.file;
                       return a.line < b.line;
                     });
    return std::move(report_);
  }

 private:
  void Add(FindingSeverity severity, std::string kind, std::string file, int line,
           std::string message) {
    report_.findings.push_back(
        {severity, std::move(kind), std::move(file), line, std::move(message)});
  }

  bool CheckProvinces(const RuleSet::File* provinces) {
    if (provinces == nullptr) {
      Add(FindingSeverity::kError, "provinces", "", 0, "the rule set has no data/provinces.csv");
      return false;
    }
    Result<ProvinceTable> table = ProvinceTable::Parse(provinces->text);
    if (!table.ok()) {
      Add(FindingSeverity::kError, "provinces", provinces->path, 0, table.status().message());
      return false;
    }
    if (table->all().empty()) {
      Add(FindingSeverity::kError, "provinces", provinces->path, 0, "no provinces");
      return false;
    }
    return true;
  }

  // The whole set: its hash when it loads, and the problems no single script shows (settings).
  void LoadWhole(const std::vector<const RuleSet::File*>& scripts) {
    Result<std::shared_ptr<const RuleSet>> whole = RuleSet::FromFiles(files_, limits_);
    if (whole.ok()) {
      report_.rule_set = (*whole)->hash();
      return;
    }
    std::set<std::string> script_paths;
    for (const RuleSet::File* s : scripts) script_paths.insert(s->path);
    for (ParsedLine& p : ParseLoaderMessages(whole.status().message(), files_)) {
      if (script_paths.count(p.file)) continue;  // reported by LoadAlone, script by script
      std::string kind = Classify(p.message, whole.status().code());
      if (kind == "overlap") continue;  // reported by CheckVersions, with gaps
      if (p.message == "rule set declares no program") continue;
      if (kind == "syntax") unscannable_.insert(p.file);
      if (kind == "sandbox") p.message += SandboxHint(p.message);
      Add(FindingSeverity::kError, kind, p.file, p.line, p.message);
    }
  }

  // One program script with the province table: its own errors, and its ProgramInfo.
  void LoadAlone(const RuleSet::File& script, const RuleSet::File& provinces) {
    Result<std::shared_ptr<const RuleSet>> alone = RuleSet::FromFiles({script, provinces}, limits_);
    if (alone.ok()) {
      for (const ProgramInfo& p : (*alone)->programs()) report_.programs.push_back(p);
      return;
    }
    for (ParsedLine& p : ParseLoaderMessages(alone.status().message(), {script, provinces})) {
      if (p.message == "rule set declares no program") continue;
      std::string kind = Classify(p.message, alone.status().code());
      if (kind == "syntax" || Contains(p.message, "precompiled")) unscannable_.insert(script.path);
      if (kind == "budget" && p.line == 0) {
        // "path: while loading: engine/prelude.lua:N: instruction budget ... exceeded"
        if (p.message.starts_with("while loading: ")) p.message.erase(0, 15);
        p.message = "the script's top level ran out of budget while loading (" + p.message +
                    "); work belongs inside test functions";
      }
      if (p.file.empty()) p.file = script.path;
      if (kind == "sandbox") p.message += SandboxHint(p.message);
      Add(FindingSeverity::kError, kind, p.file, p.line, p.message);
    }
  }

  // Line of the first top-level `key` token of `path` (e.g. "effective_from"), or 1.
  int LineOf(const std::string& path, std::string_view key) {
    for (const RuleSet::File& f : files_) {
      if (f.path != path) continue;
      for (const Token& t : Tokenize(f.text)) {
        if (t.type == TokenType::kName && t.text == key) return t.line;
      }
    }
    return 1;
  }

  void CheckVersions() {
    std::map<std::string, std::vector<const ProgramInfo*>> by_id;
    for (const ProgramInfo& p : report_.programs) by_id[p.id].push_back(&p);
    for (auto& [id, versions] : by_id) {
      std::sort(versions.begin(), versions.end(), [](const ProgramInfo* a, const ProgramInfo* b) {
        if (a->effective_from != b->effective_from) return a->effective_from < b->effective_from;
        return a->script < b->script;
      });
      std::map<std::string, const ProgramInfo*> by_version;
      for (const ProgramInfo* v : versions) {
        auto [it, inserted] = by_version.emplace(v->version, v);
        if (!inserted) {
          Add(FindingSeverity::kError, "duplicate_version", v->script, LineOf(v->script, "version"),
              "program " + id + " version " + v->version + " is also declared in " +
                  it->second->script + "; give each version its own version string");
        }
      }
      for (size_t i = 1; i < versions.size(); ++i) {
        const ProgramInfo& prev = *versions[i - 1];
        const ProgramInfo& next = *versions[i];
        std::string prev_period =
            prev.effective_from.ToString() + " to " +
            (prev.effective_to ? prev.effective_to->ToString() : std::string("open end"));
        if (!prev.effective_to || *prev.effective_to >= next.effective_from) {
          Add(FindingSeverity::kError, "overlap", next.script,
              LineOf(next.script, "effective_from"),
              "program " + id + " version " + next.version + " (effective from " +
                  next.effective_from.ToString() + ") overlaps version " + prev.version + " in " +
                  prev.script + " (effective " + prev_period +
                  "); end the earlier version the day before");
          continue;
        }
        int64_t gap_start = DaysFromCivil(*prev.effective_to) + 1;
        int64_t gap_end = DaysFromCivil(next.effective_from) - 1;
        if (gap_start <= gap_end) {
          Add(FindingSeverity::kWarning, "gap", next.script, LineOf(next.script, "effective_from"),
              "program " + id + " has no version effective from " +
                  CivilFromDays(gap_start).ToString() + " to " + CivilFromDays(gap_end).ToString() +
                  " (" + std::to_string(gap_end - gap_start + 1) + " days between version " +
                  prev.version + " in " + prev.script + ", effective " + prev_period +
                  ", and version " + next.version + "); screening on those dates stops with " +
                  "\"no version of program " + id + " is effective\"");
        }
      }
    }
  }

  struct Frame {
    bool function = false;
    bool rule_function = false;  // test, values, score, group
    std::vector<std::string> params;
  };

  // Returns `t` with each condition (`test = "<expression>"`) replaced by the tokens of
  // `function(e, p, c) return <expression> end` on the string's line, so that the scan below
  // checks its references as it does a test written as a function.
  static std::vector<Token> ExpandConditions(std::vector<Token> t) {
    std::vector<Token> out;
    out.reserve(t.size());
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i].type != TokenType::kString || i < 2 || !IsSymbol(t, i - 1, "=") ||
          !IsName(t, i - 2, "test")) {
        out.push_back(t[i]);
        continue;
      }
      const int line = t[i].line;
      auto add = [&](TokenType type, std::string text) { out.push_back({type, std::move(text), line}); };
      add(TokenType::kName, "function");
      add(TokenType::kSymbol, "(");
      for (const char* param : {"e", "p", "c"}) {
        if (param[0] != 'e') add(TokenType::kSymbol, ",");
        add(TokenType::kName, param);
      }
      add(TokenType::kSymbol, ")");
      add(TokenType::kName, "return");
      for (Token& inner : Tokenize(t[i].text)) {
        inner.line = line;
        out.push_back(std::move(inner));
      }
      add(TokenType::kName, "end");
    }
    return out;
  }

  // Scans one script's text for references the loader cannot check (see rule_check.h).
  void Scan(const RuleSet::File& file) {
    std::vector<Token> t = ExpandConditions(Tokenize(file.text));
    const bool program_script = !file.path.ends_with(kSettingsSuffix);
    // Every name the script declares itself (locals, parameters, loop variables): those are
    // not the sandbox's missing globals.
    std::set<std::string, std::less<>> declared;
    std::map<std::string, int> parameters;  // declared with parameter "name" { ... }
    for (size_t i = 0; i < t.size(); ++i) {
      if (IsName(t, i, "local") || IsName(t, i, "for")) {
        size_t j = i + 1;
        if (IsName(t, j, "function")) ++j;
        for (; j < t.size() && t[j].type == TokenType::kName && !Keywords().count(t[j].text); ++j) {
          declared.insert(t[j].text);
          if (IsSymbol(t, j + 1, "<")) j += 3;  // local x <const>
          if (!IsSymbol(t, j + 1, ",")) break;
          ++j;
        }
      }
      if (IsName(t, i, "function")) {
        size_t j = i + 1;
        while (j < t.size() && !IsSymbol(t, j, "(")) ++j;
        for (++j; j < t.size() && !IsSymbol(t, j, ")"); ++j) {
          if (t[j].type == TokenType::kName) declared.insert(t[j].text);
        }
      }
      if (program_script && IsName(t, i, "parameter") && i + 1 < t.size() &&
          t[i + 1].type == TokenType::kString && !(i > 0 && IsSymbol(t, i - 1, "."))) {
        parameters.emplace(t[i + 1].text, t[i + 1].line);
      }
    }
    std::set<std::string> used_parameters;
    for (const Token& tok : t) {
      if (tok.type != TokenType::kString) continue;
      for (size_t at = tok.text.find("{p."); at != std::string::npos;
           at = tok.text.find("{p.", at + 1)) {
        size_t end = at + 3;
        while (end < tok.text.size() && IsNameChar(tok.text[end])) ++end;
        used_parameters.insert(tok.text.substr(at + 3, end - at - 3));
      }
    }

    std::vector<Frame> stack;
    std::set<std::pair<int, std::string>> seen;  // one finding per line and message
    auto add = [&](FindingSeverity sev, const std::string& kind, int line, const std::string& msg) {
      if (!seen.insert({line, msg}).second) return;
      for (size_t k = 0; k < loader_findings_; ++k) {
        // The loader already reported this line (a sandbox error at the top level).
        const RuleFinding& f = report_.findings[k];
        if (f.file == file.path && f.line == line && f.kind == kind) return;
      }
      Add(sev, kind, file.path, line, msg);
    };
    auto pop = [&] {
      if (!stack.empty()) stack.pop_back();
    };

    for (size_t i = 0; i < t.size(); ++i) {
      const Token& tok = t[i];
      if (tok.type != TokenType::kName) continue;
      bool after_dot = i > 0 && (IsSymbol(t, i - 1, ".") || IsSymbol(t, i - 1, ":"));
      if (after_dot) continue;
      const std::string& name = tok.text;
      if (name == "function") {
        Frame f;
        f.function = true;
        f.rule_function = (i >= 2 && IsSymbol(t, i - 1, "=") &&
                           (IsName(t, i - 2, "test") || IsName(t, i - 2, "values"))) ||
                          (i >= 2 && IsSymbol(t, i - 1, "(") &&
                           (IsName(t, i - 2, "score") || IsName(t, i - 2, "group")));
        size_t j = i + 1;
        while (j < t.size() && !IsSymbol(t, j, "(")) ++j;
        for (++j; j < t.size() && !IsSymbol(t, j, ")"); ++j) {
          if (t[j].type == TokenType::kName)
            f.params.push_back(t[j].text);
          else if (IsSymbol(t, j, "..."))
            f.params.push_back("...");
        }
        stack.push_back(std::move(f));
        i = j;
        continue;
      }
      if (name == "if" || name == "do" || name == "repeat") {
        stack.push_back(Frame{});
        continue;
      }
      if (name == "end" || name == "until") {
        pop();
        continue;
      }
      if (Keywords().count(name)) continue;
      if (i > 0 && (IsName(t, i - 1, "local") || IsName(t, i - 1, "goto"))) continue;
      bool table_key =
          IsSymbol(t, i + 1, "=") && i > 0 &&
          (IsSymbol(t, i - 1, "{") || IsSymbol(t, i - 1, ",") || IsSymbol(t, i - 1, ";"));
      if (table_key) continue;

      // Sandbox: globals that are not there.
      auto unavailable = Unavailable().find(name);
      if (unavailable != Unavailable().end() && !declared.count(name)) {
        add(FindingSeverity::kError, "sandbox", tok.line,
            "'" + name + "' is not available in rule scripts (sandbox): " + unavailable->second);
        continue;
      }
      if ((name == "string" || name == "math") && !declared.count(name) &&
          IsSymbol(t, i + 1, ".") && i + 2 < t.size() && t[i + 2].type == TokenType::kName) {
        const std::string& member = t[i + 2].text;
        if ((name == "string" && member == "dump") ||
            (name == "math" && (member == "random" || member == "randomseed"))) {
          add(FindingSeverity::kError, "sandbox", tok.line,
              "'" + name + "." + member + "' is not available in rule scripts (sandbox): " +
                  (name == "string" ? std::string("rules cannot produce bytecode")
                                    : std::string("decisions must not depend on chance")));
        }
        continue;
      }

      // References through the applicant, the parameters or the context.
      int role = -1;  // 0 applicant, 1 parameters, 2 context
      for (auto f = stack.rbegin(); f != stack.rend(); ++f) {
        if (!f->function) continue;
        auto p = std::find(f->params.begin(), f->params.end(), name);
        if (p == f->params.end()) continue;
        int pos = static_cast<int>(p - f->params.begin());
        if (f->rule_function && pos <= 2)
          role = pos;
        else if (pos == 0 && name == "e")
          role = 0;
        break;
      }
      if (role < 0) continue;
      std::string member;
      size_t after = 0;
      if (IsSymbol(t, i + 1, ".") && i + 2 < t.size() && t[i + 2].type == TokenType::kName) {
        member = t[i + 2].text;
        after = i + 3;
      } else if (IsSymbol(t, i + 1, "[") && i + 2 < t.size() &&
                 t[i + 2].type == TokenType::kString && IsSymbol(t, i + 3, "]")) {
        member = t[i + 2].text;
        after = i + 4;
      } else {
        continue;
      }
      bool assigned = IsSymbol(t, after, "=");
      if (role == 0) {
        if (assigned) {
          add(FindingSeverity::kError, "read_only", tok.line,
              "the applicant is read-only: " + name + "." + member + " cannot be assigned");
        } else if (member == "participation") {
          add(FindingSeverity::kError, "unknown_field", tok.line,
              "read past participation with participated(e, program, from_fy, to_fy) or "
              "man_days_used(e, program, fiscal_year), not " +
                  name + ".participation");
        } else if (!FieldByName(member)) {
          add(FindingSeverity::kError, "unknown_field", tok.line,
              "unknown profile field '" + member + "' in " + name + "." + member + Suggest(member));
        }
      } else if (role == 1) {
        used_parameters.insert(member);
        if (!program_script) continue;
        if (assigned) {
          add(FindingSeverity::kError, "read_only", tok.line,
              "parameters are read-only: " + name + "." + member + " cannot be assigned");
        } else if (!parameters.count(member)) {
          std::string known;
          for (const auto& [k, line] : parameters) known += (known.empty() ? "" : ", ") + k;
          add(FindingSeverity::kError, "unknown_parameter", tok.line,
              "unknown parameter '" + member + "' in " + name + "." + member +
                  "; declared: " + (known.empty() ? std::string("none") : known));
        }
      } else if (std::find(std::begin(kContextNames), std::end(kContextNames), member) ==
                 std::end(kContextNames)) {
        add(FindingSeverity::kError, "unknown_context", tok.line,
            "unknown context value '" + member + "' in " + name + "." + member +
                "; known: as_of, fiscal_year, fiscal_year_be");
      }
    }
    if (!program_script) return;
    for (const auto& [param, line] : parameters) {
      if (!used_parameters.count(param)) {
        add(FindingSeverity::kWarning, "unused_parameter", line,
            "parameter '" + param + "' is declared but no test, value, score, group or reason " +
                "text reads it (p." + param + ")");
      }
    }
  }

  // Returns "; did you mean 'x'?" for the profile field closest to `name`, or "".
  static std::string Suggest(const std::string& name) {
    auto distance = [](std::string_view a, std::string_view b) {
      std::vector<size_t> row(b.size() + 1);
      for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
      for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
          size_t up = row[j];
          row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0u : 1u)});
          diag = up;
        }
      }
      return row[b.size()];
    };
    std::string best;
    size_t best_distance = 3;  // at most two edits away
    for (int f = 0; f < kProfileFieldCount; ++f) {
      std::string_view field = FieldName(static_cast<ProfileField>(f));
      size_t d = distance(name, field);
      if (d < best_distance) {
        best_distance = d;
        best = field;
      }
    }
    return best.empty() ? "" : "; did you mean '" + best + "'?";
  }

  std::vector<RuleSet::File> files_;
  RuleLimits limits_;
  RuleCheckReport report_;
  size_t loader_findings_ = 0;         // findings before the scan: what loading and versions found
  std::set<std::string> unscannable_;  // syntax errors, bytecode: the scan would be noise
};

}  // namespace

std::string_view FindingSeverityName(FindingSeverity severity) {
  return severity == FindingSeverity::kError ? "error" : "warning";
}

size_t RuleCheckReport::errors() const {
  return static_cast<size_t>(
      std::count_if(findings.begin(), findings.end(),
                    [](const RuleFinding& f) { return f.severity == FindingSeverity::kError; }));
}

size_t RuleCheckReport::warnings() const { return findings.size() - errors(); }

Result<std::vector<RuleSet::File>> ReadRuleFiles(const std::string& dir) {
  return RuleSet::ReadFiles(dir);
}

Result<RuleCheckReport> CheckRules(const std::string& dir, const RuleLimits& limits) {
  Result<std::vector<RuleSet::File>> files = ReadRuleFiles(dir);
  if (!files.ok()) return files.status();
  return CheckRuleFiles(std::move(*files), limits);
}

RuleCheckReport CheckRuleFiles(std::vector<RuleSet::File> files, const RuleLimits& limits) {
  return Checker(std::move(files), limits).Run();
}

}  // namespace smematch
