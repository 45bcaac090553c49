-- GET the first page of a conversation's messages, round-robin over conversations created beforehand (see
-- common.lua); PAGE_SIZE messages (20).
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "") .. "common.lua")

function init(args)
  requests, next_one = {}, 1
  local limit = os.getenv("PAGE_SIZE") or "20"
  for _, c in ipairs(my_conversations()) do
    table.insert(requests, wrk.format("GET", "/api/v1/conversations/" .. c.id .. "/messages?limit=" .. limit,
      {["X-User-ID"] = c.user}))
  end
end

function request()
  local r = requests[next_one]
  next_one = next_one % #requests + 1
  return r
end
