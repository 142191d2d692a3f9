-- wrk script for `make bench` (bench/load_runs.py runs it; not meant to be run by hand).
--
-- GET by default. With BENCH_BODY_FILE set, every request is a POST of that file's
-- form body with SUBMISSION_KEY replaced by a new 32-character key, unique across wrk's
-- threads: BENCH_RUN_ID (12 characters) + thread number (2 digits) + counter (18 digits).
-- At the end it prints one line, BENCH_JSON {...}, that the runner reads.

local body_template = nil
local run_id = os.getenv("BENCH_RUN_ID") or "benchmarkrun"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
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
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
    .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
