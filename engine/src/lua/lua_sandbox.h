// LuaSandbox: one Lua state for untrusted rule scripts, with a memory cap (counting allocator)
// and an instruction budget per call (count hook that re-arms so that pcall inside a script
// cannot swallow a kill; after Redis scripting). Only the base, table, string, math and utf8
// libraries are opened; chunks load as text only. Not thread-safe: one per thread; not
// copyable or movable (the hook and allocator hold its address).
#ifndef SMEMATCH_ENGINE_SRC_LUA_LUA_SANDBOX_H_
#define SMEMATCH_ENGINE_SRC_LUA_LUA_SANDBOX_H_

#include <lua.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

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
  static LuaSandbox* From(lua_State* L) { return *static_cast<LuaSandbox**>(lua_getextraspace(L)); }

  // Ends the current call as if it had run out of instructions: for C library functions the
  // count hook cannot interrupt (pattern backtracking, table.move), called before they start.
  // Does not return (raises a Lua error).
  static int RaiseBudgetExceeded(lua_State* L, const char* what);

  size_t memory_used() const { return memory_used_; }
  const RuleLimits& limits() const { return limits_; }
  uint64_t kills() const { return kills_; }

 private:
  static void* Allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  static void CountHook(lua_State* L, lua_Debug* ar);
  void MarkKilled(lua_State* L);
  void Arm(bool continue_budget);

  RuleLimits limits_;
  lua_State* L_ = nullptr;
  size_t memory_used_ = 0;
  int hook_step_ = 1000;
  int64_t instructions_ = 0;
  bool killed_ = false;         // the current call ran out of instructions or memory
  bool memory_exceeded_ = false;
  char kill_where_[160] = "";
  std::string budget_reason_;   // set by RaiseBudgetExceeded   // "chunk:line:" where the budget ran out (first kill)
  uint64_t kills_ = 0;
};

}  // namespace smematch

#endif  // SMEMATCH_ENGINE_SRC_LUA_LUA_SANDBOX_H_
