-- Matching prelude: trusted code run once per Lua state before ONE matching script
-- (rules/matching/mentor_fit.lua or channel_readiness.lua). It builds the sandbox environment
-- the script runs in, with the declarations policy staff write (matching, parameter,
-- constraint / requirement, part), read-only views of the enterprise `e` and of the partner
-- `m` (a mentor or a channel), and the evaluators the C++ side calls (engine/src/lua/
-- match_runtime.cc). The script never sees this chunk's locals.
local native, PRUNE_IDS, PROVINCES, ENTERPRISE_FIELDS, PARTNER_FIELDS, PARTNER_WORD,
  install_charged_library = ...

local error, type, pairs, ipairs, next, select, tostring = error, type, pairs, ipairs, next,
  select, tostring
local pcall, setmetatable, rawequal = pcall, setmetatable, rawequal
local s_format, t_concat, t_sort, m_type = string.format, table.concat, table.sort, math.type
local begin_decision = native.begin_decision

-- C library work is charged to the instruction budget exactly as for the program rules
-- (engine/src/lua/charged_lib.lua, shared with the screening prelude).
local CHARGED_TABLE = install_charged_library(native.charge)

local function copy(lib, drop)
  local t = {}
  for k, v in pairs(lib) do
    if not (drop and drop[k]) then t[k] = v end
  end
  return t
end
local function set_of(list)
  local s = {}
  for _, k in ipairs(list) do s[k] = true end
  return s
end
local function key_list(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  t_sort(keys)
  return t_concat(keys, ", ")
end

---------------------------------------------------------------------------------------------
-- Read-only views. `missing(k)` answers a key the hidden table lacks (nil, false or an error).

local function readonly(what)
  return function(_, k) error(what .. " is read-only (cannot set '" .. tostring(k) .. "')", 2) end
end
local function view(hidden, what, missing)
  if missing then setmetatable(hidden, { __index = function(_, k) return missing(k) end }) end
  return setmetatable({}, {
    __index = hidden, __newindex = readonly(what), __metatable = false,
    __pairs = function()
      local k
      return function()
        local v
        k, v = next(hidden, k)
        return k, v
      end
    end,
  })
end
local function strict(known, what)
  return function(k)
    if known[k] then return nil end
    error("unknown " .. what .. " '" .. tostring(k) .. "'; known: " .. key_list(known), 3)
  end
end
local function strict_set(known, what)
  return function(k)
    if known[k] then return false end
    error("unknown " .. what .. " '" .. tostring(k) .. "'; known: " .. key_list(known), 3)
  end
end
local function open_set() return false end

local engine = {}
local KNOWN = {
  enterprise = set_of(ENTERPRISE_FIELDS), partner = set_of(PARTNER_FIELDS),
  industry = set_of(native.industries), certification = set_of(native.certifications),
  dimension = set_of(native.dimensions), requirement = set_of(native.requirements),
}

-- The current enterprise: C++ writes its fields into E (nil for absent), CERTS and NEEDS.
local E, CERTS, NEEDS = {}, {}, {}
local e_view = view(E, "the enterprise", strict(KNOWN.enterprise, "enterprise field"))
local certs_view = view(CERTS, "certifications", strict_set(KNOWN.certification, "certification"))
local needs_view = view(NEEDS, "needs", strict(KNOWN.dimension, "dimension"))
engine.E, engine.CERTS, engine.NEEDS = E, CERTS, NEEDS
engine.certs_view, engine.needs_view = certs_view, needs_view

-- Partners (mentors or channels), 1-based, as C++ hands them in.
local PARTNERS = {}
function engine.add_partner(t)
  local sets = {
    industries = strict_set(KNOWN.industry, "industry"),
    requires = strict_set(KNOWN.requirement, "requirement"),
    serves = open_set, languages = open_set,
  }
  for k, missing in pairs(sets) do
    if t[k] then t[k] = view(t[k], PARTNER_WORD .. "." .. k, missing) end
  end
  if t.expertise then t.expertise = view(t.expertise, "expertise", strict(KNOWN.dimension, "dimension")) end
  PARTNERS[#PARTNERS + 1] = view(t, "the " .. PARTNER_WORD, strict(KNOWN.partner, PARTNER_WORD .. " field"))
end

-- Province facts for helpers.
local PROVINCE_VIEWS = {}
for _, p in ipairs(PROVINCES) do PROVINCE_VIEWS[p.iso_code] = view(p, "a province") end
local function province(code)
  return PROVINCE_VIEWS[code]
end
local function region_of(code)
  local p = PROVINCE_VIEWS[code]
  return p and p.region or nil
end

---------------------------------------------------------------------------------------------
-- Declarations

local SCRIPT = {
  path = nil, info = nil, params = {}, param_list = {}, constraints = {}, parts = {},
  errors = {}, ids = {},
}
local MAX_PART = 1000000   -- one part's score: keeps flow costs exact (assignment.h)

local INFO_KEYS = set_of({ "id", "version", "th", "en", "source", "prune" })
local PARAMETER_KEYS = set_of({ "value", "unit", "th", "en", "source", "assumed" })
local ITEM_KEYS = set_of({ "th", "en", "test", "score", "source", "assumed" })

local function is_text(t)
  return type(t) == "string" and t ~= ""
end

function engine.new_env(path)
  SCRIPT.path = path
  local function line()
    return native.script_line("@" .. path)
  end
  local function fail(msg, at)
    SCRIPT.errors[#SCRIPT.errors + 1] = s_format("%s:%d: %s", path, at or line(), msg)
  end
  local function unknown_keys(t, allowed, where)
    local bad = {}
    for k in pairs(t) do
      if not allowed[k] then bad[#bad + 1] = tostring(k) end
    end
    if #bad > 0 then
      t_sort(bad)
      fail(where .. ": unknown key(s) " .. t_concat(bad, ", ") .. "; allowed: " .. key_list(allowed))
    end
  end

  local env = {}
  for _, name in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "select",
    "tonumber", "tostring", "type", "xpcall", "rawequal", "rawlen", "getmetatable" }) do
    env[name] = _G[name]
  end
  env._VERSION = _VERSION
  env.setmetatable = function(t, mt)
    if rawequal(t, env) then error("matching scripts cannot set a metatable on their environment", 2) end
    if type(mt) == "table" and mt.__gc ~= nil then
      error("finalizers (__gc) are not allowed in rule scripts", 2)
    end
    return setmetatable(t, mt)
  end
  env.string = copy(string)
  env.table = CHARGED_TABLE
  env.utf8 = copy(utf8)
  env.math = copy(math, { random = true, randomseed = true })
  env.province = province
  env.region_of = region_of
  env.DIMENSIONS = view(copy(native.dimensions), "DIMENSIONS")

  env.matching = function(t)
    local at = line()
    if type(t) ~= "table" then return fail("matching: expected a table { id = ..., version = ... }", at) end
    if SCRIPT.info then return fail("matching: declared twice", at) end
    unknown_keys(t, INFO_KEYS, "matching")
    if not is_text(t.id) then fail("matching: id must be a non-empty string", at) end
    if not is_text(t.version) then fail("matching: version must be a non-empty string", at) end
    if not is_text(t.th) or not is_text(t.en) then fail("matching: needs th and en descriptions", at) end
    local prune = {}
    if t.prune ~= nil then
      if type(t.prune) ~= "table" then
        fail("matching: prune must be a list of constraint ids", at)
      else
        for i, id in ipairs(t.prune) do
          if not PRUNE_IDS[id] then
            fail(s_format("matching: prune[%d] %q is not a constraint the engine can index; known: %s",
              i, tostring(id), key_list(PRUNE_IDS)), at)
          else
            prune[#prune + 1] = id
          end
        end
      end
    end
    SCRIPT.info = { id = t.id, version = t.version, th = t.th, en = t.en,
      source = type(t.source) == "string" and t.source or "", prune = prune, line = at }
  end

  env.parameter = function(name)
    local at = line()
    return function(t)
      if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
        return fail("parameter: expected a name such as \"need_weight\"", at)
      end
      if type(t) ~= "table" then return fail("parameter \"" .. name .. "\": expected a table", at) end
      unknown_keys(t, PARAMETER_KEYS, "parameter \"" .. name .. "\"")
      if SCRIPT.params[name] ~= nil then return fail("parameter \"" .. name .. "\" declared twice", at) end
      local v, kind = t.value, type(t.value)
      if kind == "number" then
        kind = m_type(v) == "integer" and "integer" or "number"
      elseif kind == "table" then
        for i, item in ipairs(v) do
          if type(item) ~= "string" then fail("parameter \"" .. name .. "\": list items must be strings", at) end
        end
        kind = "list"
        local list, set = v, {}
        for _, item in ipairs(list) do set[item] = true end
        v = view(copy(list), "a list parameter")
      elseif kind ~= "string" and kind ~= "boolean" then
        return fail("parameter \"" .. name .. "\": value must be a number, string, boolean or list", at)
      end
      SCRIPT.params[name] = v
      SCRIPT.param_list[#SCRIPT.param_list + 1] = {
        name = name, value = t.value, type = kind, unit = t.unit or "", th = t.th or "",
        en = t.en or "", source = t.source or "", assumed = t.assumed == true, line = at,
      }
    end
  end

  local function item(list, word)
    return function(id)
      local at = line()
      return function(t)
        if type(id) ~= "string" or not id:match("^[%a_][%w_]*$") then
          return fail(word .. ": expected an id such as \"language\"", at)
        end
        local where = word .. " \"" .. id .. "\""
        if type(t) ~= "table" then return fail(where .. ": expected a table", at) end
        unknown_keys(t, ITEM_KEYS, where)
        if SCRIPT.ids[id] then return fail(where .. ": id used twice", at) end
        SCRIPT.ids[id] = true
        if not is_text(t.th) or not is_text(t.en) then fail(where .. ": needs th and en texts", at) end
        local fn = list == SCRIPT.parts and t.score or t.test
        local key = list == SCRIPT.parts and "score" or "test"
        if type(fn) ~= "function" then return fail(where .. ": " .. key .. " must be a function (e, m, p)", at) end
        list[#list + 1] = { id = id, th = t.th, en = t.en, fn = fn, line = at,
          source = type(t.source) == "string" and t.source or "", assumed = t.assumed == true }
      end
    end
  end
  env.constraint = item(SCRIPT.constraints, "constraint")
  env.requirement = env.constraint
  env.part = item(SCRIPT.parts, "part")
  SCRIPT.env = env
  return env
end

-- Returns the list of completeness errors ("path:line: message").
function engine.finish()
  if not SCRIPT.info then
    SCRIPT.errors[#SCRIPT.errors + 1] = SCRIPT.path .. ":1: missing matching { id = ..., version = ..., th = ..., en = ... }"
  end
  if #SCRIPT.parts == 0 then
    SCRIPT.errors[#SCRIPT.errors + 1] = SCRIPT.path .. ":1: declares no part: at least one part \"...\" { score = function(e, m, p) ... end }"
  end
  if #SCRIPT.constraints > 62 then
    SCRIPT.errors[#SCRIPT.errors + 1] = SCRIPT.path .. ":1: more than 62 constraints"
  end
  return SCRIPT.errors
end

local P, TESTS, SCORES, NC, NP
-- Seals the environment (no globals after load) and fixes the parameter view.
function engine.seal()
  local env, backing = SCRIPT.env, {}
  for k, v in next, env do backing[k] = v end
  for k in next, backing do env[k] = nil end
  setmetatable(env, { __index = backing, __metatable = false, __newindex = function(_, k)
    error("matching scripts cannot set global '" .. tostring(k) .. "' after loading; use local", 2)
  end })
  local names = {}
  for k in pairs(SCRIPT.params) do names[k] = true end
  P = view(copy(SCRIPT.params), "parameters", function(k)
    error("unknown parameter '" .. tostring(k) .. "'; declared: " .. key_list(names), 3)
  end)
  TESTS, SCORES = {}, {}
  for i, c in ipairs(SCRIPT.constraints) do TESTS[i] = c.fn end
  for i, p in ipairs(SCRIPT.parts) do SCORES[i] = p.fn end
  NC, NP = #TESTS, #SCORES
end

function engine.describe()
  local function items(list)
    local out = {}
    for i, c in ipairs(list) do
      out[i] = { id = c.id, th = c.th, en = c.en, line = c.line, source = c.source, assumed = c.assumed }
    end
    return out
  end
  local info = SCRIPT.info
  return { id = info.id, version = info.version, th = info.th, en = info.en, source = info.source,
    prune = info.prune, line = info.line, parameters = SCRIPT.param_list,
    constraints = items(SCRIPT.constraints), parts = items(SCRIPT.parts) }
end

---------------------------------------------------------------------------------------------
-- Evaluation. E/CERTS/NEEDS hold the current enterprise; CAND[1..n] the partner indexes.

local CAND, OUT, FAILED, PARTS = {}, {}, {}, {}
engine.CAND, engine.OUT, engine.FAILED, engine.PARTS = CAND, OUT, FAILED, PARTS

local function bad_score(i, s, m)
  local part = SCRIPT.parts[i]
  error(s_format("%s:%d: part \"%s\" must return a whole number from 0 to %d, got %s (%s %s)",
    SCRIPT.path, part.line, part.id, MAX_PART, tostring(s), PARTNER_WORD, tostring(m.id)), 0)
end

-- Scores CAND[first..n] into OUT: the fit (>= 0), or -i for the first failing constraint i.
function engine.score_all(first, n)
  local e, p = e_view, P
  for k = first, n do
    begin_decision()
    local m = PARTNERS[CAND[k]]
    local r = 0
    for ci = 1, NC do
      if not TESTS[ci](e, m, p) then
        r = -ci
        break
      end
    end
    if r == 0 then
      for pi = 1, NP do
        local s = SCORES[pi](e, m, p)
        if m_type(s) ~= "integer" or s < 0 or s > MAX_PART then bad_score(pi, s, m) end
        r = r + s
      end
    end
    OUT[k] = r
  end
end

-- Explains one pair: FAILED[1..] the failing constraints, PARTS[1..NP] the part scores.
-- Returns the number of failures and whether the parts could be scored (a part may assume
-- the constraints hold; when some failed, a part that raises leaves the score out).
function engine.explain(idx)
  begin_decision()
  local e, p, m = e_view, P, PARTNERS[idx]
  local nf = 0
  for ci = 1, NC do
    if not TESTS[ci](e, m, p) then
      nf = nf + 1
      FAILED[nf] = ci
    end
  end
  for k = nf + 1, #FAILED do FAILED[k] = nil end
  local scored = true
  for pi = 1, NP do
    local s
    if nf == 0 then
      s = SCORES[pi](e, m, p)
    else
      local ok, v = pcall(SCORES[pi], e, m, p)
      if not ok then
        scored = false
        break
      end
      s = v
    end
    if m_type(s) ~= "integer" or s < 0 or s > MAX_PART then
      if nf == 0 then bad_score(pi, s, m) end
      scored = false
      break
    end
    PARTS[pi] = s
  end
  return nf, scored
end

engine.certs_view, engine.needs_view = certs_view, needs_view
return engine
