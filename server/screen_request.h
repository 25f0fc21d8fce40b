// The body of POST /v1/screen (docs/server.md): {"enterprise": {profile}, "programs": [ids],
// "lang": "th"|"en", "as_of": "YYYY-MM-DD", "explain": bool}, read into a ScreenRequest and an
// EnterpriseProfile, or a 400 problem naming every bad field by its JSON pointer.
#ifndef SMEMATCH_SERVER_SCREEN_REQUEST_H_
#define SMEMATCH_SERVER_SCREEN_REQUEST_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "problem.h"
#include "smematch/date.h"
#include "smematch/decision_writer.h"
#include "smematch/profile.h"
#include "smematch/profile_io.h"
#include "smematch/rule_set.h"

namespace smematch::server {

// The options of one screening request (also the batch's query parameters).
struct ScreenRequest {
  std::vector<std::string> programs;  // program ids, checked against the rule set; empty: all
  Date as_of = Date::TodayInBangkok();
  Lang lang = Lang::kTh;
  bool explain = true;  // every criterion's reason in Thai and English
};

// A 400 answer: its detail line and the bad fields.
struct RequestProblem {
  std::string detail;
  std::vector<ProblemField> errors;
};

// Appends an "unknown program" error (pointer `pointer_prefix` + index) for each of `ids` that
// `rules` does not have.
void CheckPrograms(const RuleSet& rules, const std::vector<std::string>& ids,
                   const std::string& pointer_prefix, std::vector<ProblemField>* errors);

// Parses a request body as JSON into `*out`; false with `*problem` if it nests deeper than
// kMaxJsonDepth (checked first) or is not JSON (nlohmann's message, printable ASCII only, and the
// byte position), numbers too large for a double (1e400) included.
bool ParseJsonBody(std::string_view body, nlohmann::json* out, RequestProblem* problem);

// Parses a /v1/screen body into `*request` and, with `reader`, `*profile` (`*field_errors` is
// the reader's scratch). Returns false with `*problem` for a bad request.
//
// The body is parsed once: simdjson On-Demand walks the envelope and `reader` parses the raw
// text of "enterprise" in place. Whenever that finds anything wrong (or unusual: a duplicate
// member, content after the object, a body over a quarter of kMaxRecordBytes), the body is
// parsed again by ParseScreenRequestDom, so that every 400 answer, and the meaning of what the
// DOM accepts, are exactly ParseScreenRequestDom's.
bool ParseScreenRequest(std::string_view body, const RuleSet& rules, ProfileReader* reader,
                        ScreenRequest* request, EnterpriseProfile* profile,
                        std::vector<FieldError>* field_errors, RequestProblem* problem);

// The same with nlohmann/json: the body to a DOM (members in key order, the last of duplicates
// wins), then "enterprise" serialized again and parsed by `reader`. With `reader` null, only
// checks that the body is JSON and an object and returns true if so.
bool ParseScreenRequestDom(std::string_view body, const RuleSet& rules, ProfileReader* reader,
                           ScreenRequest* request, EnterpriseProfile* profile,
                           std::vector<FieldError>* field_errors, RequestProblem* problem);

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_SCREEN_REQUEST_H_
