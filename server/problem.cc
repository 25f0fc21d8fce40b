#include "problem.h"

#include "json_util.h"

namespace smematch::server {

std::string_view StatusTitle(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Client Error" : "Server Error";
  }
}

Problem ProblemFromStatus(const Status& status) {
  Problem p;
  p.detail = status.message();
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
      p.status = 500, p.slug = "internal", p.title = "Internal error";
      break;
    case StatusCode::kInvalidArgument:
      p.status = 400, p.slug = "invalid-request", p.title = "The request is not valid";
      break;
    case StatusCode::kNotFound:
      p.status = 404, p.slug = "not-found", p.title = "Not found";
      break;
    case StatusCode::kFailedPrecondition:
      p.status = 422, p.slug = "not-decidable", p.title = "The rules cannot decide this request";
      break;
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded:
      p.status = 422, p.slug = "rule-budget", p.title = "A rule exceeded its budget";
      break;
    case StatusCode::kUnavailable:
      p.status = 503, p.slug = "unavailable", p.title = "Service unavailable";
      break;
  }
  return p;
}

std::string PointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

std::vector<ProblemField> ProfileFieldErrors(const std::vector<FieldError>& errors,
                                             std::string_view prefix) {
  std::vector<ProblemField> out;
  out.reserve(errors.size());
  for (const FieldError& e : errors) {
    out.push_back({std::string(prefix) + e.field, e.message});
  }
  return out;
}

void AppendProblemJson(const Problem& problem, std::string* out) {
  out->append("{\"type\":\"https://smematch.example/problems/");
  out->append(problem.slug);
  out->append("\",\"title\":");
  AppendJsonString(problem.title, out);
  out->append(",\"status\":");
  out->append(std::to_string(problem.status));
  out->append(",\"detail\":");
  AppendJsonString(problem.detail, out);
  out->append(",\"errors\":[");
  for (size_t i = 0; i < problem.errors.size(); ++i) {
    if (i) out->push_back(',');
    out->append("{\"pointer\":");
    AppendJsonString(problem.errors[i].pointer, out);
    out->append(",\"detail\":");
    AppendJsonString(problem.errors[i].detail, out);
    out->push_back('}');
  }
  out->push_back(']');
  if (!problem.extra.empty()) {
    out->push_back(',');
    out->append(problem.extra);
  }
  out->push_back('}');
}

std::string ProblemJson(const Problem& problem) {
  std::string out;
  AppendProblemJson(problem, &out);
  return out;
}

}  // namespace smematch::server
