// Adversarial tests of the rule sandbox: every escape a rule script might try, at its top level
// (while the rule set loads) and inside a criterion test (while an enterprise is screened), each
// asserting the specific error. After Redis' "Try trick global protection" scripting tests.
#include <gtest/gtest.h>

#include <lua.hpp>

#include <array>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "smematch/profile.h"
#include "smematch/rule_set.h"
#include "smematch/screener.h"
#include "smematch/status.h"
#include "engine_test_util.h"

namespace smematch {
namespace {

using test::Contains;
using test::ReadFile;
using test::ProvincesCsv;

constexpr std::string_view kPath = "rules/programs/evil.lua";

Result<std::shared_ptr<const RuleSet>> Rules(std::vector<RuleSet::File> files,
                                             const RuleLimits& limits = {}) {
  files.push_back({"rules/data/provinces.csv", ProvincesCsv()});
  return RuleSet::FromFiles(std::move(files), limits);
}

// A program script "EVIL" whose line 3 is `top` and whose one criterion's test runs `body` on
// line 7. Both must be single lines, so that errors point at those line numbers.
std::string Script(std::string_view top, std::string_view body, std::string_view id = "EVIL") {
  std::string s;
  s += "program { id = \"" + std::string(id) + "\", version = \"1\", effective_from = \"2025-10-01\",\n";  // 1
  s += "  name = { th = \"ทดสอบ\", en = \"test\" } }\n";                                                  // 2
  s += std::string(top) + "\n";                                                                          // 3
  s += "criterion \"c\" { th = \"ทดสอบ\", en = \"test\",\n";                                              // 4
  s += "  fail = { th = \"ไม่ผ่าน\", en = \"failed\" },\n";                                                // 5
  s += "  test = function(e, p, c)\n";                                                                   // 6
  s += std::string(body) + "\n";                                                                         // 7
  s += "  end }\n";                                                                                      // 8
  return s;
}

std::string At(int line) { return std::string(kPath) + ":" + std::to_string(line) + ": "; }

// A complete, valid applicant.
EnterpriseProfile Applicant(int64_t employees = 42) {
  EnterpriseProfile p;
  p.id = "T-" + std::to_string(employees);
  p.name = "วิสาหกิจชุมชนทดสอบ";
  p.legal_form = LegalForm::kCommunityEnterprise;
  p.sector = SmeSector::kManufacturing;
  p.industry = Industry::kCoffeeTea;
  p.province = "TH-50";
  p.employees = employees;
  p.annual_revenue_thb = 12'500'000;
  p.years_operating = 9;
  p.members = 30;
  p.digital_readiness = 3;
  p.needs = std::array<int, kDimensionCount>{2, 4, 3, 2, 3};
  p.own_farm_produce = true;
  p.vat_registered = false;
  p.gs1_barcode = false;
  p.monthly_capacity_units = 800;
  p.shelf_life_days = 270;
  return p;
}

ScreenOptions Options(bool explain) {
  ScreenOptions o;
  o.as_of = *Date::Parse("2026-03-01");
  o.explain = explain;
  return o;
}

// Expects the script `text` to be refused at load with `code` and a message containing `needle`.
void ExpectLoadError(const std::string& text, StatusCode code, const std::string& needle,
                     const RuleLimits& limits = {}) {
  auto rules = Rules({{std::string(kPath), text}}, limits);
  ASSERT_FALSE(rules.ok()) << "the rule set loaded; expected " << StatusCodeName(code) << ": "
                           << needle;
  EXPECT_EQ(rules.status().code(), code) << rules.status().ToString();
  EXPECT_TRUE(Contains(rules.status().message(), needle));
}

// Loads the rules in `files` and screens `profiles` in order with one Screener, with `explain`
// as given; returns every Decision of every profile (one program: one per profile).
struct Screening {
  std::shared_ptr<const RuleSet> rules;  // keeps Decision::program valid
  std::vector<Decision> decisions;
  Screener::Stats stats;
};

Screening ScreenAll(std::vector<RuleSet::File> files, const std::vector<EnterpriseProfile>& profiles,
                    bool explain, const RuleLimits& limits = {}) {
  Screening out;
  auto rules = Rules(std::move(files), limits);
  if (!rules.ok()) {
    ADD_FAILURE() << "rule set refused: " << rules.status().ToString();
    return out;
  }
  out.rules = *rules;
  auto screener = Screener::Create(*rules);
  if (!screener.ok()) {
    ADD_FAILURE() << "screener refused: " << screener.status().ToString();
    return out;
  }
  for (const EnterpriseProfile& p : profiles) {
    std::vector<Decision> d;
    Status s = (*screener)->Screen(p, Options(explain), &d);
    if (!s.ok()) {
      ADD_FAILURE() << "Screen failed: " << s.ToString();
      return out;
    }
    out.decisions.insert(out.decisions.end(), d.begin(), d.end());
  }
  out.stats = (*screener)->stats();
  return out;
}

// Screens Applicant() against a program whose criterion runs `body`, with and without explain,
// and expects a Decision with Outcome::kError, `code` and a message containing `needle`.
void ExpectEvalError(std::string_view body, StatusCode code, const std::string& needle,
                     const RuleLimits& limits = {}) {
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    Screening s = ScreenAll({{std::string(kPath), Script("", body)}}, {Applicant()}, explain, limits);
    ASSERT_EQ(s.decisions.size(), 1u);
    const Decision& d = s.decisions[0];
    EXPECT_EQ(d.outcome, Outcome::kError) << OutcomeName(d.outcome);
    EXPECT_EQ(d.error.code(), code) << d.error.ToString();
    EXPECT_TRUE(Contains(d.error.message(), needle));
    EXPECT_TRUE(d.criteria.empty());
    EXPECT_EQ(s.stats.rule_errors, 1u);
  }
}

// Escapes tried at the top level and inside a test. Top-level failures refuse the rule set with
// kInvalidArgument "path:3: ..."; failures in a test give a kInternal rule error "path:7: ...".
void ExpectAbsent(std::string_view code, const std::string& lua_message) {
  {
    SCOPED_TRACE("top level");
    ExpectLoadError(Script(code, "return true"), StatusCode::kInvalidArgument, At(3) + lua_message);
  }
  {
    SCOPED_TRACE("in a test");
    ExpectEvalError(std::string(code) + " return true", StatusCode::kInternal, At(7) + lua_message);
  }
}

// The scaffold itself loads and evaluates, so that each failure below is the escape's own.
TEST(Sandbox, ScaffoldScriptIsValidAndEligible) {
  for (bool explain : {true, false}) {
    Screening s = ScreenAll({{std::string(kPath), Script("local x = 1", "return x == 1")}},
                            {Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 1u);
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kEligible) << s.decisions[0].error.ToString();
  }
}

TEST(Sandbox, OsExitIsAbsent) {
  ExpectAbsent("os.exit()", "attempt to index a nil value (global 'os')");
}

TEST(Sandbox, IoOpenIsAbsent) {
  ExpectAbsent("io.open(\"/etc/passwd\")", "attempt to index a nil value (global 'io')");
}

TEST(Sandbox, RequireIsAbsent) {
  ExpectAbsent("require(\"os\")", "attempt to call a nil value (global 'require')");
}

TEST(Sandbox, PackageIsAbsent) {
  ExpectAbsent("package.loadlib(\"libc.so.6\", \"system\")",
               "attempt to index a nil value (global 'package')");
}

TEST(Sandbox, LoadIsAbsent) {
  ExpectAbsent("load(\"return 1\")", "attempt to call a nil value (global 'load')");
}

TEST(Sandbox, LoadfileIsAbsent) {
  ExpectAbsent("loadfile(\"/etc/passwd\")", "attempt to call a nil value (global 'loadfile')");
}

TEST(Sandbox, DofileIsAbsent) {
  ExpectAbsent("dofile(\"/etc/passwd\")", "attempt to call a nil value (global 'dofile')");
}

TEST(Sandbox, StringDumpIsAbsent) {
  ExpectAbsent("string.dump(function() end)", "attempt to call a nil value (field 'dump')");
}

TEST(Sandbox, StringDumpIsAbsentThroughTheStringMetatable) {
  ExpectAbsent("local d = (\"x\"):dump()", "attempt to call a nil value (method 'dump')");
  // Also no dump reached as a field of a string value.
  ExpectEvalError("assert((\"x\").dump == nil, 'dump reachable') error('checked')",
                  StatusCode::kInternal, At(7) + "checked");
}

TEST(Sandbox, StringMetatableIsHidden) {
  // getmetatable("") returns false, so its __index (the real string table) is out of reach.
  ExpectAbsent("local s = getmetatable(\"\").__index", "attempt to index a boolean value");
  ExpectEvalError("error('metatable: ' .. tostring(getmetatable(\"\")))", StatusCode::kInternal,
                  At(7) + "metatable: false");
}

TEST(Sandbox, GlobalTableIsAbsent) {
  ExpectAbsent("setmetatable(_G, {})",
               "bad argument #1 to 'setmetatable' (table expected, got nil)");
  ExpectAbsent("_G.x = 1", "attempt to index a nil value (global '_G')");
}

TEST(Sandbox, DebugIsAbsent) {
  ExpectAbsent("debug.getinfo(1)", "attempt to index a nil value (global 'debug')");
}

TEST(Sandbox, CollectgarbageIsAbsent) {
  ExpectAbsent("collectgarbage()", "attempt to call a nil value (global 'collectgarbage')");
}

TEST(Sandbox, CoroutineIsAbsent) {
  ExpectAbsent("coroutine.create(function() end)",
               "attempt to index a nil value (global 'coroutine')");
}

TEST(Sandbox, PrintIsAbsent) {
  ExpectAbsent("print(\"x\")", "attempt to call a nil value (global 'print')");
}

TEST(Sandbox, MathRandomIsAbsent) {
  ExpectAbsent("math.random()", "attempt to call a nil value (field 'random')");
  ExpectAbsent("math.randomseed(1)", "attempt to call a nil value (field 'randomseed')");
}

TEST(Sandbox, RawsetIsAbsent) {
  ExpectAbsent("rawset(_ENV, \"x\", 1)", "attempt to call a nil value (global 'rawset')");
  ExpectEvalError("rawset(e, \"employees\", 0) return true", StatusCode::kInternal,
                  At(7) + "attempt to call a nil value (global 'rawset')");
}

// A precompiled chunk, made by a real Lua compiler from a valid program script.
std::string Bytecode(const std::string& source) {
  lua_State* L = luaL_newstate();
  std::string out;
  if (luaL_loadbufferx(L, source.data(), source.size(), "=evil", "t") == LUA_OK) {
    lua_dump(
        L,
        [](lua_State*, const void* p, size_t n, void* ud) {
          static_cast<std::string*>(ud)->append(static_cast<const char*>(p), n);
          return 0;
        },
        &out, 0);
  }
  lua_close(L);
  return out;
}

TEST(Sandbox, BinaryChunkIsRefused) {
  std::string bytecode = Bytecode(Script("", "return true"));
  ASSERT_EQ(bytecode.substr(0, 4), "\x1bLua");
  ExpectLoadError(bytecode, StatusCode::kInvalidArgument,
                  std::string(kPath) + ": precompiled (binary) chunks are not accepted");
  // Even a file that only starts like one.
  ExpectLoadError("\x1bLua garbage", StatusCode::kInvalidArgument, "binary");
}

TEST(Sandbox, BinaryChunkIsRefusedAsSettings) {
  auto rules = Rules({{"rules/settings.lua", Bytecode("settings { sme_size_tie_break = \"higher_of_two\" }")},
                      {std::string(kPath), Script("", "return true")}});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(rules.status().message(), "rules/settings.lua: precompiled (binary)"));
}

// ---------------------------------------------------------------------------------------------
// Instruction budget

TEST(Sandbox, InfiniteLoopAtLoadIsKilled) {
  ExpectLoadError(Script("while true do end", "return true"), StatusCode::kResourceExhausted,
                  std::string(kPath) + ": while loading");
  ExpectLoadError(Script("while true do end", "return true"), StatusCode::kResourceExhausted,
                  "instruction budget");
}

TEST(Sandbox, InfiniteLoopInPcallAtLoadIsKilled) {
  ExpectLoadError(Script("pcall(function() while true do end end) x = 1", "return true"),
                  StatusCode::kResourceExhausted, "instruction budget");
}

TEST(Sandbox, InfiniteLoopInTestIsKilled) {
  ExpectEvalError("while true do end", StatusCode::kResourceExhausted,
                  "instruction budget of 1000000 instructions");
}

TEST(Sandbox, PcallCannotSwallowTheKill) {
  ExpectEvalError("local ok = pcall(function() while true do end end) return true",
                  StatusCode::kResourceExhausted, "instruction budget");
}

TEST(Sandbox, PcallCannotSwallowTheKillRepeatedly) {
  ExpectEvalError(
      "for i = 1, 1e9 do pcall(function() while true do end end) end return true",
      StatusCode::kResourceExhausted, "instruction budget");
  ExpectEvalError("while true do pcall(error, 'again') end", StatusCode::kResourceExhausted,
                  "instruction budget");
}

TEST(Sandbox, XpcallHandlerCannotSwallowTheKill) {
  ExpectEvalError(
      "local ok = xpcall(function() while true do end end, function(m) return m end) "
      "for i = 1, 10 do ok = xpcall(function() while true do end end, function(m) return m end) end "
      "return true",
      StatusCode::kResourceExhausted, "instruction budget");
}

TEST(Sandbox, KillAfterReadingAMissingFieldIsNotNeedsInformation) {
  // The explain path runs each test under pcall and treats an error after a missing field as
  // "needs information": a kill must still end the decision.
  ExpectEvalError("local m = e.identifier while true do end", StatusCode::kResourceExhausted,
                  "instruction budget");
}

TEST(Sandbox, InstructionBudgetFollowsRuleLimits) {
  RuleLimits limits;
  limits.instructions_per_decision = 50'000;
  // 200,000 iterations fit the default budget but not 50,000 instructions.
  const char* body = "local n = 0 for i = 1, 200000 do n = n + i end return n > 0";
  ExpectEvalError(body, StatusCode::kResourceExhausted,
                  "instruction budget of 50000 instructions", limits);
  Screening ok = ScreenAll({{std::string(kPath), Script("", body)}}, {Applicant()}, true);
  ASSERT_EQ(ok.decisions.size(), 1u);
  EXPECT_EQ(ok.decisions[0].outcome, Outcome::kEligible) << ok.decisions[0].error.ToString();
}

// A kill is the rule's error like any other: it says where the script was when it ran out,
// not where the re-armed kill finally unwound (engine/prelude.lua).
TEST(Sandbox, BudgetKillNamesTheScriptLine) {
  ExpectEvalError("while true do end", StatusCode::kResourceExhausted, At(7) + "instruction budget");
}

// Two programs each with its own budget: AAA runs about 1.5 M instructions (over its 1 M),
// BBB about 0.8 M (within). AAA must be killed and BBB decided, whichever programs are screened
// together: decisions must not depend on the selection. (Regression: the fast path once pooled
// n × the per-decision budget for one call, so AAA borrowed BBB's budget and BBB was killed.)
TEST(Sandbox, BudgetIsPerDecisionNotSharedBetweenPrograms) {
  std::vector<RuleSet::File> files = {
      {"rules/programs/a.lua",
       Script("", "local n = 0 for i = 1, 750000 do n = n + i end return n > 0", "AAA")},
      {"rules/programs/b.lua",
       Script("", "local n = 0 for i = 1, 400000 do n = n + i end return n > 0", "BBB")}};
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    Screening s = ScreenAll(files, {Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 2u);
    EXPECT_EQ(s.decisions[0].program->id, "AAA");
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kError) << OutcomeName(s.decisions[0].outcome);
    EXPECT_EQ(s.decisions[0].error.code(), StatusCode::kResourceExhausted)
        << s.decisions[0].error.ToString();
    EXPECT_EQ(s.decisions[1].program->id, "BBB");
    EXPECT_EQ(s.decisions[1].outcome, Outcome::kEligible) << s.decisions[1].error.ToString();
    EXPECT_EQ(s.stats.budget_kills, 1u);
  }
}

// One decision, one budget: three criteria of one program each run about 0.4 M instructions
// and then raise after reading a missing field (needs information). Together they pass the 1 M
// budget. (Regression: the fast path once resumed after each raise in a new protected call
// with a fresh budget, so the decision was "needs information" instead of a kill.)
TEST(Sandbox, BudgetCoversEveryCriterionOfADecision) {
  std::string criterion =
      "criterion \"c%d\" { th = \"ทดสอบ\", en = \"test\", fail = { th = \"ไม่ผ่าน\", en = \"failed\" }, "
      "test = function(e) local m = e.identifier for i = 1, 400000 do end error('no data') end }\n";
  std::string script = Script("", "return true");
  for (int i = 1; i <= 3; ++i) {
    std::string c = criterion;
    c.replace(c.find("%d"), 2, std::to_string(i));
    script += c;
  }
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    Screening s = ScreenAll({{std::string(kPath), script}}, {Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 1u);
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kError) << OutcomeName(s.decisions[0].outcome);
    EXPECT_EQ(s.decisions[0].error.code(), StatusCode::kResourceExhausted)
        << s.decisions[0].error.ToString();
  }
}

TEST(Sandbox, InfiniteLoopInScoreIsKilled) {
  std::string script = Script("score(function(e, p, c) while true do end end)", "return true");
  for (bool explain : {true, false}) {
    Screening s = ScreenAll({{std::string(kPath), script}}, {Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 1u);
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kError);
    EXPECT_EQ(s.decisions[0].error.code(), StatusCode::kResourceExhausted)
        << s.decisions[0].error.ToString();
  }
}

// The count hook does not fire inside C functions, so a C library call that loops far beyond
// the budget would not be killed. Each of these would run about 10^7 steps or more in C (a
// third of a second; 10x the input costs hours) while the VM counts a handful of instructions.
TEST(Sandbox, TableMoveLoopIsBoundedByTheBudget) {
  ExpectEvalError("table.move({}, 1, 1e7, 2) return true", StatusCode::kResourceExhausted,
                  "instruction budget");
}

TEST(Sandbox, PatternBacktrackingIsBoundedByTheBudget) {
  ExpectEvalError("return (('a'):rep(13)):find(('a*'):rep(13) .. 'b') ~= nil",
                  StatusCode::kResourceExhausted, "instruction budget");
}

// find, match, gmatch and gsub try the pattern from every start position, so a pattern with q
// repetition items costs about n ^ (q + 1) steps: 'a*a*b' over 400 'a's runs about 10^7 steps
// (0.3 s; over 999 'a's, 5 s). (Regression: a guard once charged only (n + 1) ^ q.)
TEST(Sandbox, PatternBacktrackingFromEveryStartIsBounded) {
  ExpectEvalError("return (('a'):rep(400)):find('a*a*b') ~= nil", StatusCode::kResourceExhausted,
                  "instruction budget");
  ExpectEvalError("local n = 0 for _ in (('a'):rep(400)):gmatch('a-a-b') do n = n + 1 end return n == 0",
                  StatusCode::kResourceExhausted, "instruction budget");
}

// %b() has no repetition item, yet it scans to the end of the subject from every start:
// 16,000 '(' take about 10^8 steps (0.2 s; 10x the input, 20 s).
TEST(Sandbox, BalancedPatternIsBounded) {
  ExpectEvalError("return (('('):rep(16000)):find('%b()') ~= nil", StatusCode::kResourceExhausted,
                  "instruction budget");
}

// Linear C work is charged too: a plain find over 16 KiB is one VM instruction. 100 of them
// are 1.6 M steps of C work, over the 1 M budget (the string is built by doubling, which calls
// no library function, so only the finds can exhaust the budget).
TEST(Sandbox, LinearCWorkIsCharged) {
  ExpectEvalError(
      "local s = 'x' for i = 1, 14 do s = s .. s end "
      "for i = 1, 100 do local _ = s:find('y', 1, true) end return #s == 16384",
      StatusCode::kResourceExhausted, At(7) + "instruction budget");
}

// The VM copies a string in one instruction (`..`), so the length of one string bounds the
// work of one instruction: longer strings are refused (RuleLimits::max_string_bytes).
TEST(Sandbox, LongStringsAreRefused) {
  ExpectEvalError("local s = 'x' for i = 1, 18 do s = s .. s end return #s > 0",
                  StatusCode::kResourceExhausted, "a string longer than 16384 bytes was refused");
  ExpectEvalError("local t = {} for i = 1, 20 do t[i] = ('x'):rep(1000) end return #table.concat(t) > 0",
                  StatusCode::kResourceExhausted, "a string longer than 16384 bytes was refused");
  ExpectEvalError("local s = ('x'):rep(10000) return #string.format('%s%s', s, s) > 0",
                  StatusCode::kResourceExhausted, "a string longer than 16384 bytes was refused");
  // Strings of the size rules use are fine.
  Screening ok = ScreenAll(
      {{std::string(kPath), Script("", "local s = 'x' for i = 1, 14 do s = s .. s end return #s == 16384")}},
      {Applicant()}, false);
  ASSERT_EQ(ok.decisions.size(), 1u);
  EXPECT_EQ(ok.decisions[0].outcome, Outcome::kEligible) << ok.decisions[0].error.ToString();
}

// ---------------------------------------------------------------------------------------------
// Memory cap

// Limits under which a memory bomb reaches the memory cap before the instruction budget (C work
// such as string.rep is charged to the budget too, one step per byte).
RuleLimits MemoryBound(size_t memory_bytes = 64u << 20) {
  RuleLimits limits;
  limits.instructions_per_decision = 10'000'000'000;
  limits.memory_bytes = memory_bytes;
  return limits;
}

TEST(Sandbox, StringRepBombAtLoadIsRefused) {
  const std::string script = Script("local s = string.rep(\"x\", 1 << 30)", "return true");
  ExpectLoadError(script, StatusCode::kResourceExhausted, std::string(kPath) + ": while loading");
  ExpectLoadError(script, StatusCode::kResourceExhausted, "memory limit of 64 MiB exceeded",
                  MemoryBound());
}

TEST(Sandbox, StringRepBombInTestIsKilled) {
  const char* body = "local s = string.rep(\"x\", 1 << 30) return #s > 0";
  ExpectEvalError(body, StatusCode::kResourceExhausted, At(7));
  ExpectEvalError(body, StatusCode::kResourceExhausted, "memory limit of 64 MiB exceeded",
                  MemoryBound());
}

TEST(Sandbox, StringRepBombCaughtByPcallIsStillKilled) {
  const char* body = "local ok = pcall(string.rep, \"x\", 1 << 30) return true";
  ExpectEvalError(body, StatusCode::kResourceExhausted, At(7));
  ExpectEvalError(body, StatusCode::kResourceExhausted, "memory limit of 64 MiB exceeded",
                  MemoryBound());
}

// A kill for memory or for a too long string is the rule's error like an instruction-budget
// kill, and says where the script was. (Regression: the allocator's refusal raised LUA_ERRMEM
// before the count hook could note the position, so the message had no "path:line: ".)
TEST(Sandbox, AllocationKillsNameTheScriptLine) {
  ExpectEvalError("local t = {} for i = 1, 1e7 do t[i] = { i, i, i, i } end return #t > 0",
                  StatusCode::kResourceExhausted, At(7) + "memory limit of 8 MiB exceeded",
                  MemoryBound(8u << 20));
  ExpectEvalError("local s = 'x' for i = 1, 18 do s = s .. s end return #s > 0",
                  StatusCode::kResourceExhausted, At(7) + "a string longer than 16384 bytes");
}

TEST(Sandbox, TableGrowingBombIsKilled) {
  ExpectEvalError("local t = {} for i = 1, 1e7 do t[i] = { i, i, i, i } end return #t > 0",
                  StatusCode::kResourceExhausted, "memory limit of 8 MiB exceeded",
                  MemoryBound(8u << 20));
  ExpectEvalError(
      "local t = {} for i = 1, 1e7 do t[i] = (\"x\"):rep(100) .. i end return #t > 0",
      StatusCode::kResourceExhausted, "memory limit of 8 MiB exceeded", MemoryBound(8u << 20));
}

TEST(Sandbox, TableGrowingBombAtLoadIsRefused) {
  ExpectLoadError(Script("big = {} for i = 1, 1e7 do big[i] = { i, i, i, i } end", "return true"),
                  StatusCode::kResourceExhausted, "memory limit of 8 MiB exceeded",
                  MemoryBound(8u << 20));
}

TEST(Sandbox, ScreenerKeepsWorkingAfterKills) {
  RuleLimits limits;
  limits.instructions_per_decision = 20'000'000;
  limits.memory_bytes = 8u << 20;
  // Employees pick the attack: 13 loops, 14 allocates without end, anything else is eligible.
  std::string script = Script(
      "", "if e.employees == 13 then while true do end elseif e.employees == 14 then local t = {} "
          "for i = 1, 1e7 do t[i] = { i, i, i, i } end end return e.employees == 42");
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    Screening s = ScreenAll({{std::string(kPath), script}},
                            {Applicant(13), Applicant(42), Applicant(14), Applicant(42), Applicant(41)},
                            explain, limits);
    ASSERT_EQ(s.decisions.size(), 5u);
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kError);
    EXPECT_EQ(s.decisions[0].error.code(), StatusCode::kResourceExhausted);
    EXPECT_TRUE(Contains(s.decisions[0].error.message(), "instruction budget"));
    EXPECT_EQ(s.decisions[1].outcome, Outcome::kEligible) << s.decisions[1].error.ToString();
    EXPECT_EQ(s.decisions[2].outcome, Outcome::kError);
    EXPECT_EQ(s.decisions[2].error.code(), StatusCode::kResourceExhausted);
    EXPECT_TRUE(Contains(s.decisions[2].error.message(), "memory limit of 8 MiB exceeded"));
    EXPECT_EQ(s.decisions[3].outcome, Outcome::kEligible) << s.decisions[3].error.ToString();
    EXPECT_EQ(s.decisions[4].outcome, Outcome::kIneligible) << s.decisions[4].error.ToString();
    EXPECT_EQ(s.stats.decisions, 5u);
    EXPECT_EQ(s.stats.rule_errors, 2u);
    EXPECT_EQ(s.stats.budget_kills, 2u);
  }
}

TEST(Sandbox, RuleErrorsAreNotBudgetKills) {
  Screening s = ScreenAll({{std::string(kPath), Script("", "error('boom')")}},
                          {Applicant(), Applicant()}, true);
  EXPECT_EQ(s.stats.decisions, 2u);
  EXPECT_EQ(s.stats.rule_errors, 2u);
  EXPECT_EQ(s.stats.budget_kills, 0u);
}

// ---------------------------------------------------------------------------------------------
// The applicant, the parameters and the globals are read-only during evaluation

// Two programs, screened in id order: AAA runs `attack`, BBB checks that the applicant it sees
// still has 42 employees.
std::vector<RuleSet::File> AttackThenCheck(std::string_view attack) {
  return {{"rules/programs/a.lua", Script("", attack, "AAA")},
          {"rules/programs/b.lua", Script("", "return e.employees == 42", "BBB")}};
}

TEST(Sandbox, ApplicantIsReadOnly) {
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    Screening s = ScreenAll(AttackThenCheck("e.employees = 0 return true"), {Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 2u);
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kError);
    EXPECT_EQ(s.decisions[0].error.code(), StatusCode::kInternal);
    EXPECT_TRUE(Contains(s.decisions[0].error.message(), "rules/programs/a.lua:7: the applicant is read-only"));
    EXPECT_EQ(s.decisions[1].outcome, Outcome::kEligible) << s.decisions[1].error.ToString();
  }
}

TEST(Sandbox, ApplicantWriteCaughtByPcallChangesNothing) {
  for (bool explain : {true, false}) {
    Screening s = ScreenAll(AttackThenCheck("pcall(function() e.employees = 0 end) return e.employees == 42"),
                            {Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 2u);
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kEligible) << s.decisions[0].error.ToString();
    EXPECT_EQ(s.decisions[1].outcome, Outcome::kEligible) << s.decisions[1].error.ToString();
  }
}

TEST(Sandbox, ApplicantMetatableIsProtected) {
  ExpectEvalError("setmetatable(e, {}) return true", StatusCode::kInternal,
                  At(7) + "cannot change a protected metatable");
  ExpectEvalError("error('mt=' .. tostring(getmetatable(e)))", StatusCode::kInternal,
                  At(7) + "mt=false");
}

TEST(Sandbox, PairsDoesNotLeakTheRawApplicant) {
  // pairs(e) hands out an iterator only: no table that reads or writes through to the data.
  for (bool explain : {true, false}) {
    Screening s = ScreenAll(
        AttackThenCheck("local f, t = pairs(e) if type(t) == 'table' then pcall(function() "
                        "t.employees = 0 end) end local n = 0 for k, v in pairs(e) do n = n + 1 end "
                        "return n > 0 and next(e) == nil"),
        {Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 2u);
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kEligible) << s.decisions[0].error.ToString();
    EXPECT_EQ(s.decisions[1].outcome, Outcome::kEligible) << s.decisions[1].error.ToString();
  }
  ExpectEvalError("local f, t = pairs(e) error('state=' .. type(t))", StatusCode::kInternal,
                  At(7) + "state=nil");
}

TEST(Sandbox, CertificationsAndNeedsAreReadOnly) {
  ExpectEvalError("e.certifications.fda = true return true", StatusCode::kInternal,
                  At(7) + "certifications is read-only");
  ExpectEvalError("e.needs.marketing = 0 return true", StatusCode::kInternal,
                  At(7) + "needs is read-only");
  ExpectEvalError("c.fiscal_year = 1999 return true", StatusCode::kInternal,
                  At(7) + "the context is read-only");
  ExpectEvalError("province('TH-50').upper_north = false return true", StatusCode::kInternal,
                  At(7) + "a province is read-only");
}

TEST(Sandbox, ParametersAreReadOnly) {
  std::string script =
      Script("parameter \"limit\" { value = 3, th = \"เกณฑ์\", en = \"limit\" }",
             "p.limit = 0 return true");
  Screening s = ScreenAll({{std::string(kPath), script}}, {Applicant()}, true);
  ASSERT_EQ(s.decisions.size(), 1u);
  EXPECT_EQ(s.decisions[0].outcome, Outcome::kError);
  EXPECT_EQ(s.decisions[0].error.code(), StatusCode::kInternal);
  EXPECT_TRUE(Contains(s.decisions[0].error.message(), At(7) + "parameters is read-only"));
}

// A list parameter (e.g. ITC's target_industries) is a table: writing into it must be refused
// like writing the parameter itself, or one applicant's evaluation changes the next one's.
TEST(Sandbox, ListParametersAreReadOnly) {
  std::string script = Script(
      "parameter \"targets\" { value = { \"coffee_tea\" }, th = \"เป้าหมาย\", en = \"targets\" }",
      "pcall(function() p.targets[#p.targets + 1] = 'electronics' end) return #p.targets == 1");
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    Screening s = ScreenAll({{std::string(kPath), script}}, {Applicant(), Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 2u);
    EXPECT_EQ(s.decisions[0].outcome, Outcome::kEligible) << s.decisions[0].error.ToString();
    EXPECT_EQ(s.decisions[1].outcome, Outcome::kEligible) << s.decisions[1].error.ToString();
  }
}

TEST(Sandbox, SettingAGlobalDuringEvaluationIsRefused) {
  ExpectEvalError("counter = 1 return true", StatusCode::kInternal,
                  At(7) + "rule scripts cannot set global 'counter' after loading");
}

TEST(Sandbox, OverwritingADeclaredGlobalDuringEvaluationIsRefused) {
  // A global the script set at its top level is as frozen as a new one.
  for (bool explain : {true, false}) {
    SCOPED_TRACE(explain ? "explain" : "no explain");
    Screening s = ScreenAll({{std::string(kPath), Script("seen = 0", "seen = seen + 1 return seen == 1")}},
                            {Applicant(), Applicant()}, explain);
    ASSERT_EQ(s.decisions.size(), 2u);
    for (const Decision& d : s.decisions) {
      EXPECT_EQ(d.outcome, Outcome::kError);
      EXPECT_EQ(d.error.code(), StatusCode::kInternal);
      EXPECT_TRUE(Contains(d.error.message(), At(7) + "rule scripts cannot set global 'seen'"));
    }
  }
}

TEST(Sandbox, EnvironmentMetatableIsProtectedDuringEvaluation) {
  ExpectEvalError("setmetatable(_ENV, {}) return true", StatusCode::kInternal, At(7));
  ExpectEvalError("setmetatable(_ENV, {}) return true", StatusCode::kInternal, "metatable");
}

// A script that gives its own environment a __pairs metamethod at the top level must not be able
// to hide its globals from the seal that freezes them, and so keep state between applicants.
TEST(Sandbox, EnvironmentPairsTrickCannotKeepGlobalsWritable) {
  std::string script = Script(
      "seen = 0 setmetatable(_ENV, { __pairs = function() return function() return nil end end })",
      "seen = seen + 1 return seen == 1");
  auto rules = Rules({{std::string(kPath), script}});
  if (!rules.ok()) {
    // Refusing the script is as good as freezing it, if the error names the script.
    EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument) << rules.status().ToString();
    EXPECT_TRUE(Contains(rules.status().message(), std::string(kPath)));
    return;
  }
  Screening s = ScreenAll({{std::string(kPath), script}}, {Applicant(), Applicant()}, false);
  ASSERT_EQ(s.decisions.size(), 2u);
  for (const Decision& d : s.decisions) {
    EXPECT_EQ(d.outcome, Outcome::kError) << OutcomeName(d.outcome);
    EXPECT_EQ(d.error.code(), StatusCode::kInternal) << d.error.ToString();
    EXPECT_TRUE(Contains(d.error.message(), "rule scripts cannot set global 'seen'"));
  }
}

// A script that protects its environment's metatable at the top level breaks the seal: the
// rule set must be refused as the script's error (kInvalidArgument naming it), not an internal one.
TEST(Sandbox, ProtectedEnvironmentMetatableIsTheScriptsError) {
  ExpectLoadError(Script("setmetatable(_ENV, { __metatable = false })", "return true"),
                  StatusCode::kInvalidArgument, std::string(kPath));
}

// Rule code must run only inside a decision, under its budget and with its applicant. A __gc
// finalizer made by a test would run whenever the collector reaches it: during another
// program's decision, or in lua_close when the Screener is destroyed, after the applicant it
// reads is gone (a use-after-free of the profile; run under -DSMEMATCH_SANITIZE=ON to see one).
TEST(Sandbox, FinalizersAreRefused) {
  std::string script = Script(
      "", "setmetatable({}, { __gc = function() local id = e.identifier end }) return true");
  auto rules = Rules({{std::string(kPath), script}});
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  auto screener = Screener::Create(*rules);
  ASSERT_TRUE(screener.ok()) << screener.status().ToString();
  std::vector<Decision> decisions;
  {
    auto profile = std::make_unique<EnterpriseProfile>(Applicant());
    profile->identifier = std::string(100, '7');  // on the heap, freed below
    ASSERT_TRUE((*screener)->Screen(*profile, Options(true), &decisions).ok());
  }
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].outcome, Outcome::kError) << OutcomeName(decisions[0].outcome);
  EXPECT_EQ(decisions[0].error.code(), StatusCode::kInternal) << decisions[0].error.ToString();
  EXPECT_TRUE(Contains(decisions[0].error.message(), At(7)));
  EXPECT_TRUE(Contains(decisions[0].error.message(), "__gc"));
  screener->reset();  // lua_close runs any finalizer left
}

TEST(Sandbox, UnknownProfileFieldIsARuleError) {
  ExpectEvalError("return e.employes > 0", StatusCode::kInternal,
                  At(7) + "unknown profile field 'employes'");
}

TEST(Sandbox, UnknownParameterIsARuleError) {
  ExpectEvalError("return p.nope == nil", StatusCode::kInternal, At(7) + "unknown parameter 'nope'");
}

TEST(Sandbox, UnknownContextValueIsARuleError) {
  ExpectEvalError("return c.today == nil", StatusCode::kInternal,
                  At(7) + "unknown context value 'today'");
}

TEST(Sandbox, HelpersRefuseAForgedApplicant) {
  ExpectEvalError("return sme_size({ sector = 'manufacturing', employees = 1 }) == 'micro'",
                  StatusCode::kInternal, "sme_size(e, ...) expects the applicant e");
}

}  // namespace
}  // namespace smematch
