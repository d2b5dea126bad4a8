-- wrk script for the portal's HTTP benchmarks (see fleet.py).
--
-- Argument: a targets file, one request per line, tab-separated:
--   weight  host  token|-  path  expected-body-file|-  name
-- Each request picks a line at random (by weight), sends it with that organisation's Host and token,
-- and tags it with an X-Request-ID that the platform echoes. Each response is matched to its request by
-- that id and compared byte for byte with the body the organisation answered before the run; a body
-- that differs is a mismatch, and a mismatch showing another organisation's invoice numbers is counted
-- as foreign data. done() prints one line "WRK_RESULT {json}".

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local targets = {}
local total_weight = 0
local counter = 0
responses, non_2xx, mismatches, foreign, unmatched = 0, 0, 0, 0, 0
-- thread:get() copies numbers and strings only, so per-name counts live in flat globals
-- req_<k> and mis_<k>, with the names joined in names_joined.
names_joined = ""
local name_index = {}

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "([^\t]*)\t?") do
    table.insert(fields, field)
  end
  return fields
end

local function read_file(path)
  local handle = assert(io.open(path, "rb"))
  local content = handle:read("*a")
  handle:close()
  return content
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  for line in io.lines(args[1]) do
    if line ~= "" then
      local f = split(line)
      local target = {
        weight = tonumber(f[1]), host = f[2], token = f[3], path = f[4],
        expected = (f[5] ~= "-") and read_file(f[5]) or nil, name = f[6],
      }
      -- The organisation's own invoice prefix; any other one in a response is foreign data.
      if target.expected then
        target.prefix = string.match(target.expected, '"(bc%d+)%-F%d%d%d%d"')
      end
      total_weight = total_weight + target.weight
      target.upto = total_weight
      table.insert(targets, target)
      if not name_index[target.name] then
        local k = 0
        for _ in pairs(name_index) do k = k + 1 end
        name_index[target.name] = k + 1
        _G["req_" .. (k + 1)], _G["mis_" .. (k + 1)] = 0, 0
        names_joined = (k == 0) and target.name or (names_joined .. "|" .. target.name)
      end
      target.k = name_index[target.name]
    end
  end
end

local function pick()
  local r = math.random() * total_weight
  local low, high = 1, #targets
  while low < high do
    local mid = math.floor((low + high) / 2)
    if targets[mid].upto < r then low = mid + 1 else high = mid end
  end
  return low
end

function request()
  counter = counter + 1
  local index = pick()
  local target = targets[index]
  local headers = {
    ["Host"] = target.host,
    ["X-Forwarded-Proto"] = "https",
    ["Accept-Language"] = "en",
    ["X-Request-ID"] = "bench-" .. index .. "-" .. counter,
  }
  if target.token ~= "-" then
    headers["Authorization"] = "Token " .. target.token
  end
  return wrk.format("GET", target.path, headers)
end

function response(status, headers, body)
  responses = responses + 1
  local id = headers["X-Request-ID"] or headers["x-request-id"]
  local index = id and tonumber(string.match(id, "^bench%-(%d+)%-"))
  local target = index and targets[index]
  if not target then
    unmatched = unmatched + 1
    return
  end
  local k = target.k
  _G["req_" .. k] = _G["req_" .. k] + 1
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
  if target.expected and body ~= target.expected then
    mismatches = mismatches + 1
    _G["mis_" .. k] = _G["mis_" .. k] + 1
    for prefix in string.gmatch(body, '"(bc%d+)%-F%d%d%d%d"') do
      if prefix ~= target.prefix then
        foreign = foreign + 1
        break
      end
    end
  end
end

function done(summary, latency, requests)
  local totals = {responses = 0, non_2xx = 0, mismatches = 0, foreign = 0, unmatched = 0}
  local names = {}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
    local k = 0
    for name in string.gmatch(thread:get("names_joined") or "", "[^|]+") do
      k = k + 1
      names[name] = names[name] or {requests = 0, mismatches = 0}
      names[name].requests = names[name].requests + (thread:get("req_" .. k) or 0)
      names[name].mismatches = names[name].mismatches + (thread:get("mis_" .. k) or 0)
    end
  end
  local parts = {}
  for name, stats in pairs(names) do
    table.insert(parts, string.format('"%s": {"requests": %d, "mismatches": %d}', name, stats.requests, stats.mismatches))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_s": %.3f, "rps": %.2f, "p50_ms": %.3f, "p90_ms": %.3f, '
      .. '"p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "socket_errors": {"connect": %d, "read": %d, '
      .. '"write": %d, "timeout": %d}, "status_errors": %d, "responses": %d, "non_2xx": %d, '
      .. '"mismatches": %d, "foreign": %d, "unmatched": %d, "by_name": {%s}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status,
    totals.responses, totals.non_2xx, totals.mismatches, totals.foreign, totals.unmatched,
    table.concat(parts, ", ")
  ))
end
