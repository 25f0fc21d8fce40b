#include "lua/rule_runtime.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <functional>

#include "condition.h"
#include "lua/lua_json.h"
#include "lua/reason_renderer.h"
#include "smematch/identifier.h"
#include "smematch/sme_size.h"

namespace smematch {

extern const unsigned char kPreludeLua[];  // prelude.lua, embedded at build time
extern const size_t kPreludeLuaSize;

namespace {

// Fixed slots of the main Lua stack after Load.
constexpr int kEngineSlot = 1;
constexpr int kFillSlot = 2;      // FillApplicant(evaluate): fill, then maybe evaluate_all()
constexpr int kResumeSlot = 3;
constexpr int kExplainSlot = 4;
constexpr int kSkipSlot = 5;
constexpr int kPositionSlot = 6;
constexpr int kContextSlot = 7;
constexpr int kSelectSlot = 8;
constexpr int kResultsSlot = 8;  // results tables follow: failed, undecided, fields, score, group
constexpr int kFastSlot = 13;    // fast-path tables follow: MODE, PRE_FAILED, PRE_UNDECIDED, PRE_FIELDS
constexpr int kSlots = 17;

// engine.fast MODE values (prelude.lua).
constexpr lua_Integer kModeDecided = 0, kModeLuaTests = 1, kModeAllInLua = 2;

// Upvalues of the FillApplicant closure.
enum FillUpvalue {
  kUvRuntime = 1, kUvFill, kUvNeedsView, kUvLegalForms, kUvSectors, kUvIndustries, kUvSizeNames,
  kUvEvaluateAll, kUvCount = kUvEvaluateAll,
};

// Bodies run inside a protected call (Protected, lua_sandbox.h) name their parameter Lf (the
// state, seen from the C function's own frame, where 1..n are its arguments and not the main
// stack's slots).

void PushLabels(lua_State* L, std::span<const EnumLabel> labels) {
  lua_createtable(L, 0, static_cast<int>(labels.size()));
  for (const EnumLabel& l : labels) {
    lua_createtable(L, 0, 2);
    lua_pushlstring(L, l.th.data(), l.th.size());
    lua_setfield(L, -2, "th");
    lua_pushlstring(L, l.en.data(), l.en.size());
    lua_setfield(L, -2, "en");
    lua_pushlstring(L, l.id.data(), l.id.size());
    lua_insert(L, -2);
    lua_rawset(L, -3);
  }
}

RuleRuntime* Self(lua_State* L) {
  return static_cast<RuleRuntime*>(lua_touserdata(L, lua_upvalueindex(1)));
}

std::string ReadString(lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return s ? std::string(s, len) : std::string();
}

bool IsPlainName(std::string_view name) {
  static constexpr std::string_view kReserved[] = {
      "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
      "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"};
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  }
  return std::find(std::begin(kReserved), std::end(kReserved), name) == std::end(kReserved);
}

// Returns "local a <const>, b <const> = a, b; " over the names a fresh script environment
// (at stack index `env`) holds, to be put before the script's first line (line numbers stay
// the same). A sealed environment answers every global read with a miss and a second lookup;
// these names become upvalues instead, read in one step. `<const>` makes any assignment to
// them a compile error, so a script that assigns one (even `function clamp() end`) must load
// unprefixed; empty when the script mentions _ENV, the only other way to reach or change its
// environment (such a script then sees every change it makes, as before).
std::string ConstLocalsPrefix(lua_State* L, int env, std::string_view text) {
  if (text.find("_ENV") != std::string_view::npos) return {};
  std::vector<std::string> names;
  lua_pushnil(L);
  while (lua_next(L, env) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      size_t len = 0;
      const char* k = lua_tolstring(L, -2, &len);
      if (IsPlainName(std::string_view(k, len))) names.emplace_back(k, len);
    }
    lua_pop(L, 1);
  }
  if (names.empty()) return {};
  std::sort(names.begin(), names.end());
  std::string declared = "local ", values;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) {
      declared += ", ";
      values += ", ";
    }
    declared += names[i] + " <const>";
    values += names[i];
  }
  return declared + " = " + values + "; ";
}

}  // namespace

RuleRuntime::RuleRuntime(const RuleLimits& limits)
    : sandbox_(limits), reasons_(std::make_unique<ReasonRenderer>()) {}
RuleRuntime::~RuleRuntime() = default;

// lazy_field(name): the applicant's id, name or identifier (nil if absent).
int RuleRuntime::NativeLazyField(lua_State* L) {
  const EnterpriseProfile* p = Self(L)->applicant_;
  size_t len;
  const char* k = luaL_checklstring(L, 1, &len);
  std::string_view key(k, len);
  const std::string* v = nullptr;
  if (p != nullptr) {
    if (key == "id") v = &p->id;
    else if (key == "name") v = &p->name;
    else if (key == "identifier" && p->identifier) v = &*p->identifier;
  }
  if (v == nullptr) return 0;
  lua_pushlstring(L, v->data(), v->size());
  return 1;
}

int RuleRuntime::NativeIdentifierKind(lua_State* L) {
  if (lua_type(L, 1) != LUA_TSTRING) return 0;
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  std::string_view id(s, len);
  if (!ValidateIdentifier(id).ok()) return 0;
  switch (ClassifyIdentifier(id)) {
    case IdentifierKind::kJuristicPerson: lua_pushliteral(L, "juristic_person"); break;
    case IdentifierKind::kRevenueDept: lua_pushliteral(L, "revenue_department"); break;
    case IdentifierKind::kNationalId: lua_pushliteral(L, "national_id"); break;
  }
  return 1;
}

// The applicant view `e` (prelude E), kept in the registry: helpers that read C++ data check
// that scripts pass it as their first argument.
static const char kApplicantKey = 0;

int RuleRuntime::NativeBindApplicant(lua_State* L) {
  lua_settop(L, 1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kApplicantKey);
  return 0;
}

static void CheckApplicant(lua_State* L, const char* fn) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kApplicantKey);
  bool same = lua_rawequal(L, 1, -1);
  lua_pop(L, 1);
  if (!same) luaL_error(L, "%s(e, ...) expects the applicant e as its first argument", fn);
}

// participated(e, program, from_fy, to_fy): took part in `program` in a fiscal year in range.
int RuleRuntime::NativeParticipated(lua_State* L) {
  RuleRuntime* self = Self(L);
  CheckApplicant(L, "participated");
  size_t len;
  const char* program = luaL_checklstring(L, 2, &len);
  lua_Integer from = luaL_optinteger(L, 3, 0), to = luaL_optinteger(L, 4, 9999);
  bool found = false;
  if (self->applicant_ != nullptr) {
    for (const Participation& p : self->applicant_->participation) {
      if (p.program == std::string_view(program, len) && p.fiscal_year >= from && p.fiscal_year <= to) {
        found = true;
        break;
      }
    }
  }
  lua_pushboolean(L, found);
  return 1;
}

// man_days_used(e, program, fiscal_year): consulting man-days used in that fiscal year.
int RuleRuntime::NativeManDaysUsed(lua_State* L) {
  RuleRuntime* self = Self(L);
  CheckApplicant(L, "man_days_used");
  size_t len;
  const char* program = luaL_checklstring(L, 2, &len);
  lua_Integer fiscal_year = luaL_checkinteger(L, 3);
  lua_Integer days = 0;
  if (self->applicant_ != nullptr) {
    for (const Participation& p : self->applicant_->participation) {
      if (p.program == std::string_view(program, len) && p.fiscal_year == fiscal_year) {
        days += p.man_days_used;
      }
    }
  }
  lua_pushinteger(L, days);
  return 1;
}

// compile_condition(text, path, line, env): the condition `text` of a criterion declared at
// `path`:`line` as the Lua function `function(e, p, c) return <text> end` with environment
// `env`, numbered so that its errors name that line; or nil and the syntax error. Text only.
int RuleRuntime::NativeCompileCondition(lua_State* L) {
  size_t len = 0;
  const char* text = luaL_checklstring(L, 1, &len);
  const char* path = luaL_checkstring(L, 2);
  const lua_Integer line = luaL_checkinteger(L, 3);
  luaL_checktype(L, 4, LUA_TTABLE);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (lua_Integer i = 1; i < line && i < 1'000'000; ++i) luaL_addchar(&b, '\n');
  luaL_addstring(&b, "local e, p, c = ... return ");
  luaL_addlstring(&b, text, len);
  luaL_addchar(&b, '\n');  // a trailing comment cannot swallow anything after the text
  luaL_pushresult(&b);
  size_t source_len = 0;
  const char* source = lua_tolstring(L, -1, &source_len);
  lua_pushfstring(L, "@%s", path);
  if (luaL_loadbufferx(L, source, source_len, lua_tostring(L, -1), "t") != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushvalue(L, 4);
  lua_setupvalue(L, -2, 1);  // _ENV
  return 1;
}

int RuleRuntime::NativeInstructionBudget(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(Self(L)->sandbox_.limits().instructions_per_decision));
  return 1;
}

int RuleRuntime::NativeCheckDate(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  lua_pushboolean(L, Date::Parse(std::string_view(s, len)).ok());
  return 1;
}

Status RuleRuntime::Load(const std::vector<RuleSet::File>& files, const ProvinceTable& provinces) {
  provinces_ = &provinces;
  lua_State* L = sandbox_.state();
  lua_settop(L, 0);
  LuaFn setup = [this, &provinces](lua_State* Lf) {
    if (luaL_loadbufferx(Lf, reinterpret_cast<const char*>(kPreludeLua), kPreludeLuaSize, "@engine/prelude.lua", "t") != LUA_OK) {
      lua_error(Lf);
    }
    // native
    lua_createtable(Lf, 0, 8);
    const luaL_Reg natives[] = {
        {"lazy_field", NativeLazyField},     {"identifier_kind", NativeIdentifierKind},
        {"participated", NativeParticipated}, {"man_days_used", NativeManDaysUsed},
        {"script_line", LuaSandbox::NativeScriptLine},   {"check_date", NativeCheckDate},
        {"bind_applicant", NativeBindApplicant},
        {"charge", LuaSandbox::NativeCharge},
        {"begin_decision", LuaSandbox::NativeBeginDecision},
        {"instruction_budget", NativeInstructionBudget},
        {"compile_condition", NativeCompileCondition},
    };
    for (const luaL_Reg& r : natives) {
      lua_pushlightuserdata(Lf, this);
      lua_pushcclosure(Lf, r.func, 1);
      lua_setfield(Lf, -2, r.name);
    }
    // FIELDS
    lua_createtable(Lf, kProfileFieldCount, 0);
    for (int i = 0; i < kProfileFieldCount; ++i) {
      std::string_view n = FieldName(static_cast<ProfileField>(i));
      lua_pushlstring(Lf, n.data(), n.size());
      lua_rawseti(Lf, -2, i + 1);
    }
    // LABELS
    lua_createtable(Lf, 0, 9);
    const std::pair<const char*, std::span<const EnumLabel>> label_sets[] = {
        {"field", FieldLabels()},         {"certification", CertificationLabels()},
        {"dimension", DimensionLabels()}, {"legal_form", LegalFormLabels()},
        {"sector", SectorLabels()},       {"industry", IndustryLabels()},
        {"size", SmeSizeLabels()},        {"region", RegionLabels()},
    };
    for (const auto& [name, labels] : label_sets) {
      PushLabels(Lf, labels);
      lua_setfield(Lf, -2, name);
    }
    // PROVINCES
    lua_createtable(Lf, static_cast<int>(provinces.all().size()), 0);
    lua_Integer i = 0;
    for (const Province& p : provinces.all()) {
      lua_createtable(Lf, 0, 7);
      const std::pair<const char*, const std::string*> strings[] = {
          {"iso_code", &p.iso_code}, {"name_th", &p.name_th}, {"name_en", &p.name_en},
          {"region", &p.region}, {"region_nesdb", &p.region_nesdb}, {"diprom_center", &p.diprom_center},
      };
      for (const auto& [k, v] : strings) {
        lua_pushlstring(Lf, v->data(), v->size());
        lua_setfield(Lf, -2, k);
      }
      lua_pushboolean(Lf, p.upper_north);
      lua_setfield(Lf, -2, "upper_north");
      lua_rawseti(Lf, -2, ++i);
    }
    LuaSandbox::PushChargedLibrary(Lf);  // install_charged_library
    lua_call(Lf, 5, 1);  // engine
    int engine = lua_gettop(Lf);
    // FillApplicant closure and its upvalues, in FillUpvalue order.
    lua_pushlightuserdata(Lf, this);
    lua_getfield(Lf, engine, "fill");
    lua_getfield(Lf, engine, "NEEDS");
    PushIds(Lf, LegalFormLabels());
    PushIds(Lf, SectorLabels());
    PushIds(Lf, IndustryLabels());
    PushIds(Lf, SmeSizeLabels());
    lua_getfield(Lf, engine, "evaluate_all");
    lua_pushcclosure(Lf, FillApplicant, kUvCount);
    lua_getfield(Lf, engine, "resume");
    lua_getfield(Lf, engine, "explain");
    lua_getfield(Lf, engine, "skip");
    lua_getfield(Lf, engine, "position");
    // FillContext closure: runtime, ctx.
    lua_pushlightuserdata(Lf, this);
    lua_getfield(Lf, engine, "ctx");
    lua_pushcclosure(Lf, FillContext, 2);
    lua_getfield(Lf, engine, "select");
    lua_getfield(Lf, engine, "results");
    for (int r = 1; r <= 5; ++r) lua_rawgeti(Lf, -r, r);  // the 5 tables, in order
    lua_remove(Lf, -6);
    lua_getfield(Lf, engine, "fast");
    for (int r = 1; r <= 4; ++r) lua_rawgeti(Lf, -r, r);  // the 4 tables, in order
    lua_remove(Lf, -5);
    return kSlots;
  };
  Status s = Protected(sandbox_, setup, 0, kSlots);
  if (!s.ok()) return InternalError("engine prelude failed: " + s.message());

  std::vector<std::string> errors;
  auto load_one = [&](const RuleSet::File& file, const char* kind) -> Status {
    // env, rec = engine.new_script(path, kind)
    LuaFn create = [&](lua_State* Lf) {
      lua_getfield(Lf, 1, "new_script");
      lua_pushlstring(Lf, file.path.data(), file.path.size());
      lua_pushstring(Lf, kind);
      lua_call(Lf, 2, 2);
      return 2;
    };
    lua_pushvalue(L, kEngineSlot);
    SMEMATCH_RETURN_IF_ERROR(Protected(sandbox_, create, 1, 2));
    int rec = lua_gettop(L), env = rec - 1;
    // Helpers read as upvalues of the chunk rather than through the sealed environment (one
    // lookup instead of a miss and a second lookup); a script the prefix does not compile
    // with (it assigns one of those names) loads as written, with its own error messages.
    std::string prefix = ConstLocalsPrefix(L, env, file.text);
    Status loaded = prefix.empty() ? sandbox_.Load(file.text, file.path)
                                   : sandbox_.Load(prefix + file.text, file.path);
    if (!prefix.empty() && loaded.code() == StatusCode::kInvalidArgument) {
      loaded = sandbox_.Load(file.text, file.path);
    }
    if (loaded.ok()) {
      lua_pushvalue(L, env);
      lua_setupvalue(L, -2, 1);  // the chunk's _ENV
      loaded = sandbox_.Call(0, 0, StatusCode::kInvalidArgument);
    }
    if (loaded.code() == StatusCode::kResourceExhausted) {
      lua_settop(L, kSlots);
      return loaded.WithPrefix(file.path + ": while loading");
    }
    if (!loaded.ok()) errors.push_back(loaded.message());
    LuaFn finish = [&](lua_State* Lf) {
      lua_getfield(Lf, 1, "finish_script");
      lua_pushvalue(Lf, 2);
      lua_call(Lf, 1, 1);
      lua_Integer n = luaL_len(Lf, -1);
      for (lua_Integer i = 1; i <= n; ++i) {
        lua_rawgeti(Lf, -1, i);
        errors.push_back(ReadString(Lf, -1));
        lua_pop(Lf, 1);
      }
      return 0;
    };
    // A script that failed half-way still declared what it declared; finish_script reports
    // what is missing, which is noise next to the real error: skip it then.
    Status finished = Status::Ok();
    if (loaded.ok()) {
      lua_pushvalue(L, kEngineSlot);
      lua_pushvalue(L, rec);
      finished = Protected(sandbox_, finish, 2, 0);
    }
    lua_settop(L, kSlots);
    return finished;
  };
  for (const RuleSet::File& f : files) {
    if (f.path.ends_with("/settings.lua")) SMEMATCH_RETURN_IF_ERROR(load_one(f, "settings"));
  }
  for (const RuleSet::File& f : files) {
    if (f.path.ends_with(".lua") && !f.path.ends_with("/settings.lua")) {
      SMEMATCH_RETURN_IF_ERROR(load_one(f, "program"));
    }
  }
  if (!errors.empty()) {
    std::string all;
    for (const std::string& e : errors) {
      if (!all.empty()) all += '\n';
      all += e;
    }
    return InvalidArgumentError(all);
  }
  LuaFn seal = [this](lua_State* Lf) {
    lua_getfield(Lf, 1, "seal");
    lua_call(Lf, 0, 0);
    lua_getfield(Lf, 1, "settings");
    lua_getfield(Lf, -1, "sme_size_tie_break");
    size_t len = 0;
    const char* tie = lua_tolstring(Lf, -1, &len);
    tie_break_ = ParseSizeTieBreak(std::string_view(tie ? tie : "", len))
                     .value_or(SizeTieBreak::kRevenuePrevails);
    return 0;
  };
  lua_pushvalue(L, kEngineSlot);
  SMEMATCH_RETURN_IF_ERROR(Protected(sandbox_, seal, 1, 0));
  top_ = lua_gettop(L);
  return SetAsOf(Date::TodayInBangkok());
}

Result<nlohmann::json> RuleRuntime::Describe() {
  nlohmann::json out;
  Status converted;
  LuaFn describe = [&](lua_State* Lf) {
    lua_getfield(Lf, 1, "describe");
    lua_call(Lf, 0, 1);
    Result<nlohmann::json> j = LuaToJson(Lf, -1);
    if (j.ok()) out = std::move(*j);
    else converted = j.status();
    return 0;
  };
  lua_State* L = sandbox_.state();
  lua_pushvalue(L, kEngineSlot);
  SMEMATCH_RETURN_IF_ERROR(Protected(sandbox_, describe, 1, 0));
  SMEMATCH_RETURN_IF_ERROR(converted);
  return out;
}

int RuleRuntime::FillContext(lua_State* L) {
  RuleRuntime* self = Self(L);
  char as_of[16];
  std::snprintf(as_of, sizeof as_of, "%04d-%02d-%02d", self->as_of_.year, self->as_of_.month,
                self->as_of_.day);
  int fy = self->as_of_.FiscalYear();
  lua_pushstring(L, as_of);
  lua_setfield(L, lua_upvalueindex(2), "as_of");
  lua_pushinteger(L, fy);
  lua_setfield(L, lua_upvalueindex(2), "fiscal_year");
  lua_pushinteger(L, fy + 543);  // Buddhist Era, as Thai documents write it
  lua_setfield(L, lua_upvalueindex(2), "fiscal_year_be");
  return 0;
}

Status RuleRuntime::SetAsOf(const Date& as_of) {
  as_of_ = as_of;
  std::snprintf(as_of_text_, sizeof as_of_text_, "%04d-%02d-%02d", as_of.year, as_of.month, as_of.day);
  lua_State* L = sandbox_.state();
  lua_pushvalue(L, kContextSlot);
  return sandbox_.Call(0, 0);
}

// Passes every profile field to the prelude's fill() (absent ones as nil, so that reading them
// is recorded as missing), with the values derived once per applicant; then, if asked, runs
// evaluate_all().
int RuleRuntime::FillApplicant(lua_State* L) {
  const RuleRuntime* self = Self(L);
  const EnterpriseProfile& p = *self->applicant_;
  luaL_checkstack(L, 32, "fill");
  const bool evaluate = lua_toboolean(L, 1);
  lua_pushvalue(L, lua_upvalueindex(kUvFill));
  auto push_enum = [&](int upvalue, auto v) {
    if (v) lua_rawgeti(L, lua_upvalueindex(upvalue), static_cast<int>(*v) + 1);
    else lua_pushnil(L);
  };
  auto push_int = [&](auto v) {
    if (v) lua_pushinteger(L, static_cast<lua_Integer>(*v));
    else lua_pushnil(L);
  };
  auto push_number = [&](const std::optional<double>& v) {
    if (v) lua_pushnumber(L, *v);
    else lua_pushnil(L);
  };
  auto push_bool = [&](const std::optional<bool>& v) {
    if (v) lua_pushboolean(L, *v);
    else lua_pushnil(L);
  };
  push_enum(kUvLegalForms, p.legal_form);
  push_enum(kUvSectors, p.sector);
  push_enum(kUvIndustries, p.industry);
  if (p.province) lua_pushlstring(L, p.province->data(), p.province->size());
  else lua_pushnil(L);
  push_int(p.employees);
  push_number(p.annual_revenue_thb);
  push_number(p.years_operating);
  push_int(p.members);
  lua_pushinteger(L, p.otop_stars);
  push_int(p.digital_readiness);
  push_bool(p.own_farm_produce);
  push_bool(p.vat_registered);
  push_bool(p.gs1_barcode);
  push_int(p.monthly_capacity_units);
  push_int(p.shelf_life_days);
  lua_pushinteger(L, p.certifications);
  int max_need = 0, total_need = 0;
  if (p.needs) {
    lua_pushvalue(L, lua_upvalueindex(kUvNeedsView));
    for (int level : *p.needs) {
      lua_pushinteger(L, level);
      max_need = std::max(max_need, level);
      total_need += level;
    }
  } else {
    for (int i = 0; i < 1 + kDimensionCount; ++i) lua_pushnil(L);
  }
  // SME size, and the fields whose absence leaves it unknown: worked out once per applicant
  // for the conditions (ConditionApplicant::Set).
  push_enum(kUvSizeNames, self->condition_applicant_.size);
  lua_pushinteger(L, static_cast<lua_Integer>(self->condition_applicant_.size_missing));
  if (p.needs) {
    lua_pushinteger(L, max_need);
    lua_pushinteger(L, total_need);
  } else {
    lua_pushnil(L);
    lua_pushnil(L);
  }
  // Certifications held (the six known bits).
  lua_pushinteger(L, std::popcount(p.certifications & ((1u << kCertificationCount) - 1)));
  lua_call(L, 27, 0);
  if (evaluate) {
    lua_pushvalue(L, lua_upvalueindex(kUvEvaluateAll));
    lua_call(L, 0, 0);
  }
  return 0;
}

Status RuleRuntime::SetApplicant(const EnterpriseProfile& profile) {
  applicant_ = &profile;
  condition_applicant_.Set(profile, *provinces_, tie_break_);
  lua_State* L = sandbox_.state();
  sandbox_.set_fast(true);  // as ScreenSelected: redone counting every instruction if it ran long
  lua_pushvalue(L, kFillSlot);
  lua_pushboolean(L, false);
  Status s = sandbox_.Call(1, 0);
  sandbox_.set_fast(false);
  if (s.code() == StatusCode::kDeadlineExceeded) {
    lua_pushvalue(L, kFillSlot);
    lua_pushboolean(L, false);
    s = sandbox_.Call(1, 0);
  }
  return s;
}

Status RuleRuntime::Select(const std::vector<const ProgramInfo*>& programs) {
  lua_State* L = sandbox_.state();
  if (!lua_checkstack(L, static_cast<int>(programs.size()) + 2)) {
    return ResourceExhaustedError("too many programs");
  }
  lua_pushvalue(L, kSelectSlot);
  for (const ProgramInfo* p : programs) lua_pushinteger(L, p->index + 1);
  Status s = sandbox_.Call(static_cast<int>(programs.size()), 0);
  if (!s.ok()) return s;
  selected_ = programs;
  plans_.assign(programs.size(), Plan{});
  for (size_t j = 0; j < programs.size(); ++j) {
    const ProgramInfo& p = *programs[j];
    Plan& plan = plans_[j];
    plan.scores = p.has_score || !p.groups.empty();
    for (size_t k = 0; k < p.criteria.size(); ++k) {
      if (p.criteria[k].compiled) plan.conditions.emplace_back(k, p.criteria[k].compiled.get());
      else plan.lua_tests = true;
    }
  }
  return s;
}

Status RuleRuntime::ScreenSelected(const EnterpriseProfile& profile, std::vector<Decision>* out) {
  sandbox_.set_fast(true);
  Status s = ScreenSelectedOnce(profile, out);
  sandbox_.set_fast(false);
  // A call ran long enough to need exact counting: redo this applicant from the start.
  if (s.code() == StatusCode::kDeadlineExceeded) s = ScreenSelectedOnce(profile, out);
  return s;
}

Status RuleRuntime::ScreenSelectedOnce(const EnterpriseProfile& profile,
                                       std::vector<Decision>* out) {
  applicant_ = &profile;
  lua_State* L = sandbox_.state();
  const size_t n = selected_.size();
  out->resize(n);
  program_errors_.assign(n, Status::Ok());
  // Conditions first, in C++. A program whose tests are all conditions and that is not
  // eligible (or has no score or group) is decided here; the others run in Lua from the
  // conditions' results; a condition C++ leaves to Lua (kAskLua) sends its program to Lua whole.
  condition_applicant_.Set(profile, *provinces_, tie_break_);
  condition_applicant_.fiscal_year = as_of_.FiscalYear();
  condition_applicant_.as_of = as_of_text_;
  bool any_lua = false;
  for (size_t j = 0; j < n; ++j) {
    Plan& plan = plans_[j];
    uint64_t failed = 0, undecided = 0, fields = 0;
    bool ask_lua = false;
    for (const auto& [k, condition] : plan.conditions) {
      uint64_t missing = 0;
      switch (condition->Evaluate(condition_applicant_, &missing)) {
        case ConditionResult::kPass: break;
        case ConditionResult::kFail: failed |= uint64_t{1} << k; break;
        case ConditionResult::kUndecided:
          undecided |= uint64_t{1} << k;
          fields |= missing;
          break;
        case ConditionResult::kAskLua: ask_lua = true; break;
      }
    }
    plan.failed = failed;
    plan.undecided = undecided;
    plan.fields = fields;
    plan.mode = ask_lua ? kModeAllInLua
                : plan.lua_tests || (plan.scores && failed == 0 && undecided == 0) ? kModeLuaTests
                                                                                   : kModeDecided;
    any_lua = any_lua || plan.mode != kModeDecided;
  }
  Status s = Status::Ok();
  if (any_lua) {
    for (size_t j = 0; j < n; ++j) {
      const Plan& plan = plans_[j];
      const auto pos = static_cast<lua_Integer>(j + 1);
      lua_pushinteger(L, plan.mode);
      lua_rawseti(L, kFastSlot + 1, pos);
      if (plan.mode != kModeLuaTests) continue;
      lua_pushinteger(L, static_cast<lua_Integer>(plan.failed));
      lua_rawseti(L, kFastSlot + 2, pos);
      lua_pushinteger(L, static_cast<lua_Integer>(plan.undecided));
      lua_rawseti(L, kFastSlot + 3, pos);
      lua_pushinteger(L, static_cast<lua_Integer>(plan.fields));
      lua_rawseti(L, kFastSlot + 4, pos);
    }
    // One protected call fills the applicant and runs every program left to Lua. The budget
    // covers them all; a program that raises is resumed past (missing data) or recorded (rule
    // error) and the programs after it run in a fresh call.
    lua_pushvalue(L, kFillSlot);
    lua_pushboolean(L, true);
    s = sandbox_.Call(1, 0);
  }
  while (!s.ok()) {
    if (s.code() == StatusCode::kDeadlineExceeded) {
      lua_settop(L, top_);
      return s;
    }
    lua_pushvalue(L, kPositionSlot);
    Status where = sandbox_.Call(0, 1, StatusCode::kInternal, /*continue_budget=*/true);
    if (where.code() == StatusCode::kDeadlineExceeded) {
      lua_settop(L, top_);
      return where;
    }
    lua_Integer j = where.ok() ? lua_tointeger(L, -1) : 0;
    if (where.ok()) lua_pop(L, 1);
    if (j <= 0) {
      lua_settop(L, top_);
      return s;  // the applicant could not even be filled in (memory)
    }
    if (s.code() != StatusCode::kResourceExhausted) {
      lua_pushvalue(L, kResumeSlot);
      // Resuming goes on with the same decision: its budget carries on too.
      Status resumed = sandbox_.Call(0, 1, StatusCode::kInternal, /*continue_budget=*/true);
      if (resumed.code() == StatusCode::kDeadlineExceeded) {
        lua_settop(L, top_);
        return resumed;
      }
      if (!resumed.ok()) {
        s = std::move(resumed);
        continue;
      }
      j = lua_tointeger(L, -1);
      lua_pop(L, 1);
      if (j == 0) break;  // resumed past missing data to the end
    }
    if (j > static_cast<lua_Integer>(n)) break;
    program_errors_[static_cast<size_t>(j - 1)] = s;
    lua_pushvalue(L, kSkipSlot);
    lua_pushinteger(L, j);
    s = sandbox_.Call(1, 0);
  }
  for (size_t j = 0; j < n; ++j) {
    Decision& d = (*out)[j];
    const ProgramInfo& program = *selected_[j];
    d.program = &program;
    d.criteria.clear();
    d.benefit.reset();
    d.score.reset();
    d.group = {};
    if (!program_errors_[j].ok()) {
      d.outcome = Outcome::kError;
      d.error = program_errors_[j];
      d.failed = d.undecided = d.missing_fields = 0;
      continue;
    }
    d.error = Status::Ok();
    if (plans_[j].mode == kModeDecided) {
      d.failed = plans_[j].failed;
      d.undecided = plans_[j].undecided;
      d.missing_fields = plans_[j].fields;
      d.outcome = d.failed != 0      ? Outcome::kIneligible
                  : d.undecided != 0 ? Outcome::kNeedsInformation
                                     : Outcome::kEligible;
      continue;
    }
    const auto pos = static_cast<lua_Integer>(j + 1);
    for (int r = 1; r <= 5; ++r) lua_rawgeti(L, kResultsSlot + r, pos);
    d.failed = static_cast<uint64_t>(lua_tointeger(L, -5));
    d.undecided = static_cast<uint64_t>(lua_tointeger(L, -4));
    d.missing_fields = static_cast<uint64_t>(lua_tointeger(L, -3));
    if (lua_type(L, -2) == LUA_TNUMBER) d.score = lua_tonumber(L, -2);
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t len;
      const char* g = lua_tolstring(L, -1, &len);
      for (const GroupInfo& gi : program.groups) {
        if (gi.id == std::string_view(g, len)) d.group = gi.id;
      }
    }
    lua_pop(L, 5);
    d.outcome = d.failed != 0      ? Outcome::kIneligible
                : d.undecided != 0 ? Outcome::kNeedsInformation
                                   : Outcome::kEligible;
  }
  lua_settop(L, top_);
  return Status::Ok();
}

void RuleRuntime::Explain(const ProgramInfo& program, Decision* out) {
  lua_State* L = sandbox_.state();
  out->program = &program;
  out->benefit.reset();
  out->score.reset();
  out->group = {};
  out->error = Status::Ok();
  const lua_Integer index = program.index + 1;
  Status s;
  Status read;
  LuaFn run = [&](lua_State* Lf) {  // 1: engine.explain, 2: engine
    lua_pushvalue(Lf, 1);
    lua_pushinteger(Lf, index);
    lua_call(Lf, 1, 7);
    read = ReadExplanation(program, 2, out);
    return 0;
  };
  sandbox_.set_fast(true);
  lua_pushvalue(L, kExplainSlot);
  lua_pushvalue(L, kEngineSlot);
  s = Protected(sandbox_, run, 2, 0);
  sandbox_.set_fast(false);
  if (s.code() == StatusCode::kDeadlineExceeded) {  // ran long: redo counting every instruction
    lua_settop(L, top_);
    out->benefit.reset();
    out->score.reset();
    out->group = {};
    lua_pushvalue(L, kExplainSlot);
    lua_pushvalue(L, kEngineSlot);
    s = Protected(sandbox_, run, 2, 0);
  }
  if (s.ok()) s = read;
  lua_settop(L, top_);
  if (!s.ok()) {
    out->outcome = Outcome::kError;
    out->error = s;
    out->failed = out->undecided = out->missing_fields = 0;
    out->criteria.clear();
    out->benefit.reset();
    out->score.reset();
    out->group = {};
    return;
  }
  out->outcome = out->failed != 0      ? Outcome::kIneligible
                 : out->undecided != 0 ? Outcome::kNeedsInformation
                                       : Outcome::kEligible;
}

// Runs inside a protected call, with engine.explain's 7 results on top of the stack and the
// engine table at `engine` (the protected call's own frame cannot reach the fixed slots). Renders
// every reason into `out` (reusing its strings' storage). Keeps no C++ object alive across a
// Lua call that may raise (rendering may run a script's metamethods), and reports a benefit
// without a JSON form as an error.
Status RuleRuntime::ReadExplanation(const ProgramInfo& program, int engine, Decision* out) {
  lua_State* L = sandbox_.state();
  const int r = lua_gettop(L) - 6;  // failed, undecided, fields, score, group, benefit?, values
  out->failed = static_cast<uint64_t>(lua_tointeger(L, r));
  out->undecided = static_cast<uint64_t>(lua_tointeger(L, r + 1));
  out->missing_fields = static_cast<uint64_t>(lua_tointeger(L, r + 2));
  if (lua_type(L, r + 3) == LUA_TNUMBER) out->score = lua_tonumber(L, r + 3);
  if (lua_type(L, r + 4) == LUA_TSTRING) {
    size_t len = 0;
    const char* g = lua_tolstring(L, r + 4, &len);
    for (const GroupInfo& gi : program.groups) {
      if (gi.id == std::string_view(g, len)) out->group = gi.id;
    }
  }
  ReasonRenderer& reasons = *reasons_;
  lua_getfield(L, engine, "reason_sources");
  reasons.PushSources(L, -1);
  ReasonRenderer::Program& compiled = reasons.program(static_cast<size_t>(program.index));
  if (!compiled.compiled) {
    lua_getfield(L, engine, "reason_templates");
    lua_pushinteger(L, program.index + 1);
    lua_call(L, 1, 1);
    reasons.Compile(L, -1, &compiled);
    lua_pop(L, 1);
  }
  const size_t n = program.criteria.size();
  if (compiled.templates.size() != 4 * n + (program.benefit ? 2 : 0)) {
    return InternalError(program.script + ": reason templates do not match the criteria");
  }
  lua_getfield(L, engine, "explained");
  const int explained = lua_gettop(L);
  out->criteria.resize(n);
  for (size_t k = 0; k < n; ++k) {
    CriterionResult& c = out->criteria[k];
    const auto at = static_cast<lua_Integer>(3 * k);
    lua_rawgeti(L, explained, at + 1);
    lua_rawgeti(L, explained, at + 2);
    lua_rawgeti(L, explained, at + 3);
    c.outcome = static_cast<CriterionOutcome>(lua_tointeger(L, -3));
    c.missing_fields = static_cast<uint64_t>(lua_tointeger(L, -2));
    c.reason.th.clear();
    c.reason.en.clear();
    if (c.outcome == CriterionOutcome::kNeedsInformation) {
      ReasonRenderer::AppendMissing(c.missing_fields, ReasonRenderer::kTh, &c.reason.th);
      ReasonRenderer::AppendMissing(c.missing_fields, ReasonRenderer::kEn, &c.reason.en);
    } else {
      const bool pass = c.outcome == CriterionOutcome::kPass;
      for (int lang : {ReasonRenderer::kTh, ReasonRenderer::kEn}) {
        reasons.Render(L, pass ? compiled.Pass(k, lang) : compiled.Fail(k, lang), lang, -1,
                       lang == ReasonRenderer::kTh ? &c.reason.th : &c.reason.en);
      }
    }
    lua_pop(L, 3);
  }
  if (lua_toboolean(L, r + 5)) {
    const int values = r + 6;
    out->benefit.emplace();
    Benefit& b = *out->benefit;
    reasons.Render(L, compiled.Benefit(n, ReasonRenderer::kTh), ReasonRenderer::kTh, values,
                   &b.text.th);
    reasons.Render(L, compiled.Benefit(n, ReasonRenderer::kEn), ReasonRenderer::kEn, values,
                   &b.text.en);
    if (lua_isnil(L, values)) {
      b.values = nlohmann::json::object();
    } else {
      Result<nlohmann::json> json = LuaToJson(L, values);
      if (!json.ok()) {
        return InternalError(program.script + ": benefit values: " + json.status().message());
      }
      b.values = std::move(*json);
    }
  }
  return Status::Ok();
}

}  // namespace smematch
