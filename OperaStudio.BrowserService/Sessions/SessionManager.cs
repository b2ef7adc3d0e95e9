using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions.Persistence;
using OperaStudio.BrowserService.Sessions.Registry;
using OperaStudio.BrowserService.Identity;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// The sessions of this node through their whole life: created from the warm pool within the limits (node,
/// cluster, user); saved as they change; released when idle or too old; suspended when Chromium crashes or the
/// service stops; restored — same id, same tabs, still logged in — the next time anyone asks for them.
/// </summary>
public sealed partial class SessionManager : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, BrowserSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _restoring = new(StringComparer.Ordinal);
    // Closed here while the store could not record it: never restored from a stale record meanwhile.
    private readonly ConcurrentDictionary<string, byte> _closedNotStored = new(StringComparer.Ordinal);
    private readonly BrowserPool _pool;
    private readonly UrlGuard _guard;
    private readonly SessionSaver _saver;
    private readonly SessionStateStore _store;
    private readonly SessionRegistry _registry;
    private readonly Nodes.NodeDirectory _nodes;
    private readonly ClusterSlots _clusterSlots;
    private readonly HistoryRecorder _history;
    private readonly BrowserServiceMetrics _metrics;
    private readonly SessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionManager> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _sweeper = Task.CompletedTask;
    private Task? _stopped;

    /// <summary>The operator (and automation with the admin token): not limited per user; node and cluster limits still hold.</summary>
    private readonly string _administrator;

    public SessionManager(
        BrowserPool pool, UrlGuard guard, SessionSaver saver, SessionStateStore store, SessionRegistry registry,
        Nodes.NodeDirectory nodes, ClusterSlots clusterSlots, HistoryRecorder history, BrowserServiceMetrics metrics, IOptions<SessionOptions> options, IOptions<AuthOptions> auth,
        TimeProvider time, ILogger<SessionManager> logger)
    {
        _administrator = auth.Value.Admin.UserName;
        _history = history;
        _metrics = metrics;
        _pool = pool;
        _guard = guard;
        _saver = saver;
        _store = store;
        _registry = registry;
        _nodes = nodes;
        _clusterSlots = clusterSlots;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _pool.BrowserLost += OnBrowserLost;
    }

    /// <summary>Raised after a session starts or is restored, before anyone can see it; the live view subscribes here.</summary>
    public event Action<BrowserSession>? SessionStarted;

    public IReadOnlyCollection<BrowserSession> All => [.. _sessions.Values.OrderBy(s => s.CreatedAt)];

    public int Count => _sessions.Count;

    public bool IsAtCapacity => _sessions.Count + PendingSlots >= _options.MaxSessions;

    /// <summary>A session live on this node (no restore).</summary>
    public BrowserSession? Find(string id) => _sessions.GetValueOrDefault(id);

    /// <summary>
    /// A new session from the warm pool; opens <paramref name="url"/> (waiting for commit) when given. When that first
    /// navigation fails the session is closed before the error reaches the caller: a failed create leaves nothing behind.
    /// </summary>
    public async Task<BrowserSession> CreateAsync(Uri? url, string? owner = null, CancellationToken cancellationToken = default)
    {
        using var activity = BrowserServiceActivities.SessionCreate();
        BrowserSession session;
        var lease = default(BrowserLease);
        using (await ReserveSlotAsync(owner))
        {
            try
            {
                lease = await _pool.AcquireAsync(cancellationToken);
                session = await BrowserSession.StartAsync(lease, owner, _guard, _options, _pool.Options, _time, _logger);
            }
            catch
            {
                if (lease is not null)
                {
                    await lease.DisposeAsync();
                }

                throw;
            }

            // Counted as a session from here on: the slot can go.
            Adopt(session);
        }

        _metrics.SessionCreated();
        LogSessionCreated(session.Id, lease.WasWarm);
        activity?.SetTag("opera.session.id", session.Id).SetTag("opera.pool.warm", lease.WasWarm);
        if (url is not null)
        {
            try
            {
                await session.ActiveTab.NavigateAsync(url, cancellationToken);
            }
            catch
            {
                await CloseAsync(session.Id, "its first navigation failed");
                throw;
            }
        }

        return session;
    }

    /// <summary>
    /// The live session, or — if it was released, suspended by a crash or a restart — the same session brought back
    /// from its saved state. Null when it never existed, was closed by its user, or runs on another node.
    /// </summary>
    public async Task<BrowserSession?> GetOrRestoreAsync(string id, CancellationToken cancellationToken = default)
    {
        if (Find(id) is { } live)
        {
            return live;
        }

        if (_closedNotStored.ContainsKey(id))
        {
            return null;
        }

        var gate = _restoring.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Find(id) is { } restoredMeanwhile)
            {
                return restoredMeanwhile;
            }

            if (_closedNotStored.ContainsKey(id))
            {
                return null;
            }

            var saved = await _store.LoadRestorableAsync(id, cancellationToken);
            if (saved is null)
            {
                return null;
            }

            if (await _registry.FindNodeAsync(id) is { } node && node != _registry.NodeId && await _nodes.IsAliveAsync(node))
            {
                // Live on another node; the caller should be routed there. (A node whose heartbeat expired is dead:
                // its sessions come back here from their last saved state.)
                return null;
            }

            BrowserSession session;
            var lease = default(BrowserLease);
            using (await ReserveSlotAsync(saved.Owner))
            {
                try
                {
                    lease = await _pool.AcquireWithStorageAsync(saved.StorageStateJson, cancellationToken);
                    session = await BrowserSession.RestoreAsync(saved, lease, _guard, _options, _pool.Options, _time, _logger);
                }
                catch
                {
                    if (lease is not null)
                    {
                        await lease.DisposeAsync();
                    }

                    throw;
                }

                Adopt(session);
            }

            _metrics.SessionRestored();
            LogSessionRestored(id, saved.Tabs.Count, saved.StorageStateJson is not null);
            return session;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Closes a session for good (its user ended it); its history stays. Also closes a saved, not-live one. A close
    /// holds even when the final save fails (PostgreSQL away, or refusing the session's data): the state is then
    /// marked closed on its own, retried until it is stored, and until then this node never restores the session.
    /// </summary>
    public async Task<bool> CloseAsync(string id, string reason)
    {
        if (_sessions.TryRemove(id, out var session))
        {
            _closedNotStored[id] = 0;
            var final = session.ToDto();
            var saved = await _saver.SaveNowAsync(session, SessionLifecycle.Closed, reason);
            await session.CloseAsync(reason);
            LogSessionClosed(id, reason);
            if (saved)
            {
                _closedNotStored.TryRemove(id, out _);
            }
            else
            {
                _ = RecordCloseAsync(session.Owner, final, reason);
            }

            return true;
        }

        if (await _store.LoadRestorableAsync(id) is not null)
        {
            await _store.MarkAsync(id, SessionLifecycle.Closed, reason);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Stores a closed session's final record (tabs, closed), retrying while the store is away; when PostgreSQL
    /// refuses that record for its data, the existing record is only marked closed.
    /// </summary>
    private async Task RecordCloseAsync(string? owner, Contracts.SessionDto final, string reason)
    {
        var id = final.Id;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                try
                {
                    await _store.SaveAsync(id, owner, _registry.NodeId, SessionLifecycle.Closed, final, null, reason, _stopping.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException && Data.StoreErrors.IsDataError(ex))
                {
                    await _store.MarkAsync(id, SessionLifecycle.Closed, reason, _stopping.Token);
                }

                _closedNotStored.TryRemove(id, out _);
                return;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (attempt == 1)
                {
                    LogCloseNotStored(ex, id);
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), _time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Saves and releases a session (its context and processes go); the next use restores it.</summary>
    public async Task<bool> ReleaseAsync(string id, string reason)
    {
        if (!_sessions.TryRemove(id, out var session))
        {
            return false;
        }

        await _saver.SaveNowAsync(session, SessionLifecycle.Released, reason);
        await session.CloseAsync(reason, restorable: true);
        _metrics.SessionReleased();
        LogSessionReleased(id, reason);
        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _sweeper = SweepAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every session is saved as suspended and its viewers hear that it will come back, before Chromium goes. The
    /// pool closes its browsers when it is disposed, which the container does after this manager's disposal, and
    /// disposal waits for this stop — measured: the host may dispose services while a hosted stop is still running.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopping)
        {
            return _stopped ??= StopSessionsAsync();
        }
    }

    private async Task StopSessionsAsync()
    {
        await _stopping.CancelAsync();
        await _sweeper;
        _pool.BrowserLost -= OnBrowserLost;
        await Task.WhenAll(_sessions.Keys.Select(async id =>
        {
            if (_sessions.TryRemove(id, out var session))
            {
                await _saver.SaveNowAsync(session, SessionLifecycle.Suspended, "the browser service restarted");
                await session.CloseAsync("The browser service is restarting; this session comes back when it returns.", restorable: true);
            }
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    private void Adopt(BrowserSession session)
    {
        _sessions[session.Id] = session;
        _saver.Track(session);
        _registry.Track(session);
        _history.Track(session);
        session.Events += e =>
        {
            if (e is AgentStepChanged { IsFinal: true } step)
            {
                _metrics.AgentStep(step.Step.Status);
            }
        };
        SessionStarted?.Invoke(session);
    }

    /// <summary>True once the service is stopping: it takes no new sessions (health says not ready).</summary>
    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>
    /// True while an operator drains this node: it takes no new sessions (health says not ready, so a balancer sends
    /// them elsewhere) and the sessions it holds go on until they end.
    /// </summary>
    public bool IsDraining { get; private set; }

    public void Drain(bool draining)
    {
        IsDraining = draining;
        LogDraining(draining);
    }

    /// <summary>Releases sessions idle past the timeout (no viewer, no input, no agent activity) or past their lifetime.</summary>
    private async Task SweepAsync(CancellationToken stopping)
    {
        var idle = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds);
        var lifetime = TimeSpan.FromMinutes(_options.MaxLifetimeMinutes);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(SweepInterval, _time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var session in _sessions.Values)
            {
                if (session.ViewerCount == 0 && now - session.LastActivityAt >= idle)
                {
                    await ReleaseAsync(session.Id, $"idle for {_options.IdleTimeoutSeconds} s without a viewer, input or agent activity");
                }
                else if (now - session.StartedAt >= lifetime)
                {
                    await ReleaseAsync(session.Id, $"reached its maximum lifetime of {_options.MaxLifetimeMinutes} minutes");
                }
            }
        }
    }

    /// <summary>Chromium died: its sessions' pages are gone. They are suspended and come back on their next use.</summary>
    private void OnBrowserLost(PooledBrowser browser)
    {
        foreach (var session in _sessions.Values.Where(s => s.Lease.Browser == browser))
        {
            if (_sessions.TryRemove(session.Id, out _))
            {
                _ = SuspendAfterCrashAsync(session);
            }
        }
    }

    private async Task SuspendAfterCrashAsync(BrowserSession session)
    {
        LogSessionSuspended(session.Id);
        await session.CloseAsync("Chromium stopped unexpectedly; reconnecting restores this session.", restorable: true);
        try
        {
            await _store.MarkAsync(session.Id, SessionLifecycle.Suspended, "Chromium crashed");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMarkFailed(ex, session.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} created (warm: {Warm})")]
    private partial void LogSessionCreated(string sessionId, bool warm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} restored with {Tabs} tab(s) (storage state: {HasStorage})")]
    private partial void LogSessionRestored(string sessionId, int tabs, bool hasStorage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} closed: {Reason}")]
    private partial void LogSessionClosed(string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} released: {Reason}")]
    private partial void LogSessionReleased(string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} suspended: its Chromium crashed")]
    private partial void LogSessionSuspended(string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: {Draining} (no new sessions while draining)")]
    private partial void LogDraining(bool draining);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} is closed but its record could not be marked so; retrying (this node will not restore it meanwhile)")]
    private partial void LogCloseNotStored(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not mark session {SessionId} as suspended")]
    private partial void LogMarkFailed(Exception exception, string sessionId);
}
