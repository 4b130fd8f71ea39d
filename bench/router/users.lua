-- wrk script for bench/router.sh: GET /orders/<n> with X-User-Id: user-<k>, rotating over many users.
--   wrk ... -s bench/router/users.lua <url> [-- <users> [<tokens file>]]
-- users: distinct ids, default 10000. tokens file (bench/router.sh --jwt): line k+1 holds a JWT with
-- sub user-<k>, sent as Authorization: Bearer next to X-User-Id.
-- Each wrk thread walks all user ids in its own deterministic order (a fixed stride through
-- 0..users-1 from a per-thread start), so every run and every proxy sees the same sequence.
-- The requests are formatted once in init() and only handed out in request(): the Lua work per
-- request is one table lookup, the same for every proxy.
-- No response() function on purpose: defining one makes wrk parse every response into Lua and
-- slows the load generator. Non-2xx counts come from wrk's own counter (summary.errors.status,
-- responses with status > 399, what wrk prints as "Non-2xx or 3xx responses").
-- done() prints one machine-readable line that bench/router.sh parses:
--   RESULT requests=<n> duration_s=<s> rps=<r> p50_ms=<ms> p99_ms=<ms> p999_ms=<ms> max_ms=<ms>
--          non2xx=<n> connect=<n> read=<n> write=<n> timeout=<n> socket_errors=<n>

local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local reqs, n, i

function init(args)
  local users = tonumber(args[1]) or 10000
  local tokens
  if args[2] then
    tokens = {}
    for line in io.lines(args[2]) do tokens[#tokens + 1] = line end
    assert(#tokens >= users, "fewer tokens than users in " .. args[2])
  end
  local t = tid or 0
  local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
  local stride = 7919 -- prime: with gcd(stride, users) = 1 the walk visits every id once per cycle
  if gcd(stride, users) ~= 1 then stride = 1 end
  local k = (t * 2503) % users
  reqs = {}
  for j = 1, users do
    local headers = { ["X-User-Id"] = "user-" .. k }
    if tokens then headers["Authorization"] = "Bearer " .. tokens[k + 1] end
    reqs[j] = wrk.format("GET", "/orders/" .. (t * 1000000 + j), headers)
    k = (k + stride) % users
  end
  n = users
  i = 0
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f rps=%.2f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
      .. " non2xx=%d connect=%d read=%d write=%d timeout=%d socket_errors=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout,
    e.connect + e.read + e.write + e.timeout))
end
