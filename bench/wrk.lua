-- The harness's wrk script. Arguments (after --): method, a file of request
-- bodies picked at random ("hot"), a file of bodies each sent at most once
-- ("cold", "-" for none), the percentage of requests that take a cold body,
-- the prefix every right answer starts with, and the number of threads.
-- done() prints one line,
-- "BENCH {json}", for the harness to read.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function lines(path)
  local out = {}
  if path == "-" then return out end
  for line in io.lines(path) do
    if line ~= "" then table.insert(out, line) end
  end
  return out
end

function init(args)
  method, want = args[1], args[5]
  hot, cold = lines(args[2]), lines(args[3])
  cold_pct = tonumber(args[4])
  nthreads = tonumber(args[6]) -- each thread's Lua state is its own: no counter here
  next_cold = id + 1 -- this thread's share: id+1, id+1+n, id+1+2n, ...
  bad, cold_sent = 0, 0
  first_bad = ""
  headers = {["Content-Type"] = "application/json"}
  math.randomseed(os.time() + id * 7919)
end

function request()
  local body = nil
  if #cold > 0 and next_cold <= #cold and math.random(100) <= cold_pct then
    body = cold[next_cold]
    next_cold = next_cold + nthreads
    cold_sent = cold_sent + 1
  elseif #hot > 0 then
    body = hot[math.random(#hot)]
  end
  if method == "GET" then
    return wrk.format("GET", nil, nil, nil)
  end
  return wrk.format(method, nil, headers, body)
end

function response(status, headers, body)
  if status ~= 200 or string.sub(body, 1, #want) ~= want then
    bad = bad + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.sub(body, 1, 100)
    end
  end
end

function done(summary, latency, requests)
  local bad_total, cold_total, first = 0, 0, ""
  for _, t in ipairs(threads) do
    bad_total = bad_total + t:get("bad")
    cold_total = cold_total + t:get("cold_sent")
    if first == "" then first = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"transport_errors":%d,"wrong":%d,"cold":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"first_wrong":"%s"}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, bad_total, cold_total,
    latency:percentile(50), latency:percentile(99), latency.max, (string.gsub(first, '[%c"\\]', "?"))))
end
