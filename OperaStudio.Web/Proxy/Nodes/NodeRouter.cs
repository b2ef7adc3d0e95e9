using System.Text.Json;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.ServiceDefaults;
using StackExchange.Redis;

namespace OperaStudio.Web.Proxy.Nodes;

/// <summary>
/// Chooses the browser-service node for a request from the node directory and the session registry in Redis: a
/// session's requests go to the live node that holds it; a session no live node holds goes to the node with the most
/// room (it restores there), as does a new session — a full or draining node is never chosen for those; anything else
/// goes to any live node. Returns the node ids allowed, best first; empty when nothing is known (Redis away), and the
/// proxy then picks among all nodes as with one.
/// </summary>
public sealed partial class NodeRouter(
    IConnectionMultiplexer redis, IOptions<BrowserNodesOptions> options, TimeProvider time, ILogger<NodeRouter> logger)
{
    private readonly HashSet<string> _configured = [.. Enumerable.Range(1, options.Value.Nodes).Select(BrowserNodes.ResourceName)];
    private readonly Lock _gate = new();
    private IReadOnlyList<NodeDto> _nodes = [];
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    // Sessions sent to each node since the directory was last read: its heartbeat does not count them yet, and fifty
    // creates at once must not all go to the node that had the most room a moment ago.
    private readonly Dictionary<string, int> _sentSinceRead = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<string>> ChooseAsync(RequestTarget target)
    {
        var nodes = await LiveNodesAsync();
        if (nodes.Count == 0)
        {
            return [];
        }

        if (target.SessionId is { } sessionId)
        {
            if (await HolderAsync(sessionId) is { } holder && nodes.Any(n => n.Id == holder))
            {
                return [holder];
            }

            return MostRoom(nodes) is { } restoreOn ? [restoreOn] : [.. nodes.Select(n => n.Id)];
        }

        if (target.Pinned)
        {
            // The same node for every request while it lives, draining or not: MCP sessions are in its memory (a drain
            // does not hand them over), so moving on while it still answers would lose them.
            return [nodes.Select(n => n.Id).Order(StringComparer.Ordinal).First()];
        }

        if (target.CreatesSession)
        {
            // None has room: any node answers why (at capacity, draining) with its 429 or 503.
            return MostRoom(nodes) is { } createOn ? [createOn] : [.. nodes.Select(n => n.Id)];
        }

        var taking = nodes.Where(n => !n.Draining).Select(n => n.Id).ToList();
        return taking.Count > 0 ? taking : [.. nodes.Select(n => n.Id)];
    }

    private string? MostRoom(IReadOnlyList<NodeDto> nodes)
    {
        lock (_gate)
        {
            var best = nodes
                .Select(n => (n.Id, Room: n.Room - _sentSinceRead.GetValueOrDefault(n.Id)))
                .Where(n => n.Room > 0)
                .OrderByDescending(n => n.Room)
                .ThenBy(n => n.Id, StringComparer.Ordinal)
                .Select(n => n.Id)
                .FirstOrDefault();
            if (best is not null)
            {
                _sentSinceRead[best] = _sentSinceRead.GetValueOrDefault(best) + 1;
            }

            return best;
        }
    }

    private async Task<string?> HolderAsync(string sessionId)
    {
        try
        {
            return await redis.GetDatabase().HashGetAsync(ClusterKeys.Session(sessionId), ClusterKeys.SessionNodeField);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(ex);
            return null;
        }
    }

    /// <summary>The configured nodes whose heartbeat is live, read at most once per cache period.</summary>
    private async Task<IReadOnlyList<NodeDto>> LiveNodesAsync()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (now - _readAt < TimeSpan.FromMilliseconds(options.Value.DirectoryCacheMilliseconds))
            {
                return _nodes;
            }
        }

        IReadOnlyList<NodeDto> nodes;
        try
        {
            var ids = _configured.Select(id => (RedisKey)ClusterKeys.Node(id)).ToArray();
            var entries = await redis.GetDatabase().StringGetAsync(ids);
            nodes = [.. entries.Where(e => !e.IsNullOrEmpty)
                .Select(e => JsonSerializer.Deserialize<NodeDto>((string)e!, ClusterKeys.Json))
                .OfType<NodeDto>()
                .Where(n => _configured.Contains(n.Id))];
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            LogUnavailable(ex);
            nodes = [];
        }

        lock (_gate)
        {
            _nodes = nodes;
            _readAt = now;
            _sentSinceRead.Clear();
            return nodes;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node directory or session registry in Redis cannot be read; requests go to any browser-service node")]
    private partial void LogUnavailable(Exception exception);
}
