#include "lua/match_runtime.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "lua/lua_json.h"

namespace smematch {

extern const unsigned char kMatchPreludeLua[];
extern const size_t kMatchPreludeLuaSize;

namespace {

// Fixed slots of the main Lua stack after Load.
enum Slot {
  kEngine = 1, kCand, kOut, kFailed, kParts, kE, kCerts, kNeeds, kNeedsView, kScoreAll, kExplain,
  kSlots = kExplain,
};

constexpr const char* kEnterpriseFields[] = {
    "id", "name", "identifier", "legal_form", "sector", "industry", "province", "region",
    "employees", "annual_revenue_thb", "years_operating", "members", "certifications",
    "otop_stars", "digital_readiness", "needs", "own_farm_produce", "vat_registered",
    "gs1_barcode", "monthly_capacity_units", "shelf_life_days",
};
constexpr const char* kMentorFields[] = {
    "id", "name", "expertise", "industries", "all_industries", "home_province", "home_region",
    "serves", "languages", "capacity", "active",
};
constexpr const char* kChannelFields[] = {
    "id", "chain", "program", "industries", "all_industries", "requires",
    "min_monthly_capacity_units", "min_shelf_life_days", "serves", "slots", "active",
};
constexpr const char* kMentorPrune[] = {"mentor_active", "mentor_capacity", "province_served",
                                        "industry_covered"};
constexpr const char* kChannelPrune[] = {"channel_active", "industry_accepted", "region_served"};

void PushList(lua_State* L, std::span<const char* const> items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushstring(L, items[i]);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
}

void SetString(lua_State* L, const char* key, std::string_view v) {
  lua_pushlstring(L, v.data(), v.size());
  lua_setfield(L, -2, key);
}

// Pushes {id = true, ...} for the set bits of an industry mask.
void PushIndustrySet(lua_State* L, uint32_t bits) {
  lua_createtable(L, 0, 4);
  for (int i = 0; i < kIndustryCount; ++i) {
    if (bits & (1u << i)) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, IndustryLabels()[i].id.data());  // ids are string literals
    }
  }
}

void PushProvinceSet(lua_State* L, const ProvinceSet& set, const ProvinceTable& provinces) {
  lua_createtable(L, 0, set.Count());
  const std::vector<Province>& all = provinces.all();
  for (size_t i = 0; i < all.size(); ++i) {
    if (!set.Has(static_cast<int>(i))) continue;
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, all[i].iso_code.c_str());
  }
}

std::string ReadString(lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return s ? std::string(s, len) : std::string();
}

}  // namespace

MatchRuntime::MatchRuntime(const RuleLimits& limits) : sandbox_(limits) {}

Status MatchRuntime::Load(MatchKind kind, const RuleSet::File& script,
                          const ProvinceTable& provinces) {
  lua_State* L = sandbox_.state();
  lua_settop(L, 0);
  provinces_ = &provinces;
  const bool mentor = kind == MatchKind::kMentor;
  LuaFn setup = [&](lua_State* Lf) {
    if (luaL_loadbufferx(Lf, reinterpret_cast<const char*>(kMatchPreludeLua),
                         kMatchPreludeLuaSize, "@engine/match_prelude.lua", "t") != LUA_OK) {
      lua_error(Lf);
    }
    // native
    lua_createtable(Lf, 0, 8);
    const luaL_Reg natives[] = {
        {"script_line", LuaSandbox::NativeScriptLine},
        {"charge", LuaSandbox::NativeCharge},
        {"begin_decision", LuaSandbox::NativeBeginDecision},
    };
    for (const luaL_Reg& r : natives) {
      lua_pushcfunction(Lf, r.func);
      lua_setfield(Lf, -2, r.name);
    }
    PushIds(Lf, IndustryLabels());
    lua_setfield(Lf, -2, "industries");
    PushIds(Lf, CertificationLabels());
    lua_setfield(Lf, -2, "certifications");
    PushIds(Lf, DimensionLabels());
    lua_setfield(Lf, -2, "dimensions");
    PushIds(Lf, CertificationLabels());
    lua_pushstring(Lf, "gs1_barcode");
    lua_rawseti(Lf, -2, kCertificationCount + 1);
    lua_pushstring(Lf, "vat_registered");
    lua_rawseti(Lf, -2, kCertificationCount + 2);
    lua_setfield(Lf, -2, "requirements");
    // PRUNE_IDS (a set)
    lua_createtable(Lf, 0, 4);
    if (mentor) {
      for (const char* id : kMentorPrune) {
        lua_pushboolean(Lf, 1);
        lua_setfield(Lf, -2, id);
      }
    } else {
      for (const char* id : kChannelPrune) {
        lua_pushboolean(Lf, 1);
        lua_setfield(Lf, -2, id);
      }
    }
    // PROVINCES
    lua_createtable(Lf, static_cast<int>(provinces.all().size()), 0);
    lua_Integer i = 0;
    for (const Province& p : provinces.all()) {
      lua_createtable(Lf, 0, 5);
      SetString(Lf, "iso_code", p.iso_code);
      SetString(Lf, "name_th", p.name_th);
      SetString(Lf, "name_en", p.name_en);
      SetString(Lf, "region", p.region);
      lua_pushboolean(Lf, p.upper_north);
      lua_setfield(Lf, -2, "upper_north");
      lua_rawseti(Lf, -2, ++i);
    }
    PushList(Lf, kEnterpriseFields);
    if (mentor) PushList(Lf, kMentorFields);
    else PushList(Lf, kChannelFields);
    lua_pushstring(Lf, mentor ? "mentor" : "channel");
    LuaSandbox::PushChargedLibrary(Lf);  // install_charged_library
    lua_call(Lf, 7, 1);  // engine
    return 1;
  };
  Status s = Protected(sandbox_, setup, 0, 1);
  if (!s.ok()) return InternalError("matching prelude failed: " + s.message());

  std::vector<std::string> errors;
  LuaFn create = [&](lua_State* Lf) {
    lua_getfield(Lf, 1, "new_env");
    lua_pushlstring(Lf, script.path.data(), script.path.size());
    lua_call(Lf, 1, 1);
    return 1;
  };
  lua_pushvalue(L, kEngine);
  SMEMATCH_RETURN_IF_ERROR(Protected(sandbox_, create, 1, 1));
  const int env = lua_gettop(L);
  Status loaded = sandbox_.Load(script.text, script.path);
  if (loaded.ok()) {
    lua_pushvalue(L, env);
    lua_setupvalue(L, -2, 1);  // the chunk's _ENV
    loaded = sandbox_.Call(0, 0, StatusCode::kInvalidArgument);
  }
  if (loaded.code() == StatusCode::kResourceExhausted) {
    lua_settop(L, kEngine);
    return loaded.WithPrefix(script.path + ": while loading");
  }
  if (!loaded.ok()) errors.push_back(loaded.message());
  lua_settop(L, kEngine);
  if (loaded.ok()) {
    LuaFn finish = [&](lua_State* Lf) {
      lua_getfield(Lf, 1, "finish");
      lua_call(Lf, 0, 1);
      lua_Integer n = luaL_len(Lf, -1);
      for (lua_Integer k = 1; k <= n; ++k) {
        lua_rawgeti(Lf, -1, k);
        errors.push_back(ReadString(Lf, -1));
        lua_pop(Lf, 1);
      }
      return 0;
    };
    lua_pushvalue(L, kEngine);
    SMEMATCH_RETURN_IF_ERROR(Protected(sandbox_, finish, 1, 0));
  }
  if (!errors.empty()) {
    std::string all;
    for (const std::string& e : errors) all += (all.empty() ? "" : "\n") + e;
    return InvalidArgumentError(all);
  }
  LuaFn seal = [&](lua_State* Lf) {
    lua_getfield(Lf, 1, "seal");
    lua_call(Lf, 0, 0);
    const char* names[] = {"CAND", "OUT", "FAILED", "PARTS", "E", "CERTS", "NEEDS", "needs_view",
                           "score_all", "explain"};
    for (const char* n : names) lua_getfield(Lf, 1, n);
    // E.certifications is always the certifications view.
    lua_getfield(Lf, 1, "certs_view");
    lua_setfield(Lf, 1 + kE - kEngine, "certifications");
    return kSlots - kEngine;
  };
  lua_pushvalue(L, kEngine);
  SMEMATCH_RETURN_IF_ERROR(Protected(sandbox_, seal, 1, kSlots - kEngine));
  // Count the parts for Explain.
  lua_getfield(L, kEngine, "describe");
  Status described = sandbox_.Call(0, 1);
  if (!described.ok()) return described;
  lua_getfield(L, -1, "parts");
  parts_ = static_cast<int>(lua_rawlen(L, -1));
  lua_settop(L, kSlots);
  return Status::Ok();
}

Result<nlohmann::json> MatchRuntime::Describe() {
  lua_State* L = sandbox_.state();
  lua_getfield(L, kEngine, "describe");
  SMEMATCH_RETURN_IF_ERROR(sandbox_.Call(0, 1));
  Result<nlohmann::json> j = LuaToJson(L, -1);
  lua_settop(L, kSlots);
  return j;
}

Status MatchRuntime::SetMentors(std::span<const Mentor> mentors, const ProvinceTable& provinces) {
  lua_State* L = sandbox_.state();
  // One protected call per partner: each gets the instruction budget of one decision.
  const Mentor* current = nullptr;
  LuaFn fill = [&](lua_State* Lf) {
    {
      const Mentor& m = *current;
      lua_getfield(Lf, 1, "add_partner");
      lua_createtable(Lf, 0, 11);
      SetString(Lf, "id", m.id);
      SetString(Lf, "name", m.name);
      lua_createtable(Lf, 0, kDimensionCount);
      for (int d = 0; d < kDimensionCount; ++d) {
        lua_pushinteger(Lf, m.expertise[d]);
        lua_setfield(Lf, -2, DimensionLabels()[d].id.data());  // ids are string literals
      }
      lua_setfield(Lf, -2, "expertise");
      PushIndustrySet(Lf, m.industries);
      lua_setfield(Lf, -2, "industries");
      lua_pushboolean(Lf, m.all_industries);
      lua_setfield(Lf, -2, "all_industries");
      SetString(Lf, "home_province", m.home_province);
      const Province* home = provinces.Find(m.home_province);
      SetString(Lf, "home_region", home ? std::string_view(home->region) : std::string_view());
      PushProvinceSet(Lf, m.served, provinces);
      lua_setfield(Lf, -2, "serves");
      lua_createtable(Lf, 0, static_cast<int>(m.languages.size()));
      for (const std::string& lang : m.languages) {
        lua_pushboolean(Lf, 1);
        lua_setfield(Lf, -2, lang.c_str());
      }
      lua_setfield(Lf, -2, "languages");
      lua_pushinteger(Lf, m.capacity);
      lua_setfield(Lf, -2, "capacity");
      lua_pushboolean(Lf, m.active);
      lua_setfield(Lf, -2, "active");
      lua_call(Lf, 1, 0);
    }
    return 0;
  };
  for (const Mentor& item : mentors) {
    current = &item;
    lua_pushvalue(L, kEngine);
    SMEMATCH_RETURN_IF_ERROR(Protected(sandbox_, fill, 1, 0));
  }
  return Status::Ok();
}

Status MatchRuntime::SetChannels(std::span<const Channel> channels, const ProvinceTable& provinces) {
  lua_State* L = sandbox_.state();
  // One protected call per partner: each gets the instruction budget of one decision.
  const Channel* current = nullptr;
  LuaFn fill = [&](lua_State* Lf) {
    {
      const Channel& c = *current;
      lua_getfield(Lf, 1, "add_partner");
      lua_createtable(Lf, 0, 11);
      SetString(Lf, "id", c.id);
      SetString(Lf, "chain", c.chain);
      SetString(Lf, "program", c.program);
      PushIndustrySet(Lf, c.industries);
      lua_setfield(Lf, -2, "industries");
      lua_pushboolean(Lf, c.all_industries);
      lua_setfield(Lf, -2, "all_industries");
      lua_createtable(Lf, 0, 8);
      for (std::string_view id : RequirementIds(c.requires_mask)) {
        lua_pushboolean(Lf, 1);
        lua_setfield(Lf, -2, id.data());  // ids are string literals
      }
      lua_setfield(Lf, -2, "requires");
      if (c.min_monthly_capacity_units) {
        lua_pushinteger(Lf, *c.min_monthly_capacity_units);
        lua_setfield(Lf, -2, "min_monthly_capacity_units");
      }
      if (c.min_shelf_life_days) {
        lua_pushinteger(Lf, *c.min_shelf_life_days);
        lua_setfield(Lf, -2, "min_shelf_life_days");
      }
      PushProvinceSet(Lf, c.served, provinces);
      lua_setfield(Lf, -2, "serves");
      if (c.slots) {
        lua_pushinteger(Lf, *c.slots);
        lua_setfield(Lf, -2, "slots");
      }
      lua_pushboolean(Lf, c.active);
      lua_setfield(Lf, -2, "active");
      lua_call(Lf, 1, 0);
    }
    return 0;
  };
  for (const Channel& item : channels) {
    current = &item;
    lua_pushvalue(L, kEngine);
    SMEMATCH_RETURN_IF_ERROR(Protected(sandbox_, fill, 1, 0));
  }
  return Status::Ok();
}

// FillEnterprise(self, E, CERTS, NEEDS, needs_view): writes the current enterprise. Plain
// values only (it may raise a memory error).
int MatchRuntime::FillEnterprise(lua_State* L) {
  auto* self = static_cast<MatchRuntime*>(lua_touserdata(L, 1));
  const EnterpriseProfile& p = *self->enterprise_;
  auto str = [L](const char* key, const std::string* v) {
    if (v) lua_pushlstring(L, v->data(), v->size());
    else lua_pushnil(L);
    lua_setfield(L, 2, key);
  };
  auto label = [L](const char* key, std::span<const EnumLabel> labels, int index) {
    if (index >= 0) lua_pushlstring(L, labels[index].id.data(), labels[index].id.size());
    else lua_pushnil(L);
    lua_setfield(L, 2, key);
  };
  auto integer = [L](const char* key, bool has, int64_t v) {
    if (has) lua_pushinteger(L, v);
    else lua_pushnil(L);
    lua_setfield(L, 2, key);
  };
  auto number = [L](const char* key, bool has, double v) {
    if (has) lua_pushnumber(L, v);
    else lua_pushnil(L);
    lua_setfield(L, 2, key);
  };
  auto boolean = [L](const char* key, const std::optional<bool>& v) {
    if (v) lua_pushboolean(L, *v);
    else lua_pushnil(L);
    lua_setfield(L, 2, key);
  };
  str("id", &p.id);
  str("name", &p.name);
  str("identifier", p.identifier ? &*p.identifier : nullptr);
  label("legal_form", LegalFormLabels(), p.legal_form ? static_cast<int>(*p.legal_form) : -1);
  label("sector", SectorLabels(), p.sector ? static_cast<int>(*p.sector) : -1);
  label("industry", IndustryLabels(), p.industry ? static_cast<int>(*p.industry) : -1);
  str("province", p.province ? &*p.province : nullptr);
  const Province* prov = p.province ? self->provinces_->Find(*p.province) : nullptr;
  str("region", prov ? &prov->region : nullptr);
  integer("employees", p.employees.has_value(), p.employees.value_or(0));
  number("annual_revenue_thb", p.annual_revenue_thb.has_value(), p.annual_revenue_thb.value_or(0));
  number("years_operating", p.years_operating.has_value(), p.years_operating.value_or(0));
  integer("members", p.members.has_value(), p.members.value_or(0));
  integer("otop_stars", true, p.otop_stars);
  integer("digital_readiness", p.digital_readiness.has_value(), p.digital_readiness.value_or(0));
  boolean("own_farm_produce", p.own_farm_produce);
  boolean("vat_registered", p.vat_registered);
  boolean("gs1_barcode", p.gs1_barcode);
  integer("monthly_capacity_units", p.monthly_capacity_units.has_value(),
          p.monthly_capacity_units.value_or(0));
  integer("shelf_life_days", p.shelf_life_days.has_value(), p.shelf_life_days.value_or(0));
  for (int i = 0; i < kCertificationCount; ++i) {
    lua_pushboolean(L, p.has(static_cast<Certification>(i)));
    lua_setfield(L, 3, CertificationLabels()[i].id.data());
  }
  if (p.needs) {
    for (int d = 0; d < kDimensionCount; ++d) {
      lua_pushinteger(L, (*p.needs)[d]);
      lua_setfield(L, 4, DimensionLabels()[d].id.data());
    }
    lua_pushvalue(L, 5);
  } else {
    lua_pushnil(L);
  }
  lua_setfield(L, 2, "needs");
  return 0;
}

Status MatchRuntime::SetEnterprise(const EnterpriseProfile& profile, const ProvinceTable& provinces) {
  enterprise_ = &profile;
  provinces_ = &provinces;
  lua_State* L = sandbox_.state();
  lua_pushcfunction(L, FillEnterprise);
  lua_pushlightuserdata(L, this);
  lua_pushvalue(L, kE);
  lua_pushvalue(L, kCerts);
  lua_pushvalue(L, kNeeds);
  lua_pushvalue(L, kNeedsView);
  return sandbox_.Call(5, 0);
}

// Runs score_all(first, last) (1-based, inclusive): fast mode first, redone counting every
// instruction when a timer tick landed in it.
Status MatchRuntime::ScoreRange(int first, int last) {
  lua_State* L = sandbox_.state();
  for (int attempt = 0; attempt < 2; ++attempt) {
    sandbox_.set_fast(attempt == 0);
    lua_pushvalue(L, kScoreAll);
    lua_pushinteger(L, first);
    lua_pushinteger(L, last);
    Status s = sandbox_.Call(2, 0);
    if (s.code() != StatusCode::kDeadlineExceeded) {
      sandbox_.set_fast(false);
      return s;
    }
  }
  sandbox_.set_fast(false);
  return InternalError("matching: deterministic replay was interrupted");
}

Status MatchRuntime::ScoreAll(std::span<const int> candidates, std::vector<int64_t>* out,
                              std::vector<std::pair<int, Status>>* errors) {
  lua_State* L = sandbox_.state();
  const int n = static_cast<int>(candidates.size());
  out->assign(n, 0);
  if (n == 0) return Status::Ok();
  for (int k = 0; k < n; ++k) {
    lua_pushinteger(L, candidates[k] + 1);
    lua_rawseti(L, kCand, k + 1);
  }
  auto read = [&](int k) {
    lua_rawgeti(L, kOut, k + 1);
    (*out)[k] = lua_tointeger(L, -1);
    lua_pop(L, 1);
  };
  // Short calls: a fast-mode call that a timer tick lands in is redone deterministically, and
  // the chance of a tick grows with the call's length (kTickMicros); 8 pairs take a few µs.
  constexpr int kPairsPerCall = 8;
  Status s = Status::Ok();
  for (int first = 0; first < n && s.ok(); first += kPairsPerCall) {
    s = ScoreRange(first + 1, std::min(n, first + kPairsPerCall));
  }
  if (s.ok()) {
    for (int k = 0; k < n; ++k) read(k);
    return Status::Ok();
  }
  // Some pair raised: score one by one to find which, and keep the others.
  for (int k = 0; k < n; ++k) {
    Status one = ScoreRange(k + 1, k + 1);
    if (one.ok()) {
      read(k);
    } else {
      (*out)[k] = kPairError;
      errors->push_back({k, one});
    }
  }
  return Status::Ok();
}

Status MatchRuntime::Explain(int partner, std::vector<int>* failed, std::vector<int64_t>* parts) {
  lua_State* L = sandbox_.state();
  failed->clear();
  parts->clear();
  lua_pushvalue(L, kExplain);
  lua_pushinteger(L, partner + 1);
  Status s = sandbox_.Call(1, 2);
  if (!s.ok()) return s;
  const int nf = static_cast<int>(lua_tointeger(L, -2));
  const bool scored = lua_toboolean(L, -1);
  lua_pop(L, 2);
  for (int k = 1; k <= nf; ++k) {
    lua_rawgeti(L, kFailed, k);
    failed->push_back(static_cast<int>(lua_tointeger(L, -1)) - 1);
    lua_pop(L, 1);
  }
  if (scored) {
    for (int k = 1; k <= parts_; ++k) {
      lua_rawgeti(L, kParts, k);
      parts->push_back(lua_tointeger(L, -1));
      lua_pop(L, 1);
    }
  }
  return Status::Ok();
}

}  // namespace smematch
