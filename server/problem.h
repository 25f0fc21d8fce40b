// Problem details (RFC 9457, application/problem+json): the one place that maps a failure to an
// HTTP status and a JSON body. Every error the service returns goes through here, so callers
// always get {"type","title","status","detail","errors":[{"pointer","detail"}]}. Thread-safe.
#ifndef SMEMATCH_SERVER_PROBLEM_H_
#define SMEMATCH_SERVER_PROBLEM_H_

#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile_io.h"
#include "smematch/status.h"

namespace smematch::server {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

// One bad field: `pointer` is a JSON pointer (RFC 6901) into the request body ("/enterprise/
// employees"), or "" for the body as a whole; `detail` says what is wrong.
struct ProblemField {
  std::string pointer;
  std::string detail;
};

struct Problem {
  int status = 500;
  std::string slug;    // the last part of "type": "https://smematch.example/problems/<slug>"
  std::string title;   // short, the same for every occurrence of this slug
  std::string detail;  // this occurrence
  std::vector<ProblemField> errors;
  std::string extra;   // more members, already JSON ("\"decision_id\":\"dec_…\""); may be empty
};

// Returns the problem for an engine `status` that reached the HTTP edge: kInvalidArgument and
// kNotFound are the caller's (400 / 404), kFailedPrecondition and kResourceExhausted are 422,
// kUnavailable is 503 and kInternal is 500.
Problem ProblemFromStatus(const Status& status);

// Returns `key` as one reference token of a JSON pointer (RFC 6901: "~" becomes "~0" and "/"
// becomes "~1"), for pointers to members whose names come from the request.
std::string PointerToken(std::string_view key);

// Returns the field errors of a profile, each pointer prefixed with `prefix` ("/enterprise").
std::vector<ProblemField> ProfileFieldErrors(const std::vector<FieldError>& errors,
                                             std::string_view prefix);

// Appends the JSON object of `problem`.
void AppendProblemJson(const Problem& problem, std::string* out);
std::string ProblemJson(const Problem& problem);

// Returns the reason phrase of an HTTP status ("Not Found").
std::string_view StatusTitle(int status);

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_PROBLEM_H_
