-- wrk script: sends the auth header and prints one JSON line with the numbers
-- the benchmark records (wrk's own text output is for people).
local api_key = os.getenv("WAGATE_BENCH_KEY") or ""
wrk.headers["x-api-key"] = api_key
-- A POST benchmark (send text) sets the JSON body to post.
local body = os.getenv("WAGATE_BENCH_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["content-type"] = "application/json"
end

-- Several bodies (one per line, WAGATE_BENCH_BODIES): each request posts the
-- next, e.g. sends spread over several chats.
local bodies = {}
local list = os.getenv("WAGATE_BENCH_BODIES")
if list and list ~= "" then
  for b in string.gmatch(list, "[^\n]+") do table.insert(bodies, b) end
end
if #bodies > 0 then
  wrk.method = "POST"
  wrk.headers["content-type"] = "application/json"
  local n = 0
  request = function()
    n = n + 1
    return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
  end
end

function done(summary, latency, requests)
  local us = function(p) return latency:percentile(p) end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors_status":%d,"errors_connect":%d,' ..
    '"errors_read":%d,"errors_write":%d,"errors_timeout":%d,"bytes":%d,' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout, summary.bytes,
    us(50), us(90), us(99), us(99.9), latency.max, latency.mean))
end
