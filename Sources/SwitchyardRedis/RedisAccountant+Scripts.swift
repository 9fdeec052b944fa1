/// The accountant's Lua scripts. Each runs atomically in Redis, so admission (rate limits and
/// reservation together) and settling are one round trip each and exact across replicas.
///
/// Keys of one virtual key share a hash tag (`{id}`), so they live on one cluster slot:
/// - `switchyard:{id}` hash — `bal` (credits left, nanodollars; absent until seeded), `res`
///   (reserved), `par` (requests in flight), `rt`/`rts` and `tt`/`tts` (RPM and TPM token buckets:
///   tokens and last update, ms);
/// - `switchyard:{id}:leases` sorted set — hold id → lease end (ms);
/// - `switchyard:{id}:holds` hash — hold id → `amount:countsParallel`;
/// - `switchyard:{id}:spend:{periodStart}` string — budget spend in the period (absent until seeded).
///
/// Money is passed and stored as decimal strings and only compared as Lua numbers (exact below
/// 2^53 nanodollars; the accountant clamps to that), so no amount is ever formatted by Lua.
extension RedisAccountant {
    static let prelude = """
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function drop_hold(id)
          local h = redis.call('HGET', KEYS[3], id)
          if not h then return end
          local amount, par = string.match(h, '^(%d+):(%d)$')
          if amount and amount ~= '0' then redis.call('HINCRBY', KEYS[1], 'res', '-' .. amount) end
          if par == '1' then redis.call('HINCRBY', KEYS[1], 'par', -1) end
          redis.call('HDEL', KEYS[3], id)
          redis.call('ZREM', KEYS[2], id)
        end
        local function purge(now)
          local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
          for _, id in ipairs(expired) do drop_hold(id) end
          redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        end
        local function bucket(tokens_field, time_field, capacity, now)
          local v = redis.call('HMGET', KEYS[1], tokens_field, time_field)
          local tokens, at = tonumber(v[1]), tonumber(v[2])
          if tokens == nil or at == nil then return capacity end
          if now > at then tokens = math.min(capacity, tokens + (now - at) * capacity / 60000) end
          return tokens
        end

        """

    /// ARGV: hold id, lease ms, amount, estimated tokens, rpm, tpm, max parallel (0 = none),
    /// has credits (1/0), budget amount ('' = none).
    /// Reply: {'ok'} | {'seed'} | {'parallel'} | {'rpm'|'tpm', wait ms} | {'credits'|'budget', available}.
    static let admit = RedisScript(prelude + """
        local now = now_ms()
        purge(now)
        local amount, est = ARGV[3], tonumber(ARGV[4])
        local rpm, tpm, maxpar = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
        local credits, budget = ARGV[8] == '1', ARGV[9]
        local s = redis.call('HMGET', KEYS[1], 'bal', 'res', 'par')
        local bal, res, par = s[1], tonumber(s[2] or '0'), tonumber(s[3] or '0')
        local spend = nil
        if credits and not bal then return {'seed'} end
        if budget ~= '' then
          spend = redis.call('GET', KEYS[4])
          if not spend then return {'seed'} end
        end
        if maxpar > 0 and par >= maxpar then return {'parallel'} end
        local tt, rt
        if tpm > 0 then
          tt = bucket('tt', 'tts', tpm, now)
          if tt < 1 then return {'tpm', tostring(math.ceil((1 - tt) * 60000 / tpm))} end
        end
        if rpm > 0 then
          rt = bucket('rt', 'rts', rpm, now)
          if rt < 1 then return {'rpm', tostring(math.ceil((1 - rt) * 60000 / rpm))} end
        end
        if credits or budget ~= '' then
          local headroom, what = nil, 'credits'
          if credits then headroom = tonumber(bal) end
          if budget ~= '' then
            local left = tonumber(budget) - tonumber(spend)
            if headroom == nil or left < headroom then headroom, what = left, 'budget' end
          end
          local available = headroom - res
          if available <= 0 or tonumber(amount) > available then return {what, string.format('%.0f', math.max(available, 0))} end
        end
        if rpm > 0 then redis.call('HSET', KEYS[1], 'rt', tostring(rt - 1), 'rts', tostring(now)) end
        if tpm > 0 then redis.call('HSET', KEYS[1], 'tt', tostring(tt - est), 'tts', tostring(now)) end
        local counts = '0'
        if maxpar > 0 then
          counts = '1'
          redis.call('HINCRBY', KEYS[1], 'par', 1)
        end
        if amount ~= '0' then redis.call('HINCRBY', KEYS[1], 'res', amount) end
        redis.call('HSET', KEYS[3], ARGV[1], amount .. ':' .. counts)
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
        return {'ok'}
        """)

    /// ARGV: hold id ('' = none), cost, token correction (estimated − actual), tpm, has credits,
    /// budget amount ('' = none). Reply: the charge.
    static let settle = RedisScript(prelude + """
        local now = now_ms()
        if ARGV[1] ~= '' then drop_hold(ARGV[1]) end
        local tpm = tonumber(ARGV[4])
        if tpm > 0 then
          local tt = bucket('tt', 'tts', tpm, now)
          redis.call('HSET', KEYS[1], 'tt', tostring(math.min(tpm, tt + tonumber(ARGV[3]))), 'tts', tostring(now))
        end
        local charge = ARGV[2]
        local bal, spend = nil, nil
        if ARGV[5] == '1' then bal = redis.call('HGET', KEYS[1], 'bal') end
        if ARGV[6] ~= '' then spend = redis.call('GET', KEYS[4]) end
        if bal and tonumber(bal) < tonumber(charge) then charge = bal end
        if spend then
          local left = tonumber(ARGV[6]) - tonumber(spend)
          if left < tonumber(charge) then charge = string.format('%.0f', left) end
        end
        if tonumber(charge) <= 0 then return '0' end
        if bal then redis.call('HINCRBY', KEYS[1], 'bal', '-' .. charge) end
        if spend then redis.call('INCRBY', KEYS[4], charge) end
        return charge
        """)

    /// ARGV: hold id, estimated tokens (given back), tpm.
    static let release = RedisScript(prelude + """
        local now = now_ms()
        drop_hold(ARGV[1])
        local tpm = tonumber(ARGV[3])
        if tpm > 0 then
          local tt = bucket('tt', 'tts', tpm, now)
          redis.call('HSET', KEYS[1], 'tt', tostring(math.min(tpm, tt + tonumber(ARGV[2]))), 'tts', tostring(now))
        end
        return 1
        """)

    /// Seeds a key's balance and period spend from the store, unless another replica already did.
    /// ARGV: has credits, balance, has budget, spend, spend TTL seconds.
    static let seed = RedisScript("""
        if ARGV[1] == '1' then redis.call('HSETNX', KEYS[1], 'bal', ARGV[2]) end
        if ARGV[3] == '1' then redis.call('SET', KEYS[4], ARGV[4], 'NX', 'EX', ARGV[5]) end
        return 1
        """)
}
