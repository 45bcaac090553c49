-- Shared by the wrk scripts here (wrk runs one script; they load this one with dofile).

-- Each wrk thread gets an index (wrk calls setup for one thread, then its init, before the next thread).
function setup(thread)
  thread:set("index", (threads_seen or 0))
  threads_seen = (threads_seen or 0) + 1
end

-- The conversations of the file named by CONVERSATIONS ("user<TAB>conversation id" per line) that belong to this
-- thread: every n-th one (n = WRK_THREADS, as given to -t), so no two threads share one.
function my_conversations()
  local count = tonumber(os.getenv("WRK_THREADS") or "1")
  local mine, i = {}, 0
  for line in io.lines(os.getenv("CONVERSATIONS")) do
    if i % count == index then
      local user, id = line:match("([^\t]+)\t([^\t]+)")
      table.insert(mine, {user = user, id = id})
    end
    i = i + 1
  end
  return mine
end

-- One prebuilt request per conversation of this thread, from build(conversation); next_request() cycles through
-- them. Call it from init; define request() in the script itself (wrk decides at load time whether it has one).
function per_conversation(build)
  requests, next_one = {}, 1
  for _, c in ipairs(my_conversations()) do
    table.insert(requests, build(c))
  end
end

function next_request()
  local r = requests[next_one]
  next_one = next_one % #requests + 1
  return r
end

-- One line that bench/run parses.
function done(summary, latency, requests)
  io.write(string.format("wrk_summary requests=%d errors_status=%d errors_connect=%d errors_read=%d errors_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
