-- The cached newest messages of a conversation, if they are its state at the expected message count.
-- KEYS[1] version ("<message count> <created_at micros of the newest>"), KEYS[2] messages (list, newest first)
-- ARGV[1] expected message count, or '' for whatever count the entry holds, ARGV[2] ttl ms
-- Returns {1, messages, count} on a hit (and extends the ttl), {0} otherwise.
local version = redis.call('GET', KEYS[1])
if not version then
  return {0}
end
local count = string.match(version, '^(%d+)')
if ARGV[1] ~= '' and tonumber(count) ~= tonumber(ARGV[1]) then
  return {0}
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {1, redis.call('LRANGE', KEYS[2], 0, -1), count}
