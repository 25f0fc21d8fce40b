// Small helpers for writing JSON text by hand on the request path (the engine's own writer,
// decision_writer.h, produces the decision bodies). Thread-safe free functions.
#ifndef SMEMATCH_SERVER_JSON_UTIL_H_
#define SMEMATCH_SERVER_JSON_UTIL_H_

#include <cstdio>
#include <string>
#include <string_view>

namespace smematch::server {

// Appends `s` as a JSON string literal (quotes included). `s` is UTF-8; control characters are
// escaped as \u00XX.
inline void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

inline std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_JSON_UTIL_H_
