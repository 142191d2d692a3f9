-- wrk script for `make bench` (bench/load_runs.py runs it; not meant to be run by hand).
--
-- GET by default. With BENCH_BODY_FILE set, every request is a POST of that file's
-- form body with SUBMISSION_KEY replaced by a new 32-character key, unique across wrk's
-- threads: BENCH_RUN_ID (12 characters) + thread number (2 digits) + counter (18 digits).
-- With BENCH_RATE set (requests per second, all threads together), requests go out on a
-- fixed schedule, as wrk2 sends them: each thread owns evenly spaced send times and delay()
-- waits for the next one. A request whose time has passed goes at once, and how late it
-- went is counted (wrk times a request from when it is sent, so that wait is not in its
-- latency; the runner reports the two). The clock is clock_gettime(CLOCK_MONOTONIC) through
-- LuaJIT's FFI.
-- At the end it prints one line, BENCH_JSON {...}, that the runner reads.

local body_template = nil
local run_id = os.getenv("BENCH_RUN_ID") or "benchmarkrun"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

--- The constant rate -------------------------------------------------------------------

local rate = tonumber(os.getenv("BENCH_RATE") or "")
local THREADS = tonumber(os.getenv("BENCH_THREADS") or "2")
--- Upper bounds (ms) of the buckets in which late sends are counted; the last is open.
local LATE_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 1e12}

if rate then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *moment);
  ]]
  local moment = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, moment)
    return tonumber(moment.tv_sec) * 1000 + tonumber(moment.tv_nsec) / 1e6
  end
  local interval = 1000 * THREADS / rate
  local next_send = nil
  sends, late_sends, late_max_ms = 0, 0, 0
  for index = 1, #LATE_BUCKETS do _G["late_" .. index] = 0 end

  function delay()
    local now = now_ms()
    if next_send == nil then next_send = now + interval * (thread_number - 1) / THREADS end
    local due = next_send
    next_send = next_send + interval
    sends = sends + 1
    if due >= now then return due - now end
    local late = now - due
    late_sends = late_sends + 1
    if late > late_max_ms then late_max_ms = late end
    for index, bound in ipairs(LATE_BUCKETS) do
      if late <= bound then
        _G["late_" .. index] = _G["late_" .. index] + 1
        break
      end
    end
    return 0
  end
end

--- How late the sends went, over every thread: {sends, late, max, p99 bound in ms}.
local function lateness()
  local sends, late, max, buckets = 0, 0, 0, {}
  for _, thread in ipairs(threads) do
    sends = sends + (thread:get("sends") or 0)
    late = late + (thread:get("late_sends") or 0)
    max = math.max(max, thread:get("late_max_ms") or 0)
    for index = 1, #LATE_BUCKETS do
      buckets[index] = (buckets[index] or 0) + (thread:get("late_" .. index) or 0)
    end
  end
  -- the smallest bucket bound that 99% of all sends stay within (0: on time)
  local p99, above, allowed = 0, late, sends * 0.01
  if above > allowed then
    for index, bound in ipairs(LATE_BUCKETS) do
      above = above - buckets[index]  -- the sends later than this bound
      if above <= allowed then
        p99 = math.min(bound, max)
        break
      end
    end
  end
  return sends, late, max, p99
end

function init(args)
  local path = os.getenv("BENCH_BODY_FILE")
  if path then
    local file = assert(io.open(path, "rb"))
    body_template = file:read("*a")
    file:close()
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

if os.getenv("BENCH_BODY_FILE") then
  -- Defined only for POST: without a request() function wrk reuses one prebuilt request.
  function request()
    counter = counter + 1
    local key = string.format("%s%02d%018d", run_id, thread_number, counter)
    local body = string.gsub(body_template, "SUBMISSION_KEY", key, 1)
    return wrk.format(nil, nil, nil, body)
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  local sends, late, late_max, late_p99 = lateness()
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
    .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, '
    .. '"sends": %d, "late_sends": %d, "late_max_ms": %.1f, "late_p99_ms": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    sends, late, late_max, late_p99))
end
