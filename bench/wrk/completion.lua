-- POST one non-streaming chat completion to an OpenAI-compatible endpoint (the simulator, or a gateway in front
-- of it). Extra headers come from EXTRA_HEADERS ("Name: value|Name: value"), e.g. the gateway's routing headers.
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "") .. "common.lua")

wrk.method = "POST"
wrk.body = '{"model":"sim-model","messages":[{"role":"user","content":"hello"}]}'
wrk.headers["Content-Type"] = "application/json"
for header in string.gmatch(os.getenv("EXTRA_HEADERS") or "", "[^|]+") do
  local name, value = header:match("^%s*([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end
