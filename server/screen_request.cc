#include "screen_request.h"

#include <simdjson.h>

#include <algorithm>

#include "json_util.h"

namespace smematch::server {
namespace {

namespace od = simdjson::ondemand;
using nlohmann::json;

// The one-parse path of ParseScreenRequest: true if the body is a valid request with nothing
// unusual (see the header); false sends it to ParseScreenRequestDom.
bool ParseOnce(std::string_view body, const RuleSet& rules, ProfileReader* reader,
               ScreenRequest* request, EnterpriseProfile* profile,
               std::vector<FieldError>* field_errors) {
  // A valid body is a profile (under a fifth of kMaxRecordBytes, below) and a few members; larger
  // ones go to the DOM path, so that the buffers kept per thread stay small.
  if (body.size() > kMaxRecordBytes / 4) return false;
  // A copy with simdjson's padding, kept per thread; the enterprise's text is parsed in it.
  thread_local std::string buffer;
  thread_local od::parser parser;
  buffer.assign(body);
  buffer.append(simdjson::SIMDJSON_PADDING, ' ');
  od::document doc;
  if (parser.iterate(buffer.data(), body.size(), buffer.size()).get(doc)) return false;
  od::object object;
  if (doc.get_object().get(object)) return false;
  enum : unsigned { kEnterprise = 1, kPrograms = 2, kLang = 4, kAsOf = 8, kExplain = 16 };
  unsigned seen = 0;
  std::string_view enterprise;
  for (auto member : object) {
    std::string_view key;
    od::value value;
    if (member.unescaped_key().get(key) || member.value().get(value)) return false;
    unsigned bit;
    if (key == "enterprise") {
      bit = kEnterprise;
      od::object e;
      if (value.get_object().get(e) || e.raw_json().get(enterprise)) return false;
    } else if (key == "programs") {
      bit = kPrograms;
      od::array a;
      if (value.get_array().get(a)) return false;
      for (auto item : a) {
        std::string_view id;
        if (item.get_string().get(id)) return false;
        request->programs.emplace_back(id);
      }
    } else if (key == "lang") {
      bit = kLang;
      std::string_view lang;
      if (value.get_string().get(lang)) return false;
      if (lang == "th") request->lang = Lang::kTh;
      else if (lang == "en") request->lang = Lang::kEn;
      else return false;
    } else if (key == "as_of") {
      bit = kAsOf;
      std::string_view text;
      if (value.get_string().get(text)) return false;
      auto d = Date::Parse(text);
      if (!d.ok()) return false;
      request->as_of = *d;
    } else if (key == "explain") {
      bit = kExplain;
      if (value.get_bool().get(request->explain)) return false;
    } else {
      return false;
    }
    if (seen & bit) return false;
    seen |= bit;
  }
  if (!(seen & kEnterprise)) return false;
  const char* rest = nullptr;  // content after the object (OUT_OF_BOUNDS: none)
  if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) return false;
  if (!request->programs.empty()) {
    std::vector<ProblemField> errors;
    CheckPrograms(rules, request->programs, "", &errors);
    if (!errors.empty()) return false;
  }
  // The DOM path parses the enterprise as nlohmann serializes it, which can be longer than the
  // raw text (1e15 is "1000000000000000.0"), up to 4.5 times: only a raw text under a fifth of
  // the limit is sure to be under it both ways.
  if (enterprise.size() > kMaxRecordBytes / 5) return false;
  return reader->ParseJsonPadded(enterprise, profile, field_errors).ok();
}

}  // namespace

void CheckPrograms(const RuleSet& rules, const std::vector<std::string>& ids,
                   const std::string& pointer_prefix, std::vector<ProblemField>* errors) {
  std::vector<std::string> known = rules.program_ids();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (std::find(known.begin(), known.end(), ids[i]) != known.end()) continue;
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    errors->push_back({pointer_prefix + std::to_string(i),
                       "unknown program \"" + ids[i] + "\"; known: " + list});
  }
}

bool ParseJsonBody(std::string_view body, json* out, RequestProblem* problem) {
  size_t at = JsonDepthExceeded(body);
  if (at != std::string_view::npos) {
    problem->detail = "the body nests arrays and objects deeper than " +
                      std::to_string(kMaxJsonDepth) + " levels (at byte " + std::to_string(at) +
                      ")";
    problem->errors = {{"", "nested too deeply"}};
    return false;
  }
  try {
    *out = json::parse(body.begin(), body.end());
  } catch (const json::parse_error& e) {
    // The parser's message quotes the input it last read, which may be invalid UTF-8: only
    // printable ASCII of it is echoed.
    std::string what = e.what();
    for (char& c : what) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    problem->detail = "the body is not valid JSON: at byte " + std::to_string(e.byte);
    problem->errors = {{"", "malformed JSON: " + what}};
    return false;
  } catch (const json::out_of_range& e) {
    // A number beyond a double (1e400): nlohmann reports it as out_of_range, not parse_error.
    std::string what = e.what();
    for (char& c : what) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    problem->detail = "the body is not valid JSON: a number out of range";
    problem->errors = {{"", "malformed JSON: " + what}};
    return false;
  }
  return true;
}

bool ParseScreenRequest(std::string_view body, const RuleSet& rules, ProfileReader* reader,
                        ScreenRequest* request, EnterpriseProfile* profile,
                        std::vector<FieldError>* field_errors, RequestProblem* problem) {
  if (ParseOnce(body, rules, reader, request, profile, field_errors)) return true;
  *request = ScreenRequest();
  return ParseScreenRequestDom(body, rules, reader, request, profile, field_errors, problem);
}

bool ParseScreenRequestDom(std::string_view body, const RuleSet& rules, ProfileReader* reader,
                           ScreenRequest* request, EnterpriseProfile* profile,
                           std::vector<FieldError>* field_errors, RequestProblem* problem) {
  json parsed;
  if (!ParseJsonBody(body, &parsed, problem)) return false;
  if (!parsed.is_object()) {
    problem->detail = "the body must be a JSON object";
    problem->errors = {{"", "expected an object"}};
    return false;
  }
  if (!reader) return true;
  std::vector<ProblemField> errors;
  std::string enterprise;
  for (auto& [key, value] : parsed.items()) {
    if (key == "enterprise") {
      if (!value.is_object()) errors.push_back({"/enterprise", "expected an object"});
      else enterprise = value.dump();
    } else if (key == "programs") {
      if (!value.is_array()) {
        errors.push_back({"/programs", "expected an array of program ids"});
        continue;
      }
      for (size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) {
          errors.push_back({"/programs/" + std::to_string(i), "expected a program id"});
        } else {
          request->programs.push_back(value[i].get<std::string>());
        }
      }
      CheckPrograms(rules, request->programs, "/programs/", &errors);
    } else if (key == "lang") {
      if (value == "th") request->lang = Lang::kTh;
      else if (value == "en") request->lang = Lang::kEn;
      else errors.push_back({"/lang", "expected \"th\" or \"en\""});
    } else if (key == "as_of") {
      auto d = value.is_string() ? Date::Parse(value.get<std::string>())
                                 : Result<Date>(InvalidArgumentError("expected YYYY-MM-DD"));
      if (d.ok()) request->as_of = *d;
      else errors.push_back({"/as_of", d.status().message()});
    } else if (key == "explain") {
      if (value.is_boolean()) request->explain = value.get<bool>();
      else errors.push_back({"/explain", "expected true or false"});
    } else {
      errors.push_back({"/" + PointerToken(key),
                        "unknown member; expected enterprise, programs, lang, as_of or explain"});
    }
  }
  if (!parsed.contains("enterprise")) errors.push_back({"/enterprise", "required"});
  if (!enterprise.empty()) {
    if (!reader->ParseJson(enterprise, profile, field_errors).ok()) {
      for (ProblemField& f : ProfileFieldErrors(*field_errors, "/enterprise")) {
        errors.push_back(std::move(f));
      }
    }
  }
  if (errors.empty()) return true;
  problem->detail = errors.size() == 1 ? errors[0].pointer + ": " + errors[0].detail
                                       : std::to_string(errors.size()) + " problems";
  problem->errors = std::move(errors);
  return false;
}

}  // namespace smematch::server
