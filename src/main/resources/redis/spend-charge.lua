-- Adds one call's cost to the spend counters of its budgets, atomically, and answers their new totals.
-- KEYS: the counters (micro-units of the currency, one per budget period); ARGV[1]: micro-units to add;
-- ARGV[1 + i]: seconds KEYS[i] lives after its first charge (its period, plus a margin).
local totals = {}
for i, key in ipairs(KEYS) do
    totals[i] = redis.call('INCRBY', key, ARGV[1])
    if redis.call('TTL', key) < 0 then
        redis.call('EXPIRE', key, ARGV[i + 1])
    end
end
return totals
