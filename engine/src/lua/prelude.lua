-- Engine prelude: trusted code run once per Lua state, before any rule script.
--
-- It builds (1) the sandbox environment every rule script runs in, with the declaration
-- functions policy staff write (settings, program, parameter, criterion, score, groups, group,
-- benefit); (2) the read-only view of the applicant, which records every profile field a
-- criterion reads that the applicant did not give, so that missing data makes a criterion
-- "needs information" and never a silent fail; (3) the evaluators the C++ side calls.
-- Rule scripts never see this chunk's locals: they reach only what their environment holds.
local native, FIELDS, LABELS, PROVINCES, install_charged_library = ...

local error, type, pairs, ipairs, next, select, tostring, tonumber = error, type, pairs, ipairs,
  next, select, tostring, tonumber
local pcall, setmetatable, getmetatable, rawget, rawequal = pcall, setmetatable, getmetatable,
  rawget, rawequal
-- The originals: the prelude's own matching must not go through the bounded wrappers below.
local s_format, s_gsub, s_match, s_rep = string.format, string.gsub, string.match, string.rep
local s_gmatch, s_find, s_sub, s_byte0 = string.gmatch, string.find, string.sub, string.byte
local t_concat, t_sort = table.concat, table.sort
local m_floor, m_type = math.floor, math.type

-- Scripts reach the real string library through the string metatable; C library work is
-- charged to the decision's instruction budget (engine/src/lua/charged_lib.lua, shared with
-- the matching prelude). After the references to the originals above.
local CHARGED_TABLE = install_charged_library(native.charge)
local compile_condition = native.compile_condition

local engine = {}

---------------------------------------------------------------------------------------------
-- Read-only views

local function readonly(what)
  return function(_, k)
    error(what .. " is read-only (cannot set '" .. tostring(k) .. "')", 2)
  end
end

-- Returns an empty table that reads through to `target` and refuses writes. pairs() walks
-- `target` with a closure so that the raw table never escapes.
local function view(target, what)
  return setmetatable({}, {
    __index = target,
    __newindex = readonly(what),
    __metatable = false,
    __pairs = function()
      local k
      return function()
        local v
        k, v = next(target, k)
        return k, v
      end
    end,
  })
end

local function strict(known, what, list)
  return function(_, k)
    if known[k] then return nil end
    error("unknown " .. what .. " '" .. tostring(k) .. "'; known: " .. list, 2)
  end
end

local function key_list(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  t_sort(keys)
  return t_concat(keys, ", ")
end

---------------------------------------------------------------------------------------------
-- The applicant

local FIELD_BIT = {}
for i, name in ipairs(FIELDS) do FIELD_BIT[name] = 1 << (i - 1) end

local data = {}       -- the applicant's fields, refilled by C++ for every enterprise
local missing = 0     -- fields read but absent since the last reset
-- Values C++ derives once per applicant (size, need levels, certification count); helpers
-- read them instead of recomputing them in every program.
local derived = {}
-- Strings few rules read are fetched from C++ on first read, not copied for every applicant.
local LAZY = { id = true, name = true, identifier = true }
local lazy_field = native.lazy_field

setmetatable(data, {
  __index = function(t, k)
    if LAZY[k] then
      local v = lazy_field(k)
      if v ~= nil then
        t[k] = v
        return v
      end
    end
    if k == "participation" then
      error("read past participation with participated(e, program, from_fy, to_fy) " ..
            "or man_days_used(e, program, fiscal_year)", 2)
    end
    local bit = FIELD_BIT[k]
    if bit == nil then error("unknown profile field '" .. tostring(k) .. "'", 2) end
    missing = missing | bit
    return nil
  end,
})
local E = view(data, "the applicant")

local CERT_KNOWN, DIM_KNOWN = {}, {}
for id in pairs(LABELS.certification) do CERT_KNOWN[id] = true end
for id in pairs(LABELS.dimension) do DIM_KNOWN[id] = true end
local certs = setmetatable({}, { __index = strict(CERT_KNOWN, "certification", key_list(CERT_KNOWN)) })
local needs = setmetatable({}, { __index = strict(DIM_KNOWN, "mentoring dimension", key_list(DIM_KNOWN)) })
local CERTS = view(certs, "certifications")
local NEEDS = view(needs, "needs")

local CTX_KNOWN = { as_of = true, fiscal_year = true, fiscal_year_be = true }
local ctx = setmetatable({}, { __index = strict(CTX_KNOWN, "context value", "as_of, fiscal_year, fiscal_year_be") })
local CTX = view(ctx, "the context")

-- Tables C++ fills: returned to it once, kept in its registry.
engine.ctx, engine.NEEDS = ctx, NEEDS
data.certifications = CERTS

-- Fills the applicant for the next evaluation. C++ passes the profile's values in this order
-- (absent ones nil); assigning constant keys of one reused table allocates nothing and costs
-- a third of setting them one by one through the C API.
function engine.fill(legal_form, sector, industry, province, employees, revenue, years, members,
                     otop_stars, digital, own_farm, vat, gs1, capacity, shelf_life, cert_bits,
                     needs_view, n1, n2, n3, n4, n5, size, size_missing, max_need, total_need,
                     certified)
  data.id, data.identifier, data.name = nil, nil, nil   -- fetched on first read (LAZY)
  data.legal_form, data.sector, data.industry, data.province = legal_form, sector, industry, province
  data.employees, data.annual_revenue_thb, data.years_operating = employees, revenue, years
  data.members, data.otop_stars, data.digital_readiness = members, otop_stars, digital
  data.own_farm_produce, data.vat_registered, data.gs1_barcode = own_farm, vat, gs1
  data.monthly_capacity_units, data.shelf_life_days = capacity, shelf_life
  certs.fda, certs.gmp, certs.haccp = cert_bits & 1 ~= 0, cert_bits & 2 ~= 0, cert_bits & 4 ~= 0
  certs.tisi, certs.tcps, certs.halal = cert_bits & 8 ~= 0, cert_bits & 16 ~= 0, cert_bits & 32 ~= 0
  data.needs = needs_view
  if needs_view then
    needs.entrepreneurship, needs.marketing, needs.product_innovation = n1, n2, n3
    needs.finance_legal, needs.digital = n4, n5
  end
  derived.size, derived.size_missing = size, size_missing
  derived.max_need, derived.total_need, derived.certification_count = max_need, total_need, certified
end

---------------------------------------------------------------------------------------------
-- Helpers rule scripts may call

local function expect_applicant(e, fn)
  if e ~= E then error(fn .. "(e, ...) expects the applicant e as its first argument", 3) end
end

-- SME size per Ministerial Regulation B.E. 2562: "micro", "small", "medium" or "large";
-- nil (and the fields noted missing) when the sector or both measures are unknown.
local function sme_size(e)
  if e ~= E then expect_applicant(e, "sme_size") end
  local size = derived.size
  if size == nil then missing = missing | derived.size_missing end
  return size
end

-- Highest and total self-assessed need over the 5 mentoring dimensions (0–5 each); nil and
-- "needs" noted missing when the applicant gave no assessment.
local function max_need(e)
  if e ~= E then expect_applicant(e, "max_need") end
  local v = derived.max_need
  if v == nil then missing = missing | FIELD_BIT.needs end
  return v
end

local function total_need(e)
  if e ~= E then expect_applicant(e, "total_need") end
  local v = derived.total_need
  if v == nil then missing = missing | FIELD_BIT.needs end
  return v
end

-- Number of certifications the applicant holds.
local function certification_count(e)
  if e ~= E then expect_applicant(e, "certification_count") end
  return derived.certification_count
end

-- Sets of the list parameters, made when rules are sealed: one_of on them is one lookup.
local LIST_SETS = setmetatable({}, { __mode = "k" })

-- True when `value` is one of the items of `list` (a list parameter, for instance).
local function one_of(value, list)
  local set = LIST_SETS[list]
  if set then return set[value] == true end
  for i = 1, #list do
    if list[i] == value then return true end
  end
  return false
end

local PROVINCE_KNOWN = {}
for k in pairs(PROVINCES[1]) do PROVINCE_KNOWN[k] = true end
local PROVINCE_MT = { __index = strict(PROVINCE_KNOWN, "province fact", key_list(PROVINCE_KNOWN)) }
local PROVINCE = {}
for _, p in ipairs(PROVINCES) do PROVINCE[p.iso_code] = view(setmetatable(p, PROVINCE_MT), "a province") end
local NO_PROVINCE = view(setmetatable({}, PROVINCE_MT), "a province")

-- Facts of the province with ISO code `code`; every fact is nil for an unknown or nil code.
local function province(code)
  return PROVINCE[code] or NO_PROVINCE
end

native.bind_applicant(E)  -- participated(e, ...) and man_days_used(e, ...) check `e` in C

local function clamp(x, lo, hi)
  if x < lo then return lo elseif x > hi then return hi end
  return x
end

local HELPERS = {
  sme_size = sme_size,
  max_need = max_need,
  total_need = total_need,
  certification_count = certification_count,
  one_of = one_of,
  province = province,
  identifier_kind = native.identifier_kind,
  participated = native.participated,       -- (e, program, from_fy, to_fy): bool
  man_days_used = native.man_days_used,     -- (e, program, fiscal_year): integer
  clamp = clamp,
}

-- What a condition's Lua function sees: the engine's helpers only, whatever the script
-- defines, so that it means what C++ evaluates (engine/src/condition.h) even in a script that
-- replaces one of them (`function one_of() ... end`).
local CONDITION_ENV = setmetatable({}, {
  __index = HELPERS, __newindex = readonly("a condition's environment"), __metatable = false,
})

---------------------------------------------------------------------------------------------
-- Reason templates: "รายได้ {e.annual_revenue_thb|mthb} ล้านบาท เกินเกณฑ์ {p.max_revenue_thb|mthb}"

local function group_digits(n)
  local s = s_format("%d", n)
  local sign = ""
  if s_byte0(s, 1) == 45 then sign, s = "-", s_sub(s, 2) end
  local head = #s % 3
  local parts = {}
  if head > 0 then parts[1] = s_sub(s, 1, head) end
  for i = head + 1, #s, 3 do parts[#parts + 1] = s_sub(s, i, i + 2) end
  return sign .. t_concat(parts, ",")
end

-- "1.80" -> "1.8", "620.00" -> "620"
local function decimals(x, places)
  local s = s_format("%." .. places .. "f", x)
  if not s_find(s, ".", 1, true) then return s end
  local last = #s
  while s_byte0(s, last) == 48 do last = last - 1 end   -- '0'
  if s_byte0(s, last) == 46 then last = last - 1 end    -- '.'
  return s_sub(s, 1, last)
end

local FORMATS = {
  thb = function(v) return group_digits(m_floor(v + 0.5)) end,     -- 1,234,567
  mthb = function(v) return decimals(v / 1e6, 2) end,                -- 1.8 (millions)
  int = function(v) return group_digits(m_floor(v)) end,
  num = function(v) return decimals(v, 2) end,
  pct = function(v) return decimals(v, 1) .. "%" end,
}

local UNKNOWN = { th = "ไม่ทราบ", en = "unknown" }
local YES, NO = { th = "ใช่", en = "yes" }, { th = "ไม่ใช่", en = "no" }

local function show(v, fmt, lang)
  local tv = type(v)
  if v == nil then return UNKNOWN[lang] end
  if tv == "boolean" then return (v and YES or NO)[lang] end
  if tv == "table" then
    local parts = {}
    for i = 1, #v do parts[i] = show(v[i], fmt, lang) end
    return t_concat(parts, lang == "th" and " " or ", ")
  end
  local labels = LABELS[fmt]
  if labels then
    local l = labels[v]
    return l and l[lang] or tostring(v)
  end
  local f = FORMATS[fmt]
  if f and tv == "number" then return f(v) end
  if tv == "number" then
    if m_type(v) == "integer" then return tostring(v) end
    return decimals(v, 2)  -- 12.0 -> "12", 1.25 -> "1.25"
  end
  return tostring(v)
end

local PLACEHOLDER = "{([^{}|]+)|?([%w_]*)}"

-- Templates are split once into literal text and placeholders {scope, name, format}.
local function compile_template(template)
  local parts, pos = {}, 1
  for start, ref, fmt, finish in s_gmatch(template, "()" .. PLACEHOLDER .. "()") do
    if start > pos then parts[#parts + 1] = s_sub(template, pos, start - 1) end
    local scope, name = s_match(ref, "^(%a)%.([%w_]+)$")
    parts[#parts + 1] = { scope, name, fmt }
    pos = finish
  end
  if pos <= #template then parts[#parts + 1] = s_sub(template, pos) end
  return parts
end

-- Returns an error message for the first bad placeholder in `template`, or nil.
local function check_template(template, params, has_values)
  for ref, fmt in s_gmatch(template, PLACEHOLDER) do
    local scope, name = s_match(ref, "^(%a)%.([%w_]+)$")
    local ok = (scope == "e" and FIELD_BIT[name] and name ~= "participation")
      or (scope == "p" and params[name] ~= nil)
      or (scope == "c" and CTX_KNOWN[name])
      or (scope == "v" and has_values)
    if not ok then
      if scope == "v" then
        return "placeholder {" .. ref .. "} needs a values = function(e, p, c) in the criterion"
      end
      return "unknown placeholder {" .. ref .. "}; use {e.<profile field>}, {p.<parameter>}, " ..
             "{c.<as_of|fiscal_year|fiscal_year_be>} or {v.<value>}"
    end
    if fmt ~= "" and not FORMATS[fmt] and not LABELS[fmt] then
      return "unknown format '|" .. fmt .. "' in {" .. ref .. "|" .. fmt .. "}; known: " ..
             key_list(FORMATS) .. ", " .. key_list(LABELS)
    end
  end
  return nil
end

---------------------------------------------------------------------------------------------
-- Declarations: the functions rule scripts call at load time

local SAFE_GLOBALS = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber", "tostring",
  "type", "xpcall", "rawequal", "rawlen", "getmetatable", "setmetatable",
}
local SAFE_BASE = {}
for _, k in ipairs(SAFE_GLOBALS) do SAFE_BASE[k] = _G[k] end
local VERSION = _VERSION

local function copy(lib, drop)
  local t = {}
  for k, v in pairs(lib) do
    if not (drop and drop[k]) then t[k] = v end
  end
  return t
end

local SCRIPTS = {}    -- every loaded script record, in load order
local PROGRAMS = {}   -- compiled program versions, in load order (index = ProgramInfo::index + 1)
local SETTINGS = { sme_size_tie_break = "revenue_prevails" }
local SETTING_VALUES = { sme_size_tie_break = { revenue_prevails = true, higher_of_two = true } }

local function is_text(t)
  return type(t) == "table" and type(t.th) == "string" and t.th ~= "" and type(t.en) == "string"
    and t.en ~= ""
end

local function text_error(t, where)
  if type(t) ~= "table" then
    return where .. ": expected { th = \"...\", en = \"...\" }"
  end
  if type(t.th) ~= "string" or t.th == "" then return where .. ": missing the Thai text (th)" end
  if type(t.en) ~= "string" or t.en == "" then return where .. ": missing the English text (en)" end
  return nil
end

local function unknown_keys(t, allowed, where)
  local bad = {}
  for k in pairs(t) do
    if not allowed[k] then bad[#bad + 1] = tostring(k) end
  end
  if #bad == 0 then return nil end
  t_sort(bad)
  return where .. ": unknown key(s) " .. t_concat(bad, ", ") .. "; allowed: " .. key_list(allowed)
end

local function set_of(...)
  local s = {}
  for _, k in ipairs({ ... }) do s[k] = true end
  return s
end

local PROGRAM_KEYS = set_of("id", "name", "description", "version", "effective_from",
  "effective_to", "source")
local PARAMETER_KEYS = set_of("value", "type", "unit", "th", "en", "source", "assumed")
local CRITERION_KEYS = set_of("th", "en", "test", "pass", "fail", "values", "source", "assumed")
local BENEFIT_KEYS = set_of("th", "en", "values")
local MAX_CRITERIA = 62

local function value_type(v)
  local t = type(v)
  if t == "number" then return m_type(v) == "integer" and "integer" or "number" end
  if t == "string" or t == "boolean" then return t end
  if t == "table" then
    local n = 0
    for k, item in pairs(v) do
      n = n + 1
      if m_type(k) ~= "integer" or type(item) ~= "string" then return nil end
    end
    if n ~= #v then return nil end
    return "list"
  end
  return nil
end

-- Creates the environment and record of the script `path`; `kind` is "settings" or "program".
function engine.new_script(path, kind)
  local rec = {
    path = path, kind = kind, errors = {}, param_values = {}, param_list = {},
    criteria = {}, criterion_ids = {},
  }
  SCRIPTS[#SCRIPTS + 1] = rec

  local function line()
    return native.script_line("@" .. path)
  end
  local function fail(msg, at)
    rec.errors[#rec.errors + 1] = s_format("%s:%d: %s", path, at or line(), msg)
  end
  local function program_only(what)
    if kind ~= "program" then
      fail(what .. " belongs in a program script under programs/, not in " .. path)
      return false
    end
    return true
  end

  local env = copy(SAFE_BASE)
  env._VERSION = VERSION
  env.string = copy(string)
  env.table = copy(table)
  for k, v in pairs(CHARGED_TABLE) do env.table[k] = v end
  env.math = copy(math, set_of("random", "randomseed"))
  env.utf8 = copy(utf8)
  for k, v in pairs(HELPERS) do env[k] = v end
  -- A finalizer (__gc) could run outside any budgeted call (at shutdown, say), and a
  -- metatable on the environment could hide globals from the seal: both refused.
  env.setmetatable = function(t, mt)
    if rawequal(t, env) then error("rule scripts cannot set a metatable on their environment", 2) end
    if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
      error("finalizers (__gc) are not allowed in rule scripts", 2)
    end
    local ok, result = pcall(setmetatable, t, mt)
    if not ok then error(result, 2) end
    return result
  end

  function env.settings(t)
    if kind ~= "settings" then
      return fail("settings { ... } belongs in settings.lua")
    end
    if type(t) ~= "table" then return fail("settings: expected a table { ... }") end
    for k, v in pairs(t) do
      local allowed = SETTING_VALUES[k]
      if not allowed then
        fail("settings: unknown setting '" .. tostring(k) .. "'; known: " .. key_list(SETTING_VALUES))
      elseif not allowed[v] then
        fail("settings." .. k .. ": unknown value '" .. tostring(v) .. "'; known: " .. key_list(allowed))
      else
        SETTINGS[k] = v
      end
    end
  end

  function env.program(t)
    if not program_only("program { ... }") then return end
    local at = line()
    if rec.program then return fail("program { ... } declared twice", at) end
    if type(t) ~= "table" then return fail("program: expected a table { ... }", at) end
    rec.program = t
    rec.program_line = at
    local e = unknown_keys(t, PROGRAM_KEYS, "program")
    if e then fail(e, at) end
    if type(t.id) ~= "string" or not s_match(t.id, "^[A-Z][A-Z0-9_]*$") then
      fail("program.id: expected an upper-case id such as \"BSC\"", at)
    end
    e = text_error(t.name, "program.name")
    if e then fail(e, at) end
    if t.description ~= nil then
      e = text_error(t.description, "program.description")
      if e then fail(e, at) end
    end
    if type(t.version) ~= "string" or t.version == "" then
      fail("program.version: expected a version string such as \"2026.1\"", at)
    end
    if type(t.effective_from) ~= "string" or not native.check_date(t.effective_from) then
      fail("program.effective_from: expected a date \"YYYY-MM-DD\"", at)
    end
    if t.effective_to ~= nil and (type(t.effective_to) ~= "string" or not native.check_date(t.effective_to)) then
      fail("program.effective_to: expected a date \"YYYY-MM-DD\" or nothing", at)
    end
    if type(t.effective_from) == "string" and type(t.effective_to) == "string"
        and t.effective_to < t.effective_from then
      fail("program.effective_to is before effective_from", at)
    end
    if t.source ~= nil and type(t.source) ~= "string" then fail("program.source: expected a string", at) end
  end

  function env.parameter(name)
    local at = line()
    return function(t)
      if not program_only("parameter") then return end
      if type(name) ~= "string" or not s_match(name, "^[%a_][%w_]*$") then
        return fail("parameter: expected a name such as parameter \"max_employees\" { ... }", at)
      end
      local where = "parameter '" .. name .. "'"
      if type(t) ~= "table" then return fail(where .. ": expected a table { value = ..., ... }", at) end
      if rec.param_values[name] ~= nil then return fail(where .. " declared twice", at) end
      local e = unknown_keys(t, PARAMETER_KEYS, where)
      if e then fail(e, at) end
      local vt = value_type(t.value)
      if vt == nil then
        return fail(where .. ": value must be an integer, number, string, boolean or list of strings", at)
      end
      if t.type ~= nil and t.type ~= vt and not (t.type == "number" and vt == "integer") then
        return fail(where .. ": declared type " .. tostring(t.type) .. " but the value is " .. vt, at)
      end
      e = text_error(t, where)
      if e then fail(e, at) end
      if t.unit ~= nil and type(t.unit) ~= "string" then fail(where .. ".unit: expected a string", at) end
      if t.source ~= nil and type(t.source) ~= "string" then fail(where .. ".source: expected a string", at) end
      local value = t.value
      if vt == "list" then value = copy(value) end
      rec.param_values[name] = value
      rec.param_list[#rec.param_list + 1] = {
        name = name, value = value, type = t.type or vt, unit = t.unit or "", th = t.th, en = t.en,
        source = t.source or "", assumed = t.assumed == true, line = at,
      }
    end
  end

  function env.criterion(id)
    local at = line()
    return function(t)
      if not program_only("criterion") then return end
      if type(id) ~= "string" or not s_match(id, "^[%a_][%w_]*$") then
        return fail("criterion: expected an id such as criterion \"is_sme\" { ... }", at)
      end
      local where = "criterion '" .. id .. "'"
      if type(t) ~= "table" then return fail(where .. ": expected a table { ... }", at) end
      if rec.criterion_ids[id] then return fail(where .. " declared twice", at) end
      rec.criterion_ids[id] = true
      local e = unknown_keys(t, CRITERION_KEYS, where)
      if e then fail(e, at) end
      e = text_error(t, where)
      if e then fail(e, at) end
      -- A test is a function, or a condition: one expression over e, p and c that the engine
      -- evaluates in C++ (engine/src/condition.h) and, for reasons, as this Lua function.
      local test, condition = t.test, nil
      if type(test) == "string" then
        condition = test
        local f, err = compile_condition(test, path, at, CONDITION_ENV)
        if not f then
          fail(where .. ": condition: " .. (s_match(err, "^[^\n]-:%d+: (.*)$") or err), at)
        end
        test = f
      elseif type(test) ~= "function" then
        fail(where .. ": test must be a function(e, p, c) or a condition \"...\"", at)
      end
      e = text_error(t.fail, where .. ".fail")
      if e then fail(e, at) end
      if t.pass ~= nil then
        e = text_error(t.pass, where .. ".pass")
        if e then fail(e, at) end
      end
      if t.values ~= nil and type(t.values) ~= "function" then
        fail(where .. ": values must be a function(e, p, c) returning a table", at)
      end
      if #rec.criteria >= MAX_CRITERIA then
        return fail(where .. ": a program may have at most " .. MAX_CRITERIA .. " criteria", at)
      end
      rec.criteria[#rec.criteria + 1] = {
        id = id, th = t.th, en = t.en, test = test, condition = condition, values = t.values,
        pass = is_text(t.pass) and t.pass or { th = t.th, en = t.en },
        fail = t.fail, source = t.source or "", assumed = t.assumed == true, line = at,
      }
    end
  end

  function env.score(f)
    if not program_only("score") then return end
    if rec.score then return fail("score declared twice") end
    if type(f) ~= "function" then return fail("score: expected score(function(e, p, c) ... end)") end
    rec.score = f
  end

  function env.groups(t)
    if not program_only("groups") then return end
    if rec.groups then return fail("groups declared twice") end
    if type(t) ~= "table" then return fail("groups: expected groups { id = { th = ..., en = ... }, ... }") end
    rec.groups = {}
    for id, label in pairs(t) do
      local e = text_error(label, "groups." .. tostring(id))
      if type(id) ~= "string" then
        fail("groups: ids must be strings")
      elseif e then
        fail(e)
      else
        rec.groups[id] = label
      end
    end
  end

  function env.group(f)
    if not program_only("group") then return end
    if rec.group then return fail("group declared twice") end
    if type(f) ~= "function" then return fail("group: expected group(function(e, p, c) ... end)") end
    rec.group = f
    rec.group_line = line()
  end

  function env.benefit(t)
    if not program_only("benefit") then return end
    if rec.benefit then return fail("benefit declared twice") end
    local e = type(t) == "table" and unknown_keys(t, BENEFIT_KEYS, "benefit") or text_error(t, "benefit")
    if e then fail(e) end
    e = text_error(t, "benefit")
    if e then return fail(e) end
    if t.values ~= nil and type(t.values) ~= "function" then
      return fail("benefit: values must be a function(e, p, c) returning a table")
    end
    rec.benefit = t
    rec.benefit_line = line()
  end

  rec.env = env
  return env, rec
end

-- Checks what a script declared, once it has run. Returns its errors (a list of strings).
function engine.finish_script(rec)
  local function fail(msg, at)
    rec.errors[#rec.errors + 1] = s_format("%s:%d: %s", rec.path, at or 1, msg)
  end
  if rec.kind == "program" then
    if not rec.program then
      fail("no program { ... } declaration")
    end
    if #rec.criteria == 0 then fail("no criterion declared") end
    for _, c in ipairs(rec.criteria) do
      for _, which in ipairs({ "pass", "fail" }) do
        for _, lang in ipairs({ "th", "en" }) do
          local tpl = c[which] and c[which][lang]
          local e = type(tpl) == "string" and check_template(tpl, rec.param_values, c.values ~= nil)
          if e then fail("criterion '" .. c.id .. "' " .. which .. "." .. lang .. ": " .. e, c.line) end
        end
      end
    end
    if rec.group and not rec.groups then fail("group(...) needs groups { ... } declaring the ids", rec.group_line) end
    if rec.groups and not rec.group then fail("groups { ... } declared but no group(function ...) assigns them") end
    if rec.benefit then
      for _, lang in ipairs({ "th", "en" }) do
        local e = check_template(rec.benefit[lang], rec.param_values, rec.benefit.values ~= nil)
        if e then fail("benefit." .. lang .. ": " .. e, rec.benefit_line) end
      end
    end
    if #rec.errors == 0 then
      -- tests: every test as a Lua function (explain path); lua_tests: those the fast path
      -- runs in Lua, false where C++ evaluates the condition.
      local tests, lua_tests = {}, {}
      for i, c in ipairs(rec.criteria) do
        tests[i] = c.test
        lua_tests[i] = not c.condition and c.test
      end
      PROGRAMS[#PROGRAMS + 1] = {
        rec = rec, id = rec.program.id, path = rec.path, tests = tests, lua_tests = lua_tests,
        criteria = rec.criteria,
        param_values = rec.param_values, params = nil, score = rec.score, group = rec.group,
        groups = rec.groups, benefit = rec.benefit,
      }
    end
  end
  return rec.errors
end

-- Freezes what scripts declared: their environments refuse every global assignment from now
-- on (a test must not keep state between applicants in globals; chunk-level locals cannot be
-- watched, see docs/design.md) and parameters become read-only.
function engine.seal()
  local function no_globals(_, k)
    error("rule scripts cannot set global '" .. tostring(k) .. "' after loading; use local", 2)
  end
  for _, rec in ipairs(SCRIPTS) do
    local env, backing = rec.env, {}
    for k, v in next, env do backing[k] = v end   -- raw: no __pairs can hide a global
    for k in next, backing do env[k] = nil end
    setmetatable(env, { __index = backing, __newindex = no_globals, __metatable = false })
  end
  for _, prog in ipairs(PROGRAMS) do
    local names = {}
    local values = {}
    for k, v in pairs(prog.param_values) do
      names[k] = true
      if type(v) == "table" then
        local list, set = v, {}
        for _, item in ipairs(list) do set[item] = true end
        v = setmetatable({}, {
          __index = list, __newindex = readonly("a list parameter"), __metatable = false,
          __len = function() return #list end,
        })
        LIST_SETS[v] = set
      end
      values[k] = v
    end
    prog.param_values = values
    values = setmetatable(copy(values), {
      __index = function(_, k) error("unknown parameter '" .. tostring(k) .. "'; declared: " .. key_list(names), 2) end,
    })
    prog.params = view(values, "parameters")
  end
end

-- Returns plain data describing the settings and every program (no functions).
function engine.describe()
  local programs = {}
  for i, prog in ipairs(PROGRAMS) do
    local rec, p = prog.rec, prog.rec.program
    local criteria = {}
    for k, c in ipairs(rec.criteria) do
      criteria[k] = {
        id = c.id, th = c.th, en = c.en, pass = { th = c.pass.th, en = c.pass.en },
        fail = { th = c.fail.th, en = c.fail.en }, source = c.source, assumed = c.assumed, line = c.line,
        condition = c.condition,
      }
    end
    local groups = {}
    if rec.groups then
      for id, label in pairs(rec.groups) do groups[#groups + 1] = { id = id, th = label.th, en = label.en } end
      t_sort(groups, function(a, b) return a.id < b.id end)
    end
    programs[i] = {
      id = p.id, name = { th = p.name.th, en = p.name.en },
      description = p.description and { th = p.description.th, en = p.description.en } or nil,
      version = p.version, effective_from = p.effective_from, effective_to = p.effective_to,
      source = p.source or "", script = rec.path, parameters = rec.param_list, criteria = criteria,
      groups = groups, has_score = rec.score ~= nil,
      benefit = rec.benefit and { th = rec.benefit.th, en = rec.benefit.en } or nil,
    }
  end
  return { settings = SETTINGS, programs = programs }
end

---------------------------------------------------------------------------------------------
-- Evaluation

local function check_result(prog, score, group)
  if prog.score and (type(score) ~= "number" or score ~= score or score < 0 or score > 100) then
    error(prog.path .. ": score function returned " .. tostring(score) .. "; expected a number from 0 to 100", 0)
  end
  if prog.group and (type(group) ~= "string" or not prog.groups[group]) then
    error(prog.path .. ": group function returned " .. tostring(group) .. "; expected one of: " ..
          key_list(prog.groups), 0)
  end
end

-- Fast path: no pcall per criterion. Where the evaluation stands is kept in upvalues so that,
-- when a test raises, resume() can go on from the next criterion instead of starting over.
local cur_prog, cur_k, cur_j = nil, 0, 0
local acc_failed, acc_undecided, acc_fields = 0, 0, 0   -- of cur_prog, criteria before cur_k

-- The programs being screened (indices into PROGRAMS) and their results, by position j:
-- failed and undecided criteria (bit sets), missing fields, score or false, group or false.
-- Reused for every applicant: storing numbers in them allocates nothing.
local SELECTED = {}
local R_FAILED, R_UNDECIDED, R_FIELDS, R_SCORE, R_GROUP = {}, {}, {}, {}, {}
engine.results = { R_FAILED, R_UNDECIDED, R_FIELDS, R_SCORE, R_GROUP }
-- How the fast path runs program j, set by C++ for every applicant after it has evaluated the
-- conditions: 0 decided by C++ (not run here), 1 run the tests written as functions and the
-- score, starting from the conditions' results in PRE_*, 2 run every test here (a condition
-- C++ leaves to Lua). select() sets 2: without C++, everything runs here.
local MODE, PRE_FAILED, PRE_UNDECIDED, PRE_FIELDS = {}, {}, {}, {}
engine.fast = { MODE, PRE_FAILED, PRE_UNDECIDED, PRE_FIELDS }

function engine.select(...)
  local n = select("#", ...)
  for j = 1, n do SELECTED[j] = select(j, ...) end
  for j = n + 1, #SELECTED do SELECTED[j] = nil end
  for _, r in ipairs(engine.results) do
    for j = 1, n do r[j] = false end
  end
  for j = 1, n do MODE[j], PRE_FAILED[j], PRE_UNDECIDED[j], PRE_FIELDS[j] = 2, 0, 0, 0 end
end

-- Evaluates the selected programs from position `j` (starting at criterion `first` of that
-- program, with the accumulators as they stand) to the last. Keeps where it is in cur_j and
-- cur_k, so that resume() can go on after a test raises.
local begin_decision = native.begin_decision

local function run(j, first)
  local e, c, n = E, CTX, #SELECTED
  while j <= n do
    local mode = MODE[j]
    if mode ~= 0 then
      local prog = PROGRAMS[SELECTED[j]]
      if first == 1 then
        begin_decision()  -- each decision has the whole budget
        if mode == 1 then
          acc_failed, acc_undecided, acc_fields = PRE_FAILED[j], PRE_UNDECIDED[j], PRE_FIELDS[j]
        end
      end
      cur_j, cur_prog = j, prog
      local tests, params = mode == 1 and prog.lua_tests or prog.tests, prog.params
      local count = #tests
      for k = first, count do
        local test = tests[k]
        if test then
          missing = 0
          cur_k = k
          if not test(e, params, c) then
            if missing ~= 0 then
              acc_undecided = acc_undecided | (1 << (k - 1))
              acc_fields = acc_fields | missing
            else
              acc_failed = acc_failed | (1 << (k - 1))
            end
          end
        end
      end
      cur_k = count + 1
      R_FAILED[j], R_UNDECIDED[j], R_FIELDS[j] = acc_failed, acc_undecided, acc_fields
      if acc_failed == 0 and acc_undecided == 0 then
        local score, group = false, false
        if prog.score then score = prog.score(e, params, c) end
        if prog.group then group = prog.group(e, params, c) end
        if score or group then check_result(prog, score or nil, group or nil) end
        R_SCORE[j], R_GROUP[j] = score, group
      else
        R_SCORE[j], R_GROUP[j] = false, false
      end
      acc_failed, acc_undecided, acc_fields = 0, 0, 0
    end
    j, first = j + 1, 1
  end
  cur_j = n + 1
end

-- Screens the current applicant for every selected program (the fast path).
function engine.evaluate_all()
  acc_failed, acc_undecided, acc_fields = 0, 0, 0
  cur_j = 0
  run(1, 1)
end

-- Called after evaluate_all, resume or skip raised. If the criterion running then had read a
-- field the applicant lacks, it needs information: carries on and returns 0. Otherwise
-- returns j: program j's rule failed, and the caller records that and calls skip(j).
function engine.resume()
  local j, prog, k = cur_j, cur_prog, cur_k
  if j == 0 or j > #SELECTED or k > #prog.tests or missing == 0 then return j end
  acc_undecided = acc_undecided | (1 << (k - 1))
  acc_fields = acc_fields | missing
  run(j, k + 1)
  return 0
end

-- Goes on with the programs after j.
function engine.skip(j)
  acc_failed, acc_undecided, acc_fields = 0, 0, 0
  run(j + 1, 1)
end

-- Returns which selected program was running (0: none yet).
function engine.position()
  return cur_j
end

-- Full path: every criterion under pcall, and what its reason needs; C++ renders the texts
-- from the templates compiled once by engine.reason_templates (reason_renderer.h). For
-- criterion k, EXPLAINED holds at 3k-2 the outcome (0 pass, 1 fail, 2 needs information), at
-- 3k-1 the fields it misses, at 3k its values table (or false: no values function, or a
-- criterion that needs information). The table is reused: storing in it allocates nothing.
-- Returns failed, undecided, fields, and for an eligible applicant also score, group, whether
-- the program declares a benefit, and the benefit's values (nil or a table).
local EXPLAINED = {}
engine.explained = EXPLAINED

function engine.explain(i)
  local prog = PROGRAMS[i]
  local params, criteria, tests = prog.params, prog.criteria, prog.tests
  local e, c = E, CTX
  local failed, undecided, fields = 0, 0, 0
  for k = 1, #criteria do
    -- A test that raises after reading a field the applicant lacks needs information; any
    -- other error is the rule's and propagates.
    missing = 0
    local ok, result = pcall(tests[k], e, params, c)
    if not ok and missing == 0 then error(result, 0) end
    local outcome, m, values = 0, 0, false
    if missing ~= 0 and not (ok and result) then
      outcome, m = 2, missing
      undecided = undecided | (1 << (k - 1))
      fields = fields | m
    else
      if not (ok and result) then
        outcome = 1
        failed = failed | (1 << (k - 1))
      end
      local f = criteria[k].values
      if f then values = f(e, params, c) or false end
    end
    EXPLAINED[3 * k - 2], EXPLAINED[3 * k - 1], EXPLAINED[3 * k] = outcome, m, values
  end
  if failed ~= 0 or undecided ~= 0 then return failed, undecided, fields end
  local score, group
  if prog.score then score = prog.score(E, params, CTX) end
  if prog.group then group = prog.group(E, params, CTX) end
  check_result(prog, score, group)
  local b = prog.benefit
  local values
  if b then
    values = b.values and b.values(E, params, CTX)
    if values ~= nil and type(values) ~= "table" then
      error(prog.path .. ": benefit values must be a table, got " .. type(values), 0)
    end
  end
  return failed, undecided, fields, score, group, b ~= nil, values
end

-- The reason templates of program i, split once into literal text and placeholders
-- { scope, name, format } ({p.*} already shown: parameters never change). In order: pass.th,
-- pass.en, fail.th, fail.en of every criterion, then benefit th and en.
function engine.reason_templates(i)
  local prog = PROGRAMS[i]
  local out = {}
  local function add(template, lang)
    local parts = {}
    for _, part in ipairs(compile_template(template)) do
      if type(part) == "table" then
        local scope = part[1]
        if scope == "p" then
          part = show(prog.param_values[part[2]], part[3], lang)
        elseif scope ~= "e" and scope ~= "c" and scope ~= "v" then
          part = show(nil, part[3], lang)
        end
      end
      parts[#parts + 1] = part
    end
    out[#out + 1] = parts
  end
  for _, c in ipairs(prog.criteria) do
    add(c.pass.th, "th")
    add(c.pass.en, "en")
    add(c.fail.th, "th")
    add(c.fail.en, "en")
  end
  if prog.benefit then
    add(prog.benefit.th, "th")
    add(prog.benefit.en, "en")
  end
  return out
end

-- What rendering reads: the applicant's fields, the context, the views that show as unknown,
-- show() for values C++ leaves to it, and the fields fetched on first read (any other field
-- the applicant lacks reads as nil: C++ need not go through data's __index for it).
engine.reason_sources = { data, ctx, CERTS, NEEDS, show, LAZY }

engine.settings = SETTINGS
return engine
