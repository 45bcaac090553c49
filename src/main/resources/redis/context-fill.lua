-- Replaces the cached messages with a conversation's state at a message count, unless a later state is cached.
-- KEYS[1] version, KEYS[2] messages
-- ARGV[1] message count, ARGV[2] created_at micros of the newest message (0 when none), ARGV[3] ttl ms,
-- ARGV[4..] the newest messages, newest first
-- Returns 1 when written, 0 when the cache already holds this or a later state.
local version = redis.call('GET', KEYS[1])
if version and tonumber(string.match(version, '^(%d+)')) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('DEL', KEYS[2])
if #ARGV > 3 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, 4))
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', ARGV[3])
return 1
