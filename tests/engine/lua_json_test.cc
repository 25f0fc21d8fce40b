// Tests of the Lua ⇄ JSON conversion (engine/src/lua/lua_json.h): integers stay integers, floats
// stay floats, no JSON form for NaN, functions, mixed or sparse tables, and the depth, item and
// string limits; every refusal names the path and leaves the Lua stack as it was.
#include "lua/lua_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "lua/lua_sandbox.h"
#include "smematch/rule_set.h"
#include "smematch/status.h"
#include "engine_test_util.h"

namespace smematch {
namespace {

using test::Contains;

using nlohmann::json;

// Runs the Lua chunk `code` (which returns one value) in `sandbox` and converts that value.
// Checks that the conversion leaves the stack as it found it.
Result<json> ToJson(LuaSandbox& sandbox, const std::string& code, const LuaJsonLimits& limits = {}) {
  lua_State* L = sandbox.state();
  const int top = lua_gettop(L);
  Status s = sandbox.Load(code, "test");
  if (s.ok()) s = sandbox.Call(0, 1);
  if (!s.ok()) {
    ADD_FAILURE() << code << ": " << s.ToString();
    return InternalError("test chunk failed");
  }
  Result<json> out = LuaToJson(L, -1, limits);
  EXPECT_EQ(lua_gettop(L), top + 1) << code << ": LuaToJson changed the stack";
  lua_settop(L, top);
  return out;
}

void ExpectRefused(const std::string& code, const std::string& needle, const LuaJsonLimits& limits = {}) {
  SCOPED_TRACE(code);
  LuaSandbox sandbox{RuleLimits{}};
  Result<json> j = ToJson(sandbox, code, limits);
  ASSERT_FALSE(j.ok()) << "converted to " << j->dump();
  EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument) << j.status().ToString();
  EXPECT_TRUE(Contains(j.status().message(), needle));
}

// Pushes `value`, converts it back and pops it.
Result<json> RoundTrip(LuaSandbox& sandbox, const json& value, const LuaJsonLimits& limits = {}) {
  lua_State* L = sandbox.state();
  const int top = lua_gettop(L);
  Status s = PushJson(L, value, limits);
  if (!s.ok()) return s;
  EXPECT_EQ(lua_gettop(L), top + 1);
  Result<json> back = LuaToJson(L, -1, limits);
  lua_settop(L, top);
  return back;
}

void ExpectPushRefused(const json& value, const std::string& needle, const LuaJsonLimits& limits = {}) {
  LuaSandbox sandbox{RuleLimits{}};
  lua_State* L = sandbox.state();
  const int top = lua_gettop(L);
  Status s = PushJson(L, value, limits);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), needle));
  EXPECT_EQ(lua_gettop(L), top) << "PushJson left values on the stack";
}

// ---------------------------------------------------------------------------------------------
// Lua to JSON

TEST(LuaJson, IntegersStayIntegers) {
  LuaSandbox sandbox{RuleLimits{}};
  for (const auto& [code, expected] : {std::pair{"return 42", int64_t{42}},
                                       std::pair{"return -7", int64_t{-7}},
                                       std::pair{"return 3 // 2", int64_t{1}},
                                       std::pair{"return math.maxinteger", std::numeric_limits<int64_t>::max()},
                                       std::pair{"return math.mininteger", std::numeric_limits<int64_t>::min()}}) {
    SCOPED_TRACE(code);
    Result<json> j = ToJson(sandbox, code);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    EXPECT_TRUE(j->is_number_integer()) << j->dump();
    EXPECT_EQ(j->get<int64_t>(), expected);
  }
}

TEST(LuaJson, FloatsStayFloats) {
  LuaSandbox sandbox{RuleLimits{}};
  for (const auto& [code, expected] : {std::pair{"return 1.5", 1.5}, std::pair{"return 2.0", 2.0},
                                       std::pair{"return 3 / 2", 1.5}, std::pair{"return -0.25", -0.25},
                                       std::pair{"return 1e300", 1e300}}) {
    SCOPED_TRACE(code);
    Result<json> j = ToJson(sandbox, code);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    EXPECT_TRUE(j->is_number_float()) << j->dump();
    EXPECT_EQ(j->get<double>(), expected);
  }
}

TEST(LuaJson, NilIsNullAndBooleansAreBooleans) {
  LuaSandbox sandbox{RuleLimits{}};
  Result<json> j = ToJson(sandbox, "return nil");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_TRUE(j->is_null());
  j = ToJson(sandbox, "return { yes = true, no = false }");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, json({{"yes", true}, {"no", false}}));
}

TEST(LuaJson, NestedObjectsAndArrays) {
  LuaSandbox sandbox{RuleLimits{}};
  Result<json> j = ToJson(sandbox,
                          "return { name = 'x', list = { 1, 2.5, 'three', true, { 4 } },"
                          " inner = { a = { b = { c = 1 } } }, empty = {} }");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  json expected = {{"name", "x"},
                   {"list", json::array({1, 2.5, "three", true, json::array({4})})},
                   {"inner", {{"a", {{"b", {{"c", 1}}}}}}},
                   {"empty", json::object()}};
  EXPECT_EQ(*j, expected) << j->dump();
  EXPECT_TRUE((*j)["list"][0].is_number_integer());
  EXPECT_TRUE((*j)["list"][1].is_number_float());
}

TEST(LuaJson, ThaiStringsAreKeptByteForByte) {
  LuaSandbox sandbox{RuleLimits{}};
  Result<json> j = ToJson(sandbox, "return { ['ชื่อ'] = 'วิสาหกิจชุมชนกาแฟบ้านแม่กำปอง', list = { 'ก', 'ข' } }");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, json({{"ชื่อ", "วิสาหกิจชุมชนกาแฟบ้านแม่กำปอง"}, {"list", {"ก", "ข"}}}));
}

TEST(LuaJson, EmptyTableIsAnEmptyObject) {
  LuaSandbox sandbox{RuleLimits{}};
  Result<json> j = ToJson(sandbox, "return {}");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_TRUE(j->is_object());
  EXPECT_TRUE(j->empty());
}

TEST(LuaJson, NanAndInfinityAreRefusedWithThePath) {
  ExpectRefused("return 0/0", "/: NaN and infinity have no JSON form");
  ExpectRefused("return { a = { 1, 0/0 } }", "/a/1: NaN and infinity");
  ExpectRefused("return { x = math.huge }", "/x: NaN and infinity");
  ExpectRefused("return { -math.huge }", "/0: NaN and infinity");
}

TEST(LuaJson, FunctionIsRefusedWithThePath) {
  ExpectRefused("return { ok = 1, f = function() end }", "/f: a function has no JSON form");
  ExpectRefused("return function() end", "/: a function has no JSON form");
}

TEST(LuaJson, MixedKeysAreRefused) {
  ExpectRefused("return { 1, a = 2 }", "/: table mixes array and object keys");
  ExpectRefused("return { v = { 1, a = 2 } }", "/v: table mixes array and object keys");
}

TEST(LuaJson, SparseArraysAreRefused) {
  ExpectRefused("return { 1, nil, 3 }", "/: array has holes");
  ExpectRefused("return { [1] = 1, [3] = 3 }", "/: array has holes");
  ExpectRefused("return { [2] = 'b' }", "/: array has holes");
  // A huge index is refused at once, not walked.
  ExpectRefused("return { [1] = 1, [math.maxinteger] = 2 }", "array has holes");
}

TEST(LuaJson, OtherKeysAreRefused) {
  for (const char* code : {"return { [true] = 1 }", "return { [1.5] = 1 }", "return { [0] = 1 }",
                           "return { [-1] = 1 }", "return { [{}] = 1 }"}) {
    ExpectRefused(code, "table keys must be strings or positive integers");
  }
}

TEST(LuaJson, CycleBreaksTheDepthLimit) {
  ExpectRefused("local t = {} t.self = t return t", "nested deeper than 32 (or a cycle)");
  ExpectRefused("local t = {} t.self = t return t", "/self/self/self");
  ExpectRefused("local a, b = {}, {} a[1] = b b[1] = a return a", "(or a cycle)");
}

TEST(LuaJson, DepthLimit) {
  LuaJsonLimits limits;
  limits.max_depth = 3;
  LuaSandbox sandbox{RuleLimits{}};
  Result<json> j = ToJson(sandbox, "return { a = { b = { c = 1 } } }", limits);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  ExpectRefused("return { a = { b = { c = {} } } }", "/a/b/c: nested deeper than 3", limits);
  ExpectRefused("return { { { { 1 } } } }", "/0/0/0: nested deeper than 3", limits);
}

TEST(LuaJson, ItemLimit) {
  LuaJsonLimits limits;
  limits.max_items = 3;
  LuaSandbox sandbox{RuleLimits{}};
  Result<json> j = ToJson(sandbox, "return { 1, 2, 3 }", limits);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  ExpectRefused("return { 1, 2, 3, 4 }", "more items than the limit", limits);
  // Counted over the whole value: 2 + 1 + 1.
  ExpectRefused("return { { 1 }, { a = 2 } }", "more items than the limit", limits);
}

TEST(LuaJson, StringLimit) {
  LuaJsonLimits limits;
  limits.max_string_bytes = 4;
  LuaSandbox sandbox{RuleLimits{}};
  Result<json> j = ToJson(sandbox, "return { s = 'abcd' }", limits);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  ExpectRefused("return { s = 'abcde' }", "/s: string longer than the limit", limits);
  // The limit is in bytes: one Thai letter is 3 bytes of UTF-8.
  ExpectRefused("return { 'กข' }", "/0: string longer than the limit", limits);
}

// ---------------------------------------------------------------------------------------------
// JSON to Lua

TEST(LuaJson, PushKeepsIntegersIntegersAndFloatsFloats) {
  LuaSandbox sandbox{RuleLimits{}};
  lua_State* L = sandbox.state();
  ASSERT_TRUE(PushJson(L, json(42)).ok());
  EXPECT_TRUE(lua_isinteger(L, -1));
  EXPECT_EQ(lua_tointeger(L, -1), 42);
  ASSERT_TRUE(PushJson(L, json(std::numeric_limits<int64_t>::min())).ok());
  EXPECT_TRUE(lua_isinteger(L, -1));
  EXPECT_EQ(lua_tointeger(L, -1), std::numeric_limits<int64_t>::min());
  ASSERT_TRUE(PushJson(L, json(uint64_t{7})).ok());
  EXPECT_TRUE(lua_isinteger(L, -1));
  EXPECT_EQ(lua_tointeger(L, -1), 7);
  ASSERT_TRUE(PushJson(L, json(2.0)).ok());
  EXPECT_FALSE(lua_isinteger(L, -1));
  EXPECT_EQ(lua_type(L, -1), LUA_TNUMBER);
  EXPECT_EQ(lua_tonumber(L, -1), 2.0);
  ASSERT_TRUE(PushJson(L, json(nullptr)).ok());
  EXPECT_TRUE(lua_isnil(L, -1));
  ASSERT_TRUE(PushJson(L, json("วิสาหกิจ")).ok());
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  EXPECT_EQ(std::string(s, len), "วิสาหกิจ");
  EXPECT_EQ(lua_gettop(L), 6);
}

TEST(LuaJson, PushMakesTablesScriptsCanRead) {
  LuaSandbox sandbox{RuleLimits{}};
  lua_State* L = sandbox.state();
  ASSERT_TRUE(PushJson(L, json({{"name", "กาแฟ"}, {"list", {10, 20, 30}}, {"nested", {{"ok", true}}}})).ok());
  lua_setglobal(L, "v");
  ASSERT_TRUE(sandbox.Load("return v.name == 'กาแฟ' and #v.list == 3 and v.list[3] == 30 and "
                           "math.type(v.list[1]) == 'integer' and v.nested.ok == true",
                           "check")
                  .ok());
  ASSERT_TRUE(sandbox.Call(0, 1).ok());
  EXPECT_TRUE(lua_toboolean(L, -1));
}

TEST(LuaJson, RoundTrips) {
  LuaSandbox sandbox{RuleLimits{}};
  const json values[] = {
      json(0),
      json(-123456789012345),
      json(0.1),
      json(1.0),
      json("ภาษาไทย and English"),
      json(true),
      json::array({1, 2.5, "x", false, json::array({json::array({1})})}),
      json({{"man_days_left", 2}, {"score", 72.5}, {"dimensions", {"marketing", "digital"}},
            {"nested", {{"a", {{"b", {{"c", json::array({1, 2, 3})}}}}}}}}),
      json::object(),
  };
  for (const json& v : values) {
    SCOPED_TRACE(v.dump());
    Result<json> back = RoundTrip(sandbox, v);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, v);
  }
  Result<json> back = RoundTrip(sandbox, json({{"i", 1}, {"f", 1.0}}));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE((*back)["i"].is_number_integer());
  EXPECT_TRUE((*back)["f"].is_number_float());
  // null becomes nil, and nil null.
  back = RoundTrip(sandbox, json(nullptr));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->is_null());
  // An empty array has no Lua form of its own: it comes back as the empty object.
  back = RoundTrip(sandbox, json::array());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, json::object());
}

TEST(LuaJson, PushRefusesNanAndInfinity) {
  ExpectPushRefused(json(std::nan("")), "NaN");
  ExpectPushRefused(json(std::numeric_limits<double>::infinity()), "NaN and infinity");
  // Deep inside a value, the partly built tables are popped.
  ExpectPushRefused(json({{"a", json::array({1, 2, std::nan("")})}}), "NaN");
}

json Nested(int arrays) {
  json v = 1;
  for (int i = 0; i < arrays; ++i) v = json::array({v});
  return v;
}

TEST(LuaJson, PushRefusesDepthOverTheLimit) {
  ExpectPushRefused(Nested(40), "nested deeper than");
  LuaJsonLimits limits;
  limits.max_depth = 3;
  ExpectPushRefused(json({{"a", {{"b", {{"c", {{"d", 1}}}}}}}}), "deeper", limits);
}

TEST(LuaJson, PushRefusesItemsAndStringsOverTheLimits) {
  LuaJsonLimits items;
  items.max_items = 3;
  ExpectPushRefused(json::array({1, 2, 3, 4}), "more items than the limit", items);
  ExpectPushRefused(json::array({json::array({1}), json::array({2})}), "more items", items);
  LuaJsonLimits strings;
  strings.max_string_bytes = 4;
  ExpectPushRefused(json({{"s", "abcde"}}), "string longer than the limit", strings);
}

// The depth limit means the same both ways: what LuaToJson produces within the limits,
// PushJson accepts with the same limits. (Regression: PushJson once counted scalars as a level
// and refused a scalar inside 32 tables that LuaToJson had produced.)
TEST(LuaJson, PushJsonAndLuaToJsonAgreeOnTheDepthLimit) {
  LuaSandbox sandbox{RuleLimits{}};
  std::string code = "local v = 1 for i = 1, 32 do v = { v } end return v";
  Result<json> j = ToJson(sandbox, code);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, Nested(32));
  Result<json> back = RoundTrip(sandbox, *j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, *j);
  // One more level is refused both ways.
  ExpectRefused("local v = 1 for i = 1, 33 do v = { v } end return v", "nested deeper than 32");
  ExpectPushRefused(Nested(33), "deeper");
}

}  // namespace
}  // namespace smematch
