-- GET the first page of a conversation's messages, round-robin over the conversations in the file named by
-- CONVERSATIONS ("user<TAB>conversation id" per line); each wrk thread takes every n-th one (n = WRK_THREADS).
local requests = {}

function setup(thread)
  thread:set("index", (threads_seen or 0))
  threads_seen = (threads_seen or 0) + 1
end

function init(args)
  local count = tonumber(os.getenv("WRK_THREADS") or "1")
  local limit = os.getenv("PAGE_SIZE") or "20"
  local i = 0
  for line in io.lines(os.getenv("CONVERSATIONS")) do
    if i % count == index then
      local user, id = line:match("([^\t]+)\t([^\t]+)")
      table.insert(requests, wrk.format("GET", "/api/v1/conversations/" .. id .. "/messages?limit=" .. limit,
        {["X-User-ID"] = user}))
    end
    i = i + 1
  end
  next_one = 1
end

function request()
  local r = requests[next_one]
  next_one = next_one % #requests + 1
  return r
end

function done(summary, latency, requests)
  io.write(string.format("wrk_summary requests=%d errors_status=%d errors_connect=%d errors_read=%d errors_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
