-- wrk script for POST /v1/decisions: each request posts one distinct event (a line of the events
-- file, each eventId once: no retries), thread i taking lines i, i + n, i + 2n, ... Each
-- connection waits `delay` ms after each answer, which sets the rate roughly (wrk is closed loop).
-- Usage: wrk -t2 -c64 -d30s --latency -s decisions.lua URL -- EVENTS_FILE THREADS DELAY_MS

local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local every = tonumber(args[2])
  lines = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % every == id then
      lines[#lines + 1] = line
    end
    i = i + 1
  end
  nextLine = 1
  pause = tonumber(args[3]) or 0
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local body = lines[nextLine]
  if body == nil then
    wrk.thread:stop() -- every event sent once; a repeat would be a retry
    body = lines[#lines]
  end
  nextLine = nextLine + 1
  return wrk.format("POST", nil, nil, body)
end

function delay()
  return pause
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "wrk: %d requests in %.1f s (%.0f/s); p50 / p99 / p99.9 %.1f / %.1f / %.1f ms, max %.1f ms;"
      .. " non-2xx %d, connect/read/write/timeout errors %d/%d/%d/%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
