// Internal: appending JSON text without building a DOM, for the hot output paths.
#ifndef SMEMATCH_ENGINE_SRC_JSON_TEXT_H_
#define SMEMATCH_ENGINE_SRC_JSON_TEXT_H_

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace smematch {

// Appends `s` as a JSON string literal. `s` is UTF-8 and passes through unescaped except for
// quote, backslash and control characters.
inline void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out->append(buf);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

// Appends the shortest text that reads back as `v` (finite values only).
inline void AppendNumber(double v, std::string* out) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, ptr);
}

inline void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, ptr);
}

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_JSON_TEXT_H_
