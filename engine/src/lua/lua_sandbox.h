// LuaSandbox: one Lua state for untrusted rule scripts, with a memory cap (counting allocator)
// and an instruction budget per decision (count hook that re-arms so that pcall inside a
// script cannot swallow a kill; after Redis scripting). Only the base, table, string, math and
// utf8 libraries are opened; chunks load as text only.
//
// A count hook makes Lua call luaG_traceexec before every VM instruction (38 % of a decision's
// cost). So calls can run in *fast mode*: no hook, while a per-thread timer ticks every
// kTickMicros of wall time; a tick that lands inside a call makes the signal handler arm a hook
// that aborts it, and Call returns kDeadlineExceeded: the caller redoes that unit of work in
// the default *deterministic mode*, counting every instruction from the start (about 1 % of
// 2-µs calls). A fast call that completes saw no tick, so it ran under kTickMicros, far less
// than any Lua VM needs for the budget's instructions (≥ 1 M): decisions are the same in both
// modes. Charged C work past a quarter of the budget also goes to deterministic mode.
//
// Not thread-safe: one per thread; not copyable or movable (the hook, the allocator and the
// signal handler hold its address).
#ifndef SMEMATCH_ENGINE_SRC_LUA_LUA_SANDBOX_H_
#define SMEMATCH_ENGINE_SRC_LUA_LUA_SANDBOX_H_

#include <lua.hpp>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "smematch/profile.h"
#include "smematch/rule_set.h"
#include "smematch/status.h"

namespace smematch {

class LuaSandbox {
 public:
  explicit LuaSandbox(const RuleLimits& limits);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  lua_State* state() { return L_; }

  // Compiles `text` as a text chunk named `chunk_name` (no "@"; errors then read
  // "chunk_name:line: ..."). Pushes the function. Binary chunks are refused. Returns
  // kInvalidArgument with Lua's message on a syntax error (nothing pushed).
  Status Load(std::string_view text, const std::string& chunk_name);

  // lua_pcall under the instruction budget and memory cap. On error pops the message and
  // returns kResourceExhausted (budget or memory) or `error_code` with the message. A call
  // starts a new decision's budget unless `continue_budget` (resuming the same decision).
  Status Call(int nargs, int nresults, StatusCode error_code = StatusCode::kInternal,
              bool continue_budget = false);

  // Makes the following calls run in fast mode (see above) or deterministic mode. Fast mode
  // is used only when the budget is at least kMinFastBudget and the thread timer works.
  void set_fast(bool fast) { fast_ = fast && fast_possible_; }
  static constexpr int kTickMicros = 250;
  static constexpr int64_t kMinFastBudget = 1'000'000;
  uint64_t replays() const { return replays_; }
  // Called from the thread timer's signal handler: async-signal-safe.
  void Tick();

  // Starts a new decision's budget within the current call (one call screens several
  // programs: each gets the whole budget).
  void BeginDecision() { instructions_ = 0; }
  // Counts `steps` of C library work as instructions. Returns false once over budget.
  bool Charge(double steps) {
    double total = static_cast<double>(instructions_) + steps;
    if (total > static_cast<double>(limits_.instructions_per_decision)) return false;
    instructions_ = static_cast<int64_t>(total);
    return true;
  }
  // In fast mode VM instructions are not counted, only charged C work: past a quarter of the
  // budget the call must be replayed to count exactly.
  bool ChargeNeedsReplay() const {
    return in_fast_call_ && instructions_ * 4 > limits_.instructions_per_decision;
  }
  static LuaSandbox* From(lua_State* L) { return *static_cast<LuaSandbox**>(lua_getextraspace(L)); }

  // Ends the current call as if it had run out of instructions: for C library functions the
  // count hook cannot interrupt (pattern backtracking, table.move), called before they start.
  // Does not return (raises a Lua error).
  static int RaiseBudgetExceeded(lua_State* L, const char* what);
  // Ends the current fast call so that it is replayed in deterministic mode (raises).
  static int RaiseReplayFrom(lua_State* L);

  // charge(steps, what), for preludes: counts `steps` of C library work against the decision's
  // budget; raises (budget exceeded, or replay in deterministic mode) as Charge says.
  static int NativeCharge(lua_State* L);
  // script_line(chunk_name), for preludes: the line the innermost frame of that chunk is
  // running (0 if none), to report declarations with their script line.
  static int NativeScriptLine(lua_State* L);
  // begin_decision(), for preludes: starts a new decision's budget (BeginDecision).
  static int NativeBeginDecision(lua_State* L);
  // Pushes the charged C library (engine/src/lua/charged_lib.lua) as an uncalled function:
  // a prelude calls it with NativeCharge once it holds the original string functions, and gets
  // the charged table library. Raises a Lua error if the chunk does not load (a build bug).
  static void PushChargedLibrary(lua_State* L);

  size_t memory_used() const { return memory_used_; }
  const RuleLimits& limits() const { return limits_; }
  uint64_t kills() const { return kills_; }

 private:
  static void* Allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  static void CountHook(lua_State* L, lua_Debug* ar);
  static void AbortHook(lua_State* L, lua_Debug* ar);

  void MarkKilled(lua_State* L);
  void RecordWhere(lua_State* L);
  void Arm(bool continue_budget);

  RuleLimits limits_;
  lua_State* L_ = nullptr;
  size_t memory_used_ = 0;
  int hook_step_ = 1000;
  int64_t instructions_ = 0;
  bool killed_ = false;         // the current call ran out of instructions or memory
  bool memory_exceeded_ = false;
  bool string_too_long_ = false;
  char kill_where_[160] = "";
  std::string budget_reason_;   // set by RaiseBudgetExceeded   // "chunk:line:" where the budget ran out (first kill)
  uint64_t kills_ = 0;
  bool fast_ = false;
  bool fast_possible_ = false;
  bool in_fast_call_ = false;
  volatile std::sig_atomic_t ticks_ = 0;
  volatile std::sig_atomic_t abort_armed_ = 0;
  bool replay_ = false;
  uint64_t replays_ = 0;
};

// A C++ function run inside a protected call (Protected). It must hold no C++ object with a
// destructor across a Lua call that may raise: Lua is built as C, so errors are a longjmp.
using LuaFn = std::function<int(lua_State*)>;

// Runs `fn` inside a protected call under `sandbox`'s limits, with the top `nargs` values of
// the stack as its arguments (at 1..nargs inside `fn`: a C function has its own frame, so the
// caller's slots are not addressable there). Its results stay on the stack.
Status Protected(LuaSandbox& sandbox, const LuaFn& fn, int nargs, int nresults);

// Pushes the ids of `labels` as a Lua list (sequence of strings).
void PushIds(lua_State* L, std::span<const EnumLabel> labels);

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_LUA_LUA_SANDBOX_H_
