-- A caller's running turns, as a sorted set of turn id -> lease expiry (ms). Expired leases (their pod died) are
-- dropped first, so the set heals itself.
-- KEYS[1] the set; ARGV[1] 'acquire' | 'renew'; ARGV[2] turn id; ARGV[3] lease ms; ARGV[4] max running turns
-- acquire returns {1, running} when taken, {0, running} when the caller is at the limit; renew returns {1|0, running}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expiry = now + tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] == 'renew' then
  local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', expiry, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {renewed, redis.call('ZCARD', KEYS[1])}
end
local running = redis.call('ZCARD', KEYS[1])
if running >= tonumber(ARGV[4]) then
  return {0, running}
end
redis.call('ZADD', KEYS[1], expiry, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, running + 1}
