using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Identity;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>
/// Live-view connections opened with a personal API token. A connection is authenticated once, when it opens, and
/// would otherwise outlive its token for as long as it stays open: revoking the token on this node ends them at once,
/// and a check every <see cref="CheckEvery"/> ends those whose token expired or was revoked on another node.
/// </summary>
internal sealed partial class TokenConnections : BackgroundService
{
    public const string EndedReason = "The API token this view was opened with was revoked or has expired.";

    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly ApiTokenStore _tokens;
    private readonly IHubContext<LiveViewHub, ILiveViewClient> _hub;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenConnections> _logger;

    public TokenConnections(ApiTokenStore tokens, IHubContext<LiveViewHub, ILiveViewClient> hub, TimeProvider time, ILogger<TokenConnections> logger)
    {
        _tokens = tokens;
        _hub = hub;
        _time = time;
        _logger = logger;
        tokens.Revoked += ids => _ = EndAsync(ids.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Watches a new connection when it was opened with a token (the web app's signed callers have none).</summary>
    public void Add(HubCallerContext context)
    {
        if (context.User is { } user && Callers.TokenId(user) is { } tokenId)
        {
            _connections[context.ConnectionId] = new Connection(tokenId, context);
        }
    }

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>The session a connection watches, so the viewer is told why its view ended (set and cleared by the hub).</summary>
    public void Watching(string connectionId, string? sessionId)
    {
        if (_connections.TryGetValue(connectionId, out var connection))
        {
            connection.SessionId = sessionId;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var ids = _connections.Values.Select(c => c.TokenId).ToHashSet(StringComparer.Ordinal);
            if (ids.Count == 0)
            {
                continue;
            }

            try
            {
                var valid = await _tokens.StillValidAsync(ids, stoppingToken);
                ids.ExceptWith(valid);
                await EndAsync(ids);
            }
            catch (Exception ex) when (StoreErrors.IsOutage(ex))
            {
                // Unknown is not invalid: the views go on, and the next check asks again.
                LogCheckFailed(ex);
            }
        }
    }

    private async Task EndAsync(HashSet<string> tokenIds)
    {
        foreach (var (connectionId, connection) in _connections)
        {
            if (!tokenIds.Contains(connection.TokenId) || !_connections.TryRemove(connectionId, out _))
            {
                continue;
            }

            LogEnded(connectionId, connection.TokenId);
            try
            {
                if (connection.SessionId is { } sessionId)
                {
                    await _hub.Clients.Client(connectionId).AccessEnded(sessionId, EndedReason);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Gone already: nothing to tell.
            }

            connection.Context.Abort();
        }
    }

    private sealed class Connection(string tokenId, HubCallerContext context)
    {
        public string TokenId { get; } = tokenId;

        public HubCallerContext Context { get; } = context;

        public string? SessionId { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live view {ConnectionId} ended: its API token {TokenId} was revoked or has expired")]
    private partial void LogEnded(string connectionId, string tokenId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the API tokens of open live views failed; they stay open until the next check")]
    private partial void LogCheckFailed(Exception exception);
}
