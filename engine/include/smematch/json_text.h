// Appending JSON text without building a DOM, for the hot output paths (the engine's decision
// writer, the HTTP service's answers). Thread-safe free functions.
#ifndef SMEMATCH_JSON_TEXT_H_
#define SMEMATCH_JSON_TEXT_H_

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace smematch {

// True when one of the 8 bytes of `w` is a control character (< 0x20), a quote or a
// backslash: the bytes a JSON string must escape. Bytes >= 0x80 (UTF-8) never match.
inline bool NeedsEscape8(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  uint64_t hits = (w - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes);
  return (hits & ~w & kHigh) != 0;
}

// Appends `s` as a JSON string literal. `s` is UTF-8 and passes through unescaped except for
// quote, backslash and control characters. Text without any of them (ids, hashes, most
// names) is scanned 8 bytes at a time and appended in one piece.
inline void AppendJsonString(std::string_view s, std::string* out) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (NeedsEscape8(w)) break;
  }
  out->push_back('"');
  size_t run = 0;
  for (; i < s.size(); ++i) {
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

#endif  // SMEMATCH_JSON_TEXT_H_
