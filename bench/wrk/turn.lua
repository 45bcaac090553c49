-- A non-streaming chat turn per request, round-robin over conversations created beforehand (see common.lua).
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "") .. "common.lua")

function init(args)
  local body = '{"content":"' .. (os.getenv("CONTENT") or "hello") .. '"}'
  per_conversation(function(c)
    return wrk.format("POST", "/api/v1/conversations/" .. c.id .. "/messages",
      {["Content-Type"] = "application/json", ["X-User-ID"] = c.user}, body)
  end)
end

function request()
  return next_request()
end
