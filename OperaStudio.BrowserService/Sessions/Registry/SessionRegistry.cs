using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using StackExchange.Redis;

namespace OperaStudio.BrowserService.Sessions.Registry;

/// <summary>
/// The live-session registry in Redis: one hash per session (node, owner, state, tabs, viewers, control, created,
/// last activity) with a short TTL that this node's heartbeat renews, so entries of a node that dies expire by
/// themselves. Writes are batched off the hot path; when Redis is down they wait and the next heartbeat catches up.
/// </summary>
public sealed partial class SessionRegistry(
    IConnectionMultiplexer redis,
    IOptions<SessionOptions> options,
    TimeProvider time,
    ILogger<SessionRegistry> logger) : BackgroundService
{
    private const string IndexKey = "opera:sessions";
    private const int MaxListedTitle = 1000;
    private static readonly TimeSpan EntryTtl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(500);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, BrowserSession> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _removed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _control = new(StringComparer.Ordinal);

    public string NodeId { get; } = options.Value.ResolveNodeId();

    public bool IsAvailable => redis.IsConnected;

    /// <summary>Every live session in the cluster, newest activity first; null when Redis cannot be read.</summary>
    public async Task<IReadOnlyList<RegisteredSession>?> ListAsync()
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            var db = redis.GetDatabase();
            var ids = await db.SortedSetRangeByScoreAsync(IndexKey, order: Order.Descending);
            var batch = db.CreateBatch();
            var reads = ids.Select(id => (Id: (string)id!, Read: batch.HashGetAllAsync(EntryKey(id!)))).ToList();
            batch.Execute();
            var result = new List<RegisteredSession>();
            foreach (var (id, read) in reads)
            {
                var fields = (await read).ToDictionary(e => (string)e.Name!, e => (string?)e.Value, StringComparer.Ordinal);
                if (fields.Count == 0)
                {
                    // Its node stopped renewing it: drop the dangling index entry.
                    await db.SortedSetRemoveAsync(IndexKey, id);
                    continue;
                }

                result.Add(RegisteredSession.From(fields));
            }

            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(ex);
            return null;
        }
    }

    /// <summary>The node that runs a session, when it is live anywhere in the cluster; null otherwise or when Redis is down.</summary>
    public async Task<string?> FindNodeAsync(string sessionId)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            return await redis.GetDatabase().HashGetAsync(EntryKey(sessionId), ClusterKeys.SessionNodeField);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(ex);
            return null;
        }
    }

    /// <summary>Registers a session that started or was restored here; it leaves the registry when it ends.</summary>
    public void Track(BrowserSession session)
    {
        _live[session.Id] = session;
        _dirty[session.Id] = 0;
        session.Events += e =>
        {
            switch (e)
            {
                case SessionEnded:
                    _live.TryRemove(session.Id, out _);
                    _dirty.TryRemove(session.Id, out _);
                    _control.TryRemove(session.Id, out _);
                    _removed[session.Id] = 0;
                    break;
                case ControlChanged change:
                    _control[session.Id] = change.Control.Holder;
                    _dirty[session.Id] = 0;
                    break;
                case TabsChanged or TabUpdated or ViewportChanged:
                    _dirty[session.Id] = 0;
                    break;
            }
        };
    }

    /// <summary>
    /// Writes what changed now rather than at the next flush: a drain hands its sessions over, and another node must
    /// not find them still held here when their viewers arrive there a moment later.
    /// </summary>
    public Task FlushNowAsync() => FlushAsync(includeAll: false);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(includeAll: false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sinceHeartbeat = TimeSpan.MaxValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var heartbeat = sinceHeartbeat >= Heartbeat;
            await FlushAsync(includeAll: heartbeat);
            sinceHeartbeat = heartbeat ? TimeSpan.Zero : sinceHeartbeat + FlushInterval;
            try
            {
                await Task.Delay(FlushInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Writes changed sessions (or, on a heartbeat, all of them) and removes ended ones, in one batch.</summary>
    private async Task FlushAsync(bool includeAll)
    {
        if (!redis.IsConnected || (!includeAll && _dirty.IsEmpty && _removed.IsEmpty))
        {
            return;
        }

        var toWrite = includeAll ? _live.Values.ToList() : _dirty.Keys.Select(id => _live.GetValueOrDefault(id)).OfType<BrowserSession>().ToList();
        var toRemove = _removed.Keys.ToList();
        foreach (var session in toWrite)
        {
            _dirty.TryRemove(session.Id, out _);
        }

        foreach (var id in toRemove)
        {
            _removed.TryRemove(id, out _);
        }

        try
        {
            var db = redis.GetDatabase();
            var batch = db.CreateBatch();
            var writes = new List<Task>();
            foreach (var session in toWrite.Where(s => !s.IsClosed))
            {
                var dto = session.ToDto();
                writes.Add(batch.HashSetAsync(EntryKey(session.Id), Fields(session, dto)));
                writes.Add(batch.KeyExpireAsync(EntryKey(session.Id), EntryTtl));
                writes.Add(batch.SortedSetAddAsync(IndexKey, session.Id, dto.LastActivityAt.ToUnixTimeMilliseconds()));
            }

            foreach (var id in toRemove)
            {
                writes.Add(batch.KeyDeleteAsync(EntryKey(id)));
                writes.Add(batch.SortedSetRemoveAsync(IndexKey, id));
            }

            batch.Execute();
            await Task.WhenAll(writes);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            // Try again: removals now, everything else with the next heartbeat. (The client cancels what it has not
            // sent when its connection drops or closes, which on a loaded machine happens mid-shutdown: a stop that
            // threw here failed the host's whole disposal.)
            foreach (var id in toRemove)
            {
                _removed[id] = 0;
            }

            LogUnavailable(ex);
        }
    }

    private HashEntry[] Fields(BrowserSession session, SessionDto dto) =>
    [
        new("id", dto.Id),
        new(ClusterKeys.SessionNodeField, NodeId),
        new("owner", session.Owner ?? ""),
        new("state", "live"),
        new("activeTabId", dto.ActiveTabId),
        new("tabs", JsonSerializer.Serialize(dto.Tabs.Select(Listed), Json)),
        new("viewers", dto.Viewers),
        new("control", _control.GetValueOrDefault(session.Id, "user")),
        new("createdAt", dto.CreatedAt.ToUnixTimeMilliseconds()),
        new("lastActivityAt", dto.LastActivityAt.ToUnixTimeMilliseconds()),
        new("viewport", JsonSerializer.Serialize(dto.Viewport, Json)),
    ];

    /// <summary>
    /// A tab as the cluster-wide list shows it: a page may navigate itself to a URL of megabytes, which the list (read
    /// by every caller) must not carry.
    /// </summary>
    private static TabDto Listed(TabDto tab) =>
        tab.Url.Length <= InputLimits.Url && tab.Title.Length <= MaxListedTitle
            ? tab
            : tab with { Url = Clip(tab.Url, InputLimits.Url), Title = Clip(tab.Title, MaxListedTitle) };

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];

    private static string EntryKey(string id) => ClusterKeys.Session(id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis session registry is unavailable; this node keeps its sessions and retries")]
    private partial void LogUnavailable(Exception exception);
}
