-- Charged C library: trusted code shared by the screening prelude (prelude.lua) and the
-- matching prelude (match_prelude.lua). Each prelude calls this chunk once, after taking its own
-- references to the original string functions, with the native `charge(steps, what)` of its
-- runtime; the chunk rewires the string and utf8 libraries in place and returns the charged
-- table library for script environments. One copy, so that a fix to the sandbox's accounting
-- holds for every kind of script.
local charge = ...
local type, select, ipairs = type, select, ipairs

-- Scripts reach the real string library through the string metatable (("x"):upper()):
-- remove what must never be reachable and hide the metatable itself.
string.dump = nil
getmetatable("").__metatable = false

-- C library functions run to completion without the count hook firing: a pattern with q
-- repetition items can backtrack about n^(q+1) steps over n characters (every start position),
-- and string.rep, table.move, a plain find over a long string do linear work in a single
-- instruction. Each wrapper below charges its work to the decision's instruction budget
-- before the C function starts (1 step = 1 instruction); over budget, the call is killed.
local s_byte = string.byte

local function pattern_cost(subject, pattern)
  local n = #subject + 1
  local q, i, m = 0, 1, #pattern
  while i <= m do
    local ch = s_byte(pattern, i)
    if ch == 37 then           -- %: an escape, a class, %b (balanced: scans like a repetition)
      if s_byte(pattern, i + 1) == 98 then q = q + 1 end
      i = i + 2
    else
      if ch == 42 or ch == 43 or ch == 45 or ch == 63 then q = q + 1 end   -- * + - ?
      i = i + 1
    end
  end
  -- Worst case: every start position, times the ways q repetitions can split what follows.
  local cost = n
  for k = 1, q do cost = cost * (n + k) / (k + 1) end
  return cost
end

local function charged_pattern(name, fn)
  return function(s, p, ...)
    if type(s) == "string" and type(p) == "string" then charge(pattern_cost(s, p), name) end
    return fn(s, p, ...)
  end
end

local function charged_linear(name, fn)
  return function(s, ...)
    if type(s) == "string" then charge(#s, name) end
    return fn(s, ...)
  end
end

do
  local find = string.find
  local pattern_find = charged_pattern("string.find", find)
  string.find = function(s, p, init, plain)
    if plain and type(s) == "string" then
      charge(#s, "string.find")
      return find(s, p, init, plain)
    end
    return pattern_find(s, p, init, plain)
  end
  string.match = charged_pattern("string.match", string.match)
  string.gmatch = charged_pattern("string.gmatch", string.gmatch)
  string.gsub = charged_pattern("string.gsub", string.gsub)
  local rep = string.rep
  string.rep = function(s, n, sep)
    if type(n) == "number" and n > 0 then
      local each = (type(s) == "string" and #s or 0) + (type(sep) == "string" and #sep or 0)
      charge(n * (each + 1), "string.rep")
    end
    return rep(s, n, sep)
  end
  for _, name in ipairs({ "upper", "lower", "reverse", "sub", "byte", "len" }) do
    string[name] = charged_linear("string." .. name, string[name])
  end
  local format = string.format
  string.format = function(fmt, ...)   -- copies its string arguments
    local n = type(fmt) == "string" and #fmt or 0
    for i = 1, select("#", ...) do
      local v = select(i, ...)
      if type(v) == "string" then n = n + #v end
    end
    charge(n, "string.format")
    return format(fmt, ...)
  end
  for _, name in ipairs({ "len", "codepoint", "offset", "codes" }) do
    utf8[name] = charged_linear("utf8." .. name, utf8[name])
  end
end

local function charged_table(name, fn)
  return function(t, ...)
    if type(t) == "table" then charge(#t, name) end
    return fn(t, ...)
  end
end

local CHARGED_TABLE = {
  concat = charged_table("table.concat", table.concat),
  insert = charged_table("table.insert", table.insert),
  remove = charged_table("table.remove", table.remove),
  unpack = charged_table("table.unpack", table.unpack),
  sort = charged_table("table.sort", table.sort),
  move = function(a1, f, e, t, a2)
    if type(f) == "number" and type(e) == "number" and e >= f then charge(e - f + 1, "table.move") end
    return table.move(a1, f, e, t, a2)
  end,
}

return CHARGED_TABLE
