#include "lua/lua_json.h"

#include <cmath>
#include <string>
#include <vector>

namespace smematch {
namespace {

using nlohmann::json;

struct ToJsonState {
  lua_State* L;
  const LuaJsonLimits& limits;
  size_t items = 0;
};

Status Fail(const std::string& path, const std::string& message) {
  return InvalidArgumentError((path.empty() ? "/" : path) + ": " + message);
}

Status Convert(ToJsonState& st, int index, int depth, const std::string& path, json* out) {
  lua_State* L = st.L;
  switch (lua_type(L, index)) {
    case LUA_TNIL: *out = nullptr; return Status::Ok();
    case LUA_TBOOLEAN: *out = static_cast<bool>(lua_toboolean(L, index)); return Status::Ok();
    case LUA_TNUMBER:
      if (lua_isinteger(L, index)) {
        *out = static_cast<int64_t>(lua_tointeger(L, index));
      } else {
        double d = lua_tonumber(L, index);
        if (!std::isfinite(d)) return Fail(path, "NaN and infinity have no JSON form");
        *out = d;
      }
      return Status::Ok();
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, index, &len);
      if (len > st.limits.max_string_bytes) return Fail(path, "string longer than the limit");
      *out = std::string(s, len);
      return Status::Ok();
    }
    case LUA_TTABLE: break;
    default: return Fail(path, std::string("a ") + luaL_typename(L, index) + " has no JSON form");
  }
  if (depth >= st.limits.max_depth) {
    return Fail(path, "nested deeper than " + std::to_string(st.limits.max_depth) + " (or a cycle)");
  }
  if (!lua_checkstack(L, 3)) return Fail(path, "Lua stack exhausted");
  index = lua_absindex(L, index);
  // First pass: classify keys.
  lua_Integer max_key = 0;
  size_t count = 0;
  bool has_string = false, has_int = false;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    ++count;
    if (lua_type(L, -1) == LUA_TSTRING) {
      has_string = true;
    } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
      has_int = true;
      max_key = std::max(max_key, lua_tointeger(L, -1));
    } else {
      lua_pop(L, 1);
      return Fail(path, "table keys must be strings or positive integers");
    }
  }
  st.items += count;
  if (st.items > st.limits.max_items) return Fail(path, "more items than the limit");
  if (has_string && has_int) return Fail(path, "table mixes array and object keys");
  if (has_int) {
    if (static_cast<size_t>(max_key) != count) return Fail(path, "array has holes");
    *out = json::array();
    for (lua_Integer i = 1; i <= max_key; ++i) {
      lua_rawgeti(L, index, i);
      json item;
      Status s = Convert(st, -1, depth + 1, path + "/" + std::to_string(i - 1), &item);
      lua_pop(L, 1);
      SMEMATCH_RETURN_IF_ERROR(s);
      out->push_back(std::move(item));
    }
    return Status::Ok();
  }
  *out = json::object();
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    size_t len;
    const char* k = lua_tolstring(L, -2, &len);  // a string key: tolstring does not convert
    std::string key(k, len);
    json item;
    Status s = Convert(st, -1, depth + 1, path + "/" + key, &item);
    lua_pop(L, 1);
    if (!s.ok()) {
      lua_pop(L, 1);
      return s;
    }
    (*out)[key] = std::move(item);
  }
  return Status::Ok();
}

Status Push(lua_State* L, const json& v, int depth, size_t* items, const LuaJsonLimits& limits) {
  if (!lua_checkstack(L, 3)) return InvalidArgumentError("Lua stack exhausted");
  switch (v.type()) {
    case json::value_t::null:
    case json::value_t::discarded: lua_pushnil(L); return Status::Ok();
    case json::value_t::boolean: lua_pushboolean(L, v.get<bool>()); return Status::Ok();
    case json::value_t::number_integer: lua_pushinteger(L, v.get<int64_t>()); return Status::Ok();
    case json::value_t::number_unsigned: {
      auto u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) lua_pushnumber(L, static_cast<double>(u));
      else lua_pushinteger(L, static_cast<lua_Integer>(u));
      return Status::Ok();
    }
    case json::value_t::number_float: {
      double d = v.get<double>();
      if (!std::isfinite(d)) return InvalidArgumentError("NaN and infinity are not accepted");
      lua_pushnumber(L, d);
      return Status::Ok();
    }
    case json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (s.size() > limits.max_string_bytes) return InvalidArgumentError("string longer than the limit");
      lua_pushlstring(L, s.data(), s.size());
      return Status::Ok();
    }
    case json::value_t::binary: return InvalidArgumentError("binary values are not accepted");
    case json::value_t::array:
    case json::value_t::object: break;
  }
  // Like LuaToJson, depth counts tables: a scalar inside max_depth tables is fine.
  if (depth >= limits.max_depth) {
    return InvalidArgumentError("JSON nested deeper than " + std::to_string(limits.max_depth));
  }
  *items += v.size();
  if (*items > limits.max_items) return InvalidArgumentError("more items than the limit");
  lua_createtable(L, v.is_array() ? static_cast<int>(v.size()) : 0, v.is_object() ? static_cast<int>(v.size()) : 0);
  lua_Integer i = 0;
  for (auto it = v.begin(); it != v.end(); ++it) {
    Status s = Push(L, *it, depth + 1, items, limits);
    if (!s.ok()) {
      lua_pop(L, 1);
      return s;
    }
    if (v.is_array()) {
      lua_rawseti(L, -2, ++i);
    } else {
      lua_pushlstring(L, it.key().data(), it.key().size());
      lua_insert(L, -2);
      lua_rawset(L, -3);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<json> LuaToJson(lua_State* L, int index, const LuaJsonLimits& limits) {
  ToJsonState st{L, limits};
  json out;
  Status s = Convert(st, index, 0, "", &out);
  if (!s.ok()) return s;
  return out;
}

Status PushJson(lua_State* L, const json& value, const LuaJsonLimits& limits) {
  size_t items = 0;
  return Push(L, value, 0, &items, limits);
}

}  // namespace smematch
