// Small helpers for writing JSON text by hand on the request path (the engine's own writer,
// decision_writer.h, produces the decision bodies; strings are escaped by
// smematch/json_text.h). Thread-safe free functions.
#ifndef SMEMATCH_SERVER_JSON_UTIL_H_
#define SMEMATCH_SERVER_JSON_UTIL_H_

#include <string>
#include <string_view>

#include "smematch/json_text.h"

namespace smematch::server {

using smematch::AppendJsonString;  // smematch/json_text.h: scans 8 bytes at a time

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
