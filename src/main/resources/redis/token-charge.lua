-- Charges a bucket after the fact (LLM tokens a reply used): it may go below zero, then refuses until refilled.
-- KEYS[1] the bucket hash; ARGV[1] now in microseconds or '' for the server's clock; ARGV[2] capacity,
-- ARGV[3] refill rate per second, ARGV[4] amount. Returns the tokens left, floored.
local now
if ARGV[1] == '' then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
else
  now = tonumber(ARGV[1])
end
local capacity, rate, amount = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local t, since = tonumber(state[1]), tonumber(state[2])
if t == nil or since == nil then
  t, since = capacity, now
end
if now > since then
  t = math.min(capacity, t + (now - since) * rate / 1000000)
  since = now
end
t = t - amount
redis.call('HSET', KEYS[1], 'tokens', tostring(t), 'at', tostring(since))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - t) * 1000 / rate) + 1000)
return math.floor(t)
