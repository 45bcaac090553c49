-- Adds a newly committed message to the cached ones, if they are the state just before it.
-- KEYS[1] version, KEYS[2] messages
-- ARGV[1] message count with the new message, ARGV[2] its created_at micros, ARGV[3] the message,
-- ARGV[4] messages kept, ARGV[5] ttl ms
-- Returns 1 when appended, 0 when nothing is cached or the cached state already includes it, -1 when the cache was dropped
-- because it holds another state (a write it missed) or the message is not the newest (a late reply).
local version = redis.call('GET', KEYS[1])
if not version then
  return 0
end
local count, newest = string.match(version, '^(%d+) (%d+)$')
count = tonumber(count)
local target = tonumber(ARGV[1])
if count >= target then
  return 0
end
if count ~= target - 1 or tonumber(newest) >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return -1
end
redis.call('LPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', ARGV[5])
return 1
