-- wrk script for the HTTP service's load benchmark (docs/performance.md, "HTTP service").
-- POSTs /v1/screen with one enterprise per request, cycling over the profiles of a JSON Lines
-- file (every line must be a valid profile: use `smematch generate`).
--
--   ./build/smematch generate --count 2000 -o /tmp/smematch-bench.jsonl
--   SMEMATCH_BODIES=/tmp/smematch-bench.jsonl SMEMATCH_EXPLAIN=true timeout 120 \
--     wrk -t2 -c4 -d15s --latency -s bench/wrk_screen.lua http://127.0.0.1:8080/v1/screen
--
-- (-c4: at most 4 connections on the shared development machine; the full measurement
-- commands are in docs/performance.md, "HTTP service".)
-- SMEMATCH_EXPLAIN=false asks for outcomes without reasons ("explain": false).
local path = os.getenv("SMEMATCH_BODIES") or "/tmp/smematch-bench.jsonl"
local explain = os.getenv("SMEMATCH_EXPLAIN") or "true"
local bodies = {}
for line in io.lines(path) do
  if #line > 0 then
    bodies[#bodies + 1] = '{"as_of":"2026-11-21","explain":' .. explain ..
                          ',"enterprise":' .. line .. '}'
  end
end
assert(#bodies > 0, "no profiles in " .. path)

-- Every request is formatted once per thread, and there is no response() callback (with one,
-- wrk hands every response's headers and body to Lua): the load generator shares the two
-- cores with the server, so its own work per request is kept to a minimum. Non-2xx answers
-- are counted by wrk itself (summary.errors.status, printed by done()).
local requests = {}
local n = 0
local thread_id = 0
function setup(thread)
  thread:set("offset", thread_id * 7919)
  thread_id = thread_id + 1
end

function init(args)
  n = offset or 0
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
  end
end

function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("non-2xx or socket errors: status %d, connect %d, read %d, write %d, timeout %d\n",
                         e.status, e.connect, e.read, e.write, e.timeout))
end
