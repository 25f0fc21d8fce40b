// Lua ⇄ JSON conversion: the one place values cross between rule scripts and JSON. Integers
// stay integers, floats stay floats; NaN and infinities are refused; depth, item count and
// string size are capped. Tables whose keys are exactly 1..n are arrays, tables with string
// keys objects, the empty table an empty object. Thread-compatible (operates on the given
// state only).
#ifndef SMEMATCH_ENGINE_SRC_LUA_LUA_JSON_H_
#define SMEMATCH_ENGINE_SRC_LUA_LUA_JSON_H_

#include <lua.hpp>

#include <nlohmann/json.hpp>

#include "smematch/status.h"

namespace smematch {

struct LuaJsonLimits {
  int max_depth = 32;
  size_t max_items = 100'000;           // array elements + object members, in total
  size_t max_string_bytes = 1u << 20;
};

// Converts the Lua value at stack `index` to JSON. Returns kInvalidArgument naming the path
// ("/a/2") of a value that has no JSON form (function, userdata, NaN, mixed or sparse keys) or
// breaks a limit (a cycle breaks max_depth). Raises no Lua error.
Result<nlohmann::json> LuaToJson(lua_State* L, int index, const LuaJsonLimits& limits = {});

// Pushes `value` as a Lua value (null becomes nil). Returns kInvalidArgument past a limit,
// leaving the stack as it was. Must run inside a protected call (pushing allocates, and
// allocation may raise a memory error).
Status PushJson(lua_State* L, const nlohmann::json& value, const LuaJsonLimits& limits = {});

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_LUA_LUA_JSON_H_
