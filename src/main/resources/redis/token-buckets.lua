-- Token buckets taken from together: either every bucket gives its cost, or none gives anything. In 'charge' mode
-- the costs are taken whatever is left (LLM tokens a reply used, known only afterwards): a bucket may go into debt,
-- and then refuses until it is refilled.
-- KEYS[i] one hash per bucket {tokens, at}
-- ARGV[1] now in microseconds, '' for the Redis server's clock (one clock for every replica)
-- ARGV[2] 'take' or 'charge'
-- ARGV[3 + 3(i-1) ..] per bucket: capacity, refill rate in tokens per second, cost (0 checks without taking)
-- Returns {allowed 0|1, retry after ms, then per bucket: tokens left (floored), ms until full}
local now
if ARGV[1] == '' then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
else
  now = tonumber(ARGV[1])
end
local tokens, at = {}, {}
local charge = ARGV[2] == 'charge'
local allowed, retry = 1, 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[3 * i])
  local rate = tonumber(ARGV[3 * i + 1])
  local cost = tonumber(ARGV[3 * i + 2])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local t, since = tonumber(state[1]), tonumber(state[2])
  if t == nil or since == nil then
    t, since = capacity, now
  end
  -- A clock behind the last one seen refills nothing (replicas' clocks may differ a little).
  if now > since then
    t = math.min(capacity, t + (now - since) * rate / 1000000)
    since = now
  end
  tokens[i], at[i] = t, since
  if t < cost and not charge then
    allowed = 0
    retry = math.max(retry, math.ceil((cost - t) * 1000 / rate))
  end
end
local result = {allowed, retry}
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[3 * i])
  local rate = tonumber(ARGV[3 * i + 1])
  local t = tokens[i]
  if allowed == 1 then
    t = t - tonumber(ARGV[3 * i + 2])
  end
  local untilFull = math.ceil((capacity - t) * 1000 / rate)
  redis.call('HSET', KEYS[i], 'tokens', tostring(t), 'at', tostring(at[i]))
  -- A full bucket is the same as a missing one: let it expire then.
  redis.call('PEXPIRE', KEYS[i], untilFull + 1000)
  result[#result + 1] = math.floor(t)
  result[#result + 1] = untilFull
end
return result
