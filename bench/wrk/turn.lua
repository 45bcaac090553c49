-- A non-streaming chat turn per request, round-robin over conversations created beforehand (see common.lua).
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "") .. "common.lua")

function init(args)
  requests, next_one = {}, 1
  local body = '{"content":"' .. (os.getenv("CONTENT") or "hello") .. '"}'
  for _, c in ipairs(my_conversations()) do
    table.insert(requests, wrk.format("POST", "/api/v1/conversations/" .. c.id .. "/messages",
      {["Content-Type"] = "application/json", ["X-User-ID"] = c.user}, body))
  end
end

function request()
  local r = requests[next_one]
  next_one = next_one % #requests + 1
  return r
end
