using StackExchange.Redis;

namespace OperaStudio.BrowserService.Sessions.Registry;

/// <summary>
/// The cluster-wide session limit, held under concurrent creates on several nodes: a create or restore takes a slot in
/// Redis, atomically against the live sessions in the registry plus the slots other nodes hold right now, before its
/// slow part; it gives the slot back once the registry lists the session. (Each node reading the registry and then
/// counting for itself let two nodes both take the last place.) A slot of a node that died expires by itself.
/// </summary>
public sealed partial class ClusterSlots(IConnectionMultiplexer redis, TimeProvider time, ILogger<ClusterSlots> logger)
{
    private const string SlotsKey = "opera:session-slots";
    private const string SessionsIndexKey = "opera:sessions";
    private static readonly TimeSpan SlotLifetime = TimeSpan.FromMinutes(2);

    // Counts the sessions in the index whose entry still exists (a dead node's expire) and the unexpired slots.
    private static readonly LuaScript Take = LuaScript.Prepare("""
        redis.call('ZREMRANGEBYSCORE', @slots, '-inf', @now)
        local live = 0
        for _, id in ipairs(redis.call('ZRANGE', @index, 0, -1)) do
          if redis.call('EXISTS', @prefix .. id) == 1 then live = live + 1 end
        end
        if live + redis.call('ZCARD', @slots) >= tonumber(@cap) then return 0 end
        redis.call('ZADD', @slots, @expires, @slot)
        return 1
        """);

    /// <summary>
    /// A slot under <paramref name="cap"/>: true when taken, false when the cluster is full, null when Redis cannot say
    /// (the caller falls back to what it counts itself).
    /// </summary>
    public async Task<bool?> TryTakeAsync(string slot, int cap)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            var now = time.GetUtcNow();
            var taken = await redis.GetDatabase().ScriptEvaluateAsync(Take, new
            {
                slots = (RedisKey)SlotsKey,
                index = (RedisKey)SessionsIndexKey,
                prefix = "opera:session:",
                now = now.ToUnixTimeMilliseconds(),
                expires = (now + SlotLifetime).ToUnixTimeMilliseconds(),
                cap,
                slot,
            });
            return (int)taken == 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(ex);
            return null;
        }
    }

    public async Task GiveBackAsync(string slot)
    {
        try
        {
            await redis.GetDatabase().SortedSetRemoveAsync(SlotsKey, slot);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // It expires by itself.
            LogUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster session slots in Redis are unavailable; this node counts the registry itself")]
    private partial void LogUnavailable(Exception exception);
}
