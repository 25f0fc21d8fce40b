#include "lua/reason_renderer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

#include "smematch/provinces.h"
#include "smematch/sme_size.h"

namespace smematch {

namespace {

// The prelude's UNKNOWN, YES and NO, by language.
constexpr std::string_view kUnknown[] = {"ไม่ทราบ", "unknown"};
constexpr std::string_view kYes[] = {"ใช่", "yes"};
constexpr std::string_view kNo[] = {"ไม่ใช่", "no"};
constexpr std::string_view kListSeparator[] = {" ", ", "};
constexpr std::string_view kNeedsInformation[] = {"ต้องการข้อมูลเพิ่มเติม: ", "needs information: "};
constexpr const char* kLangName[] = {"th", "en"};

// Nested lists deeper than this are left to show() (which has Lua's own limits).
constexpr int kMaxDepth = 8;

std::span<const EnumLabel> LabelSet(std::string_view name) {
  // The label sets RuleRuntime::Load passes to the prelude as LABELS; a set missing here is
  // shown by show() (Format::kShow), so the text stays the same.
  if (name == "field") return FieldLabels();
  if (name == "certification") return CertificationLabels();
  if (name == "dimension") return DimensionLabels();
  if (name == "legal_form") return LegalFormLabels();
  if (name == "sector") return SectorLabels();
  if (name == "industry") return IndustryLabels();
  if (name == "size") return SmeSizeLabels();
  if (name == "region") return RegionLabels();
  return {};
}

void AppendInteger(lua_Integer v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, static_cast<size_t>(end - buf));  // (pointer, length): no temporary string
}

// group_digits: 1234567 -> "1,234,567".
void AppendGrouped(lua_Integer v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, static_cast<size_t>(end - buf));
  if (!s.empty() && s[0] == '-') {
    out->push_back('-');
    s.remove_prefix(1);
  }
  size_t head = s.size() % 3;
  if (head > 0) out->append(s.substr(0, head));
  for (size_t i = head; i < s.size(); i += 3) {
    if (i > 0) out->push_back(',');
    out->append(s.substr(i, 3));
  }
}

// decimals: "%.2f" without trailing zeros or a trailing point ("1.80" -> "1.8", "620.00" -> "620").
void AppendDecimals(double x, int places, std::string* out) {
  // An integral value below 2^53 prints as its digits and zeros, all stripped (-0.0 keeps
  // its sign: "-0", so it takes the rounding path below).
  if (x == std::trunc(x) && std::fabs(x) < 9007199254740992.0 && (x != 0 || !std::signbit(x))) {
    return AppendInteger(static_cast<lua_Integer>(x), out);
  }
  // printf rounds the exact binary value to `places` decimals, ties to even. x × 100 (or 10)
  // is exact in x87 extended precision (53 + 7 bits of mantissa ≤ 64), so rounding it here
  // gives printf's digits without printf's cost.
  if constexpr (std::numeric_limits<long double>::digits >= 64) {
    if (std::fabs(x) < 1e15) {
      const int scale = places == 1 ? 10 : 100;
      const long double scaled = std::fabs(static_cast<long double>(x) * scale);
      long double whole = std::floor(scaled);
      const long double rest = scaled - whole;  // exact
      if (rest > 0.5L || (rest == 0.5L && std::fmod(whole, 2.0L) != 0)) whole += 1;
      const auto q = static_cast<uint64_t>(whole);
      if (std::signbit(x)) out->push_back('-');
      AppendInteger(static_cast<lua_Integer>(q / scale), out);
      auto frac = static_cast<int>(q % scale);
      if (frac != 0) {
        out->push_back('.');
        if (scale == 100) {
          out->push_back(static_cast<char>('0' + frac / 10));
          frac %= 10;
        }
        if (frac != 0) out->push_back(static_cast<char>('0' + frac));
      }
      return;
    }
  }
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, places == 1 ? "%.1f" : "%.2f", x);
  if (n < 0) return;
  size_t last = std::min(static_cast<size_t>(n), sizeof buf - 1);
  if (std::memchr(buf, '.', last) != nullptr) {
    while (buf[last - 1] == '0') --last;
    if (buf[last - 1] == '.') --last;
  }
  out->append(buf, last);
}

// math.floor's result when it is an integer (lua_numbertointeger).
bool FloorToInteger(double x, lua_Integer* out) {
  double f = std::floor(x);
  if (f >= static_cast<double>(LUA_MININTEGER) && f < -static_cast<double>(LUA_MININTEGER)) {
    *out = static_cast<lua_Integer>(f);
    return true;
  }
  return false;
}

}  // namespace

void ReasonRenderer::Compile(lua_State* L, int index, Program* out) {
  index = lua_absindex(L, index);
  out->templates.clear();
  const auto count = static_cast<lua_Integer>(lua_rawlen(L, index));
  out->templates.resize(static_cast<size_t>(count));
  for (lua_Integer t = 1; t <= count; ++t) {
    Template& tpl = out->templates[static_cast<size_t>(t - 1)];
    lua_rawgeti(L, index, t);
    const auto parts = static_cast<lua_Integer>(lua_rawlen(L, -1));
    for (lua_Integer i = 1; i <= parts; ++i) {
      lua_rawgeti(L, -1, i);
      size_t len = 0;
      if (lua_type(L, -1) == LUA_TSTRING) {
        const char* s = lua_tolstring(L, -1, &len);
        if (tpl.empty() || tpl.back().kind != Part::Kind::kLiteral) tpl.emplace_back();
        tpl.back().text.append(s, len);
      } else {
        Part part;
        lua_rawgeti(L, -1, 1);
        const char* scope = lua_tostring(L, -1);
        part.kind = scope == nullptr          ? Part::Kind::kValue
                    : std::strcmp(scope, "e") == 0 ? Part::Kind::kField
                    : std::strcmp(scope, "c") == 0 ? Part::Kind::kContext
                                                   : Part::Kind::kValue;
        lua_rawgeti(L, -2, 2);
        const char* name = lua_tolstring(L, -1, &len);
        if (name != nullptr) part.text.assign(name, len);
        auto key = std::find(keys_.begin(), keys_.end(), part.text);
        part.key = static_cast<int>(key - keys_.begin()) + 1;
        if (key == keys_.end()) {  // into the Lua table first: storing may raise
          lua_pushlstring(L, part.text.data(), part.text.size());
          lua_rawseti(L, names_, part.key);
          keys_.push_back(part.text);
        }
        if (part.kind == Part::Kind::kField && lua_istable(L, lazy_)) {
          lua_pushvalue(L, -1);
          part.lazy = lua_rawget(L, lazy_) != LUA_TNIL;
          lua_pop(L, 1);
        }
        lua_rawgeti(L, -3, 3);
        const char* fmt = lua_tolstring(L, -1, &len);
        if (fmt != nullptr) part.format_name.assign(fmt, len);
        lua_pop(L, 3);
        // show() looks the format up in LABELS first, then in FORMATS.
        const std::string_view f = part.format_name;
        part.labels = LabelSet(f);
        part.format = !part.labels.empty() ? Format::kLabels
                      : f.empty()          ? Format::kNone
                      : f == "thb"         ? Format::kThb
                      : f == "mthb"        ? Format::kMthb
                      : f == "int"         ? Format::kInt
                      : f == "num"         ? Format::kNum
                      : f == "pct"         ? Format::kPct
                                           : Format::kShow;
        tpl.push_back(std::move(part));
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  out->compiled = true;
}

void ReasonRenderer::PushSources(lua_State* L, int sources) {
  sources = lua_absindex(L, sources);
  luaL_checkstack(L, 2 * kMaxDepth + 16, "rendering reasons");
  int* slots[] = {&data_, &ctx_, &certs_, &needs_, &show_, &lazy_};
  for (int i = 0; i < 6; ++i) {
    lua_rawgeti(L, sources, i + 1);
    *slots[i] = lua_gettop(L);
  }
  if (keys_ref_ == LUA_NOREF) {
    lua_newtable(L);
    keys_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, keys_ref_);
  names_ = lua_gettop(L);
}

void ReasonRenderer::Render(lua_State* L, const Template& t, int lang, int values,
                            std::string* out) const {
  values = lua_absindex(L, values);
  for (const Part& part : t) {
    switch (part.kind) {
      case Part::Kind::kLiteral:
        out->append(part.text);
        continue;
      case Part::Kind::kField:
        // data's __index only notes a field the applicant lacks (nil) or fetches a lazy one.
        lua_rawgeti(L, names_, part.key);
        if (lua_rawget(L, data_) == LUA_TNIL && part.lazy) {
          lua_pop(L, 1);
          lua_rawgeti(L, names_, part.key);
          lua_gettable(L, data_);
        }
        // e.certifications and e.needs are views: shown as unknown, as in the prelude.
        if (lua_rawequal(L, -1, certs_) || lua_rawequal(L, -1, needs_)) {
          lua_pop(L, 1);
          lua_pushnil(L);
        }
        break;
      case Part::Kind::kContext:
        lua_rawgeti(L, names_, part.key);
        lua_rawget(L, ctx_);
        break;
      case Part::Kind::kValue:
        if (lua_toboolean(L, values) && part.key > 0) {
          lua_rawgeti(L, names_, part.key);
          lua_gettable(L, values);  // values[name], metamethods included
        } else {
          lua_pushnil(L);
        }
        break;
    }
    Show(L, lua_gettop(L), part, lang, 0, out);
    lua_pop(L, 1);
  }
}

void ReasonRenderer::Show(lua_State* L, int index, const Part& part, int lang, int depth,
                          std::string* out) const {
  switch (lua_type(L, index)) {
    case LUA_TNIL:
      out->append(kUnknown[lang]);
      return;
    case LUA_TBOOLEAN:
      out->append(lua_toboolean(L, index) ? kYes[lang] : kNo[lang]);
      return;
    case LUA_TTABLE: {
      if (depth >= kMaxDepth) return ShowInLua(L, index, part, lang, out);
      if (lua_getmetatable(L, index)) {  // #v and v[i] may run metamethods: show() does them
        lua_pop(L, 1);
        return ShowInLua(L, index, part, lang, out);
      }
      const auto n = static_cast<lua_Integer>(lua_rawlen(L, index));
      for (lua_Integer i = 1; i <= n; ++i) {
        if (i > 1) out->append(kListSeparator[lang]);
        lua_rawgeti(L, index, i);
        Show(L, lua_gettop(L), part, lang, depth + 1, out);
        lua_pop(L, 1);
      }
      return;
    }
    case LUA_TSTRING: {
      if (part.format == Format::kShow) return ShowInLua(L, index, part, lang, out);
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      const std::string_view v(s, len);
      if (part.format == Format::kLabels) {
        for (const EnumLabel& l : part.labels) {
          if (l.id == v) {
            out->append(lang == kTh ? l.th : l.en);
            return;
          }
        }
      }
      out->append(v);
      return;
    }
    case LUA_TNUMBER: {
      if (part.format == Format::kShow) return ShowInLua(L, index, part, lang, out);
      lua_Integer i = 0;
      const bool integer = lua_isinteger(L, index);
      if (integer) i = lua_tointeger(L, index);
      const double d = integer ? static_cast<double>(i) : lua_tonumber(L, index);
      switch (part.format) {
        case Format::kLabels:  // no label has a number as its id: tostring(v)
        case Format::kNone:
          if (integer) return AppendInteger(i, out);
          if (part.format == Format::kLabels) return ShowInLua(L, index, part, lang, out);
          return AppendDecimals(d, 2, out);
        case Format::kThb:  // group_digits(math.floor(v + 0.5))
          if (!FloorToInteger(d + 0.5, &i)) return ShowInLua(L, index, part, lang, out);
          return AppendGrouped(i, out);
        case Format::kInt:  // group_digits(math.floor(v))
          if (!integer && !FloorToInteger(d, &i)) return ShowInLua(L, index, part, lang, out);
          return AppendGrouped(i, out);
        case Format::kMthb:
          return AppendDecimals(d / 1e6, 2, out);
        case Format::kNum:
          return AppendDecimals(d, 2, out);
        case Format::kPct:
          AppendDecimals(d, 1, out);
          out->push_back('%');
          return;
        case Format::kShow:
          break;
      }
      return ShowInLua(L, index, part, lang, out);
    }
    default:
      return ShowInLua(L, index, part, lang, out);
  }
}

void ReasonRenderer::ShowInLua(lua_State* L, int index, const Part& part, int lang,
                               std::string* out) const {
  index = lua_absindex(L, index);
  lua_pushvalue(L, show_);
  lua_pushvalue(L, index);
  lua_pushlstring(L, part.format_name.data(), part.format_name.size());
  lua_pushstring(L, kLangName[lang]);
  lua_call(L, 3, 1);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  if (s != nullptr) out->append(s, len);
  lua_pop(L, 1);
}

void ReasonRenderer::AppendMissing(uint64_t mask, int lang, std::string* out) {
  out->append(kNeedsInformation[lang]);
  const std::span<const EnumLabel> fields = FieldLabels();
  bool first = true;
  for (size_t i = 0; i < fields.size() && i < 64; ++i) {
    if ((mask & (uint64_t{1} << i)) == 0) continue;
    if (!first) out->append(", ");
    first = false;
    out->append(lang == kTh ? fields[i].th : fields[i].en);
  }
}

}  // namespace smematch
