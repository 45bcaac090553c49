-- GET the first page of a conversation's messages, round-robin over conversations created beforehand (see
-- common.lua); PAGE_SIZE messages (20).
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "") .. "common.lua")

function init(args)
  local limit = os.getenv("PAGE_SIZE") or "20"
  per_conversation(function(c)
    return wrk.format("GET", "/api/v1/conversations/" .. c.id .. "/messages?limit=" .. limit, {["X-User-ID"] = c.user})
  end)
end

function request()
  return next_request()
end
