#include "lua/lua_sandbox.h"

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <cstring>

namespace smematch {

extern const unsigned char kChargedLibLua[];  // charged_lib.lua, embedded at build time
extern const size_t kChargedLibLuaSize;

namespace {

LuaSandbox* FromState(lua_State* L) { return *static_cast<LuaSandbox**>(lua_getextraspace(L)); }

// The sandbox running a fast call on this thread, for the timer's signal handler.
thread_local LuaSandbox* tl_running = nullptr;

// One CPU-clock timer per thread that runs fast calls, deleted when the thread ends.
struct ThreadTimer {
  timer_t id{};
  bool made = false;
  bool failed = false;
  ~ThreadTimer() {
    if (made) timer_delete(id);
  }
};
thread_local ThreadTimer tl_timer;

int TickSignal() { return SIGRTMIN + 3; }

void OnTick(int /*sig*/, siginfo_t* /*info*/, void* /*context*/) {
  if (LuaSandbox* s = tl_running) s->Tick();
}

// Returns whether this thread has its tick timer (creating it on first use).
bool EnsureThreadTimer() {
  static std::once_flag handler_once;
  std::call_once(handler_once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = OnTick;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(TickSignal(), &sa, nullptr);
  });
  if (tl_timer.made) return true;
  if (tl_timer.failed) return false;
  sigevent sev{};
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = TickSignal();
  sev._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
  // CLOCK_MONOTONIC is a high-resolution timer; the thread CPU clocks are only checked at
  // scheduler ticks (milliseconds), too coarse for the bound below.
  if (timer_create(CLOCK_MONOTONIC, &sev, &tl_timer.id) != 0) {
    tl_timer.failed = true;
    return false;
  }
  itimerspec every{};
  every.it_interval.tv_nsec = LuaSandbox::kTickMicros * 1000L;
  every.it_value = every.it_interval;
  if (timer_settime(tl_timer.id, 0, &every, nullptr) != 0) {
    timer_delete(tl_timer.id);
    tl_timer.failed = true;
    return false;
  }
  tl_timer.made = true;
  return true;
}

std::string PopMessage(lua_State* L) {
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  std::string m = s ? std::string(s, len) : std::string("(error object is not a string)");
  lua_pop(L, 1);
  return m;
}

}  // namespace

LuaSandbox::LuaSandbox(const RuleLimits& limits) : limits_(limits) {
  hook_step_ = static_cast<int>(std::min<int64_t>(1000, std::max<int64_t>(1, limits.instructions_per_decision)));
  L_ = lua_newstate(Allocate, this);
  if (L_ == nullptr) std::abort();  // the cap is far above an empty state's size
  *static_cast<LuaSandbox**>(lua_getextraspace(L_)) = this;
  // Allow-list: no io, os, debug, package (require), coroutine.
  static const luaL_Reg kLibs[] = {
      {LUA_GNAME, luaopen_base},          {LUA_TABLIBNAME, luaopen_table},
      {LUA_STRLIBNAME, luaopen_string},   {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8},
  };
  for (const luaL_Reg& lib : kLibs) {
    luaL_requiref(L_, lib.name, lib.func, 1);
    lua_pop(L_, 1);
  }
  // Remove what the base library has beyond the allow-list, so that even the trusted
  // prelude cannot hand these to a script by mistake.
  for (const char* name : {"dofile", "loadfile", "load", "require", "collectgarbage", "print"}) {
    lua_pushnil(L_);
    lua_setglobal(L_, name);
  }
  // Stop the incremental collector from trailing allocation too far: rules are small and
  // short-lived garbage (reason strings) should not pile up toward the cap.
  lua_gc(L_, LUA_GCGEN, 0, 0);
  fast_possible_ = limits.instructions_per_decision >= kMinFastBudget;
}

void LuaSandbox::Tick() {
  if (!in_fast_call_ || abort_armed_) return;
  // A tick inside a call: the call may run longer than kTickMicros, so it is redone counting
  // every instruction. Calls that finish between two ticks ran under kTickMicros.
  abort_armed_ = 1;
  lua_sethook(L_, AbortHook, LUA_MASKCOUNT, 1);  // async-signal-safe by design (lua.c)
}

void LuaSandbox::AbortHook(lua_State* L, lua_Debug* /*ar*/) {
  FromState(L)->replay_ = true;
  luaL_error(L, "replay in deterministic mode");  // the hook stays armed: pcall cannot swallow it
}

int LuaSandbox::RaiseReplayFrom(lua_State* L) {
  LuaSandbox* self = FromState(L);
  self->replay_ = true;
  self->abort_armed_ = 1;
  lua_sethook(L, AbortHook, LUA_MASKCOUNT, 1);
  return luaL_error(L, "replay in deterministic mode");
}

int LuaSandbox::NativeScriptLine(lua_State* L) {
  const char* chunk = luaL_checkstring(L, 1);
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.source != nullptr && std::strcmp(ar.source, chunk) == 0) {
      lua_pushinteger(L, ar.currentline);
      return 1;
    }
  }
  lua_pushinteger(L, 0);
  return 1;
}

int LuaSandbox::NativeBeginDecision(lua_State* L) {
  From(L)->BeginDecision();
  return 0;
}

int LuaSandbox::NativeCharge(lua_State* L) {
  lua_Number steps = luaL_checknumber(L, 1);
  LuaSandbox* sandbox = From(L);
  if (!sandbox->Charge(steps)) return RaiseBudgetExceeded(L, luaL_checkstring(L, 2));
  if (sandbox->ChargeNeedsReplay()) return RaiseReplayFrom(L);
  return 0;
}

void LuaSandbox::PushChargedLibrary(lua_State* L) {
  if (luaL_loadbufferx(L, reinterpret_cast<const char*>(kChargedLibLua), kChargedLibLuaSize,
                       "@engine/charged_lib.lua", "t") != LUA_OK) {
    lua_error(L);
  }
}

LuaSandbox::~LuaSandbox() {
  if (L_ != nullptr) lua_close(L_);
}

void* LuaSandbox::Allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* self = static_cast<LuaSandbox*>(ud);
  if (ptr == nullptr) {
    // old_size encodes the type of the object being created.
    if (old_size == LUA_TSTRING && new_size > self->limits_.max_string_bytes + 64 &&
        self->L_ != nullptr) {
      self->string_too_long_ = true;
      self->memory_exceeded_ = true;
      if (self->kill_where_[0] == '\0') self->RecordWhere(self->L_);
      lua_sethook(self->L_, CountHook, LUA_MASKCOUNT, 1);
      return nullptr;
    }
    old_size = 0;
  }
  if (new_size == 0) {
    std::free(ptr);
    self->memory_used_ -= old_size;
    return nullptr;
  }
  if (new_size > old_size && self->memory_used_ + (new_size - old_size) > self->limits_.memory_bytes) {
    self->memory_exceeded_ = true;
    if (self->L_ != nullptr) {
      if (self->kill_where_[0] == '\0') self->RecordWhere(self->L_);
      lua_sethook(self->L_, CountHook, LUA_MASKCOUNT, 1);
    }
    return nullptr;
  }
  void* p = std::realloc(ptr, new_size);
  if (p != nullptr) self->memory_used_ = self->memory_used_ - old_size + new_size;
  return p;
}

void LuaSandbox::CountHook(lua_State* L, lua_Debug* /*ar*/) {
  LuaSandbox* self = FromState(L);
  if (!self->killed_) {
    if (!self->memory_exceeded_) {
      self->instructions_ += self->hook_step_;
      if (self->instructions_ <= self->limits_.instructions_per_decision) return;
    }
    self->MarkKilled(L);
  }
  if (self->string_too_long_) {
    luaL_error(L, "a string longer than %d bytes was refused", static_cast<int>(self->limits_.max_string_bytes));
  }
  if (self->memory_exceeded_) {
    luaL_error(L, "memory limit of %d MiB exceeded", static_cast<int>(self->limits_.memory_bytes >> 20));
  }
  luaL_error(L, "instruction budget of %I instructions per decision exceeded",
             static_cast<lua_Integer>(self->limits_.instructions_per_decision));
}

// Remembers where the script was ("path:line: "), not where the re-armed kill finally unwinds
// from. Allocates nothing, so the allocator may call it when it refuses.
void LuaSandbox::RecordWhere(lua_State* L) {
  lua_Debug where;
  kill_where_[0] = '\0';
  for (int level = 0; lua_getstack(L, level, &where); ++level) {
    lua_getinfo(L, "Sl", &where);
    if (where.currentline > 0 && std::strncmp(where.source, "@engine/", 8) != 0) {
      std::snprintf(kill_where_, sizeof kill_where_, "%s:%d: ", where.short_src, where.currentline);
      break;
    }
  }
}

void LuaSandbox::MarkKilled(lua_State* L) {
  killed_ = true;
  if (kill_where_[0] == '\0') RecordWhere(L);
  // Re-arm on every instruction: a pcall in the script that catches this error gets killed
  // again at its next instruction, until the error reaches our lua_pcall.
  lua_sethook(L, CountHook, LUA_MASKCOUNT, 1);
}

int LuaSandbox::RaiseBudgetExceeded(lua_State* L, const char* what) {
  LuaSandbox* self = FromState(L);
  if (!self->killed_) self->MarkKilled(L);
  self->budget_reason_ = what;
  return luaL_error(L, "instruction budget exceeded: %s", what);
}

void LuaSandbox::Arm(bool continue_budget) {
  if (!continue_budget) instructions_ = 0;
  kill_where_[0] = '\0';
  killed_ = false;
  memory_exceeded_ = false;
  lua_sethook(L_, CountHook, LUA_MASKCOUNT, hook_step_);
}

Status LuaSandbox::Load(std::string_view text, const std::string& chunk_name) {
  std::string name = "@" + chunk_name;
  Arm(false);
  int rc = luaL_loadbufferx(L_, text.data(), text.size(), name.c_str(), "t");
  if (rc == LUA_OK) return Status::Ok();
  std::string message = PopMessage(L_);
  if (rc == LUA_ERRMEM || memory_exceeded_) return ResourceExhaustedError(chunk_name + ": " + message);
  if (message.find("binary chunk") != std::string::npos) {
    message = chunk_name + ": precompiled (binary) chunks are not accepted; rules must be Lua source text";
  }
  return InvalidArgumentError(message);
}

Status LuaSandbox::Call(int nargs, int nresults, StatusCode error_code, bool continue_budget) {
  int rc;
  if (fast_ && EnsureThreadTimer()) {
    if (!continue_budget) instructions_ = 0;
    killed_ = false;
    memory_exceeded_ = false;
    kill_where_[0] = '\0';
    replay_ = false;
    ticks_ = 0;
    abort_armed_ = 0;
    lua_sethook(L_, nullptr, 0, 0);
    tl_running = this;
    in_fast_call_ = true;
    rc = lua_pcall(L_, nargs, nresults, 0);
    in_fast_call_ = false;
    tl_running = nullptr;
    if (abort_armed_) lua_sethook(L_, nullptr, 0, 0);
    if (replay_) {
      if (rc != LUA_OK) lua_pop(L_, 1);
      else lua_pop(L_, nresults == LUA_MULTRET ? 0 : nresults);
      ++replays_;
      return Status(StatusCode::kDeadlineExceeded, "replay in deterministic mode");
    }
  } else {
    Arm(continue_budget);
    rc = lua_pcall(L_, nargs, nresults, 0);
  }
  if (rc == LUA_OK) return Status::Ok();
  std::string message = PopMessage(L_);
  bool exhausted = killed_ || memory_exceeded_ || rc == LUA_ERRMEM;
  if (exhausted) {
    ++kills_;
    lua_sethook(L_, CountHook, LUA_MASKCOUNT, hook_step_);
    lua_gc(L_, LUA_GCCOLLECT);
    if (string_too_long_) {
      message = "a string longer than " + std::to_string(limits_.max_string_bytes) +
                " bytes was refused (the limit on one string)";
    } else if (memory_exceeded_ || rc == LUA_ERRMEM) {
      message = "memory limit of " + std::to_string(limits_.memory_bytes >> 20) + " MiB exceeded";
    } else if (!budget_reason_.empty()) {
      message = "instruction budget of " + std::to_string(limits_.instructions_per_decision) +
                " instructions per decision exceeded by " + budget_reason_;
    } else {
      message = "instruction budget of " + std::to_string(limits_.instructions_per_decision) +
                " instructions per decision exceeded";
    }
    budget_reason_.clear();
    std::string where = kill_where_;
    memory_exceeded_ = false;
    string_too_long_ = false;
    kill_where_[0] = '\0';
    return ResourceExhaustedError(where + message);
  }
  return Status(error_code, message);
}

namespace {

int Trampoline(lua_State* L) {
  const auto* fn = static_cast<const LuaFn*>(lua_touserdata(L, 1));
  lua_remove(L, 1);
  return (*fn)(L);
}

}  // namespace

Status Protected(LuaSandbox& sandbox, const LuaFn& fn, int nargs, int nresults) {
  lua_State* L = sandbox.state();
  lua_pushlightuserdata(L, const_cast<LuaFn*>(&fn));
  lua_insert(L, -(nargs + 1));
  lua_pushcfunction(L, Trampoline);
  lua_insert(L, -(nargs + 2));
  return sandbox.Call(nargs + 1, nresults);
}

void PushIds(lua_State* L, std::span<const EnumLabel> labels) {
  lua_createtable(L, static_cast<int>(labels.size()), 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    lua_pushlstring(L, labels[i].id.data(), labels[i].id.size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
}

}  // namespace smematch
