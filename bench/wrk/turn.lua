-- A non-streaming chat turn per request, round-robin over conversations created beforehand.
-- The file named by the CONVERSATIONS environment variable holds one "user<TAB>conversation id" per line.
-- Each wrk thread takes every n-th conversation (n = WRK_THREADS, as given to -t), so no two threads share one.
local conversations = {}

function setup(thread)
  thread:set("index", (threads_seen or 0))
  threads_seen = (threads_seen or 0) + 1
end

function init(args)
  local count = tonumber(os.getenv("WRK_THREADS") or "1") -- wrk calls init before the next thread is set up
  local i = 0
  for line in io.lines(os.getenv("CONVERSATIONS")) do
    if i % count == index then
      local user, id = line:match("([^\t]+)\t([^\t]+)")
      table.insert(conversations, {user = user, path = "/api/v1/conversations/" .. id .. "/messages"})
    end
    i = i + 1
  end
  next_one = 1
  body = '{"content":"' .. (os.getenv("CONTENT") or "hello") .. '"}'
end

function request()
  local c = conversations[next_one]
  next_one = next_one % #conversations + 1
  return wrk.format("POST", c.path, {["Content-Type"] = "application/json", ["X-User-ID"] = c.user}, body)
end

function done(summary, latency, requests)
  io.write(string.format("wrk_summary requests=%d errors_status=%d errors_connect=%d errors_read=%d errors_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
