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

// The deepest nesting of arrays and objects a request body may have. A profile needs 3 levels,
// a batch 4; nlohmann::json's dump and destructor recurse once per level, so a body of nested
// brackets could otherwise exhaust a worker's stack.
inline constexpr size_t kMaxJsonDepth = 32;

// Returns the byte offset at which `text` (JSON, not yet validated) nests deeper than
// `max_depth` arrays and objects, or std::string_view::npos. Brackets inside strings do not
// count. Linear, no allocation.
inline size_t JsonDepthExceeded(std::string_view text, size_t max_depth = kMaxJsonDepth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace smematch::server

#endif  // SMEMATCH_SERVER_JSON_UTIL_H_
