-- POST one non-streaming chat completion to an OpenAI-compatible endpoint (the simulator, or a gateway in front
-- of it). Extra headers come from EXTRA_HEADERS ("Name: value|Name: value"), e.g. the gateway's routing headers.
wrk.method = "POST"
wrk.body = '{"model":"sim-model","messages":[{"role":"user","content":"hello"}]}'
wrk.headers["Content-Type"] = "application/json"
for header in string.gmatch(os.getenv("EXTRA_HEADERS") or "", "[^|]+") do
  local name, value = header:match("^%s*([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

function done(summary, latency, requests)
  io.write(string.format("wrk_summary requests=%d errors_status=%d errors_connect=%d errors_read=%d errors_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
