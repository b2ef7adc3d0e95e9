using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>The live sessions of this node: creates them from the pool's leases, finds them, closes them.</summary>
public sealed partial class SessionManager : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, BrowserSession> _sessions = new(StringComparer.Ordinal);
    private readonly BrowserPool _pool;
    private readonly UrlGuard _guard;
    private readonly SessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionManager> _logger;
    private readonly SemaphoreSlim _capacity;

    public SessionManager(BrowserPool pool, UrlGuard guard, IOptions<SessionOptions> options, TimeProvider time, ILogger<SessionManager> logger)
    {
        _pool = pool;
        _guard = guard;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _capacity = new SemaphoreSlim(_options.MaxSessions, _options.MaxSessions);
        _pool.BrowserLost += OnBrowserLost;
    }

    /// <summary>Raised after a session starts, before anyone can see it; the live view subscribes here.</summary>
    public event Action<BrowserSession>? SessionStarted;

    public IReadOnlyCollection<BrowserSession> All => [.. _sessions.Values.OrderBy(s => s.CreatedAt)];

    public int Count => _sessions.Count;

    public BrowserSession? Find(string id) => _sessions.GetValueOrDefault(id);

    /// <summary>A new session from the warm pool; opens <paramref name="url"/> (waiting for commit) when given.</summary>
    public async Task<BrowserSession> CreateAsync(Uri? url, CancellationToken cancellationToken = default)
    {
        if (!_capacity.Wait(0, CancellationToken.None))
        {
            throw new SessionLimitException(
                $"This node runs its maximum of {_options.MaxSessions} sessions. Close one, or retry shortly.", TimeSpan.FromSeconds(10));
        }

        BrowserSession session;
        try
        {
            var lease = await _pool.AcquireAsync(cancellationToken);
            session = await BrowserSession.StartAsync(lease, _guard, _options, _pool.Options, _time, _logger);
        }
        catch
        {
            _capacity.Release();
            throw;
        }

        _sessions[session.Id] = session;
        SessionStarted?.Invoke(session);
        LogSessionCreated(session.Id, session.Lease.WasWarm);
        if (url is not null)
        {
            await session.ActiveTab.NavigateAsync(url, cancellationToken);
        }

        return session;
    }

    public async Task<bool> CloseAsync(string id, string reason)
    {
        if (!_sessions.TryRemove(id, out var session))
        {
            return false;
        }

        _capacity.Release();
        await session.CloseAsync(reason);
        LogSessionClosed(id, reason);
        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Hosted after the pool, so it stops first: sessions end (and viewers hear it) before Chromium goes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _pool.BrowserLost -= OnBrowserLost;
        await Task.WhenAll(_sessions.Keys.Select(id => CloseAsync(id, "the browser service is shutting down")));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _capacity.Dispose();
    }

    private void OnBrowserLost(PooledBrowser browser)
    {
        foreach (var session in _sessions.Values.Where(s => s.Lease.Browser == browser))
        {
            _ = CloseAsync(session.Id, "Chromium crashed; this session's pages are gone");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} created (warm: {Warm})")]
    private partial void LogSessionCreated(string sessionId, bool warm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} closed: {Reason}")]
    private partial void LogSessionClosed(string sessionId, string reason);
}
