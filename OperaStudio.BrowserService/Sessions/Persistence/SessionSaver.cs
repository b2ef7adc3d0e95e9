using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Diagnostics;

namespace OperaStudio.BrowserService.Sessions.Persistence;

/// <summary>
/// Keeps every live session's saved state current: after its tabs change or navigate (debounced), every
/// <see cref="PeriodicSave"/> while it is in use (cookies change without navigations), and on demand before it
/// closes. A save captures Playwright's storage state (cookies, local storage) and the open tabs.
/// </summary>
public sealed partial class SessionSaver(
    SessionStateStore store,
    BrowserServiceMetrics metrics,
    IOptions<SessionOptions> options,
    TimeProvider time,
    ILogger<SessionSaver> logger) : BackgroundService
{
    private static readonly TimeSpan PeriodicSave = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);
    private readonly string _node = options.Value.ResolveNodeId();
    private readonly TimeSpan _debounce = TimeSpan.FromMilliseconds(options.Value.SaveDebounceMilliseconds);

    /// <summary>Starts watching a session (called as it starts or is restored); the first save follows at once.</summary>
    public void Track(BrowserSession session)
    {
        var tracked = new Tracked(session) { DueAt = time.GetUtcNow() };
        _tracked[session.Id] = tracked;
        session.Events += e =>
        {
            switch (e)
            {
                case TabsChanged or TabNavigated:
                    tracked.DueAt ??= time.GetUtcNow() + _debounce;
                    break;
                case SessionEnded:
                    _tracked.TryRemove(session.Id, out _);
                    break;
            }
        };
    }

    /// <summary>
    /// Saves now (before a close, a release or a shutdown), with the given lifecycle state; false when nothing was
    /// stored (the store is away or refused the data, or there was nothing left to save).
    /// </summary>
    public async Task<bool> SaveNowAsync(BrowserSession session, SessionLifecycle state, string? reason = null)
    {
        if (_tracked.TryGetValue(session.Id, out var tracked))
        {
            await tracked.Gate.WaitAsync();
        }

        try
        {
            if (session.IsClosed || !session.Lease.Browser.IsConnected)
            {
                // Its final state was saved by whoever closed it, or its browser died: a late save would record
                // pages that are gone.
                return false;
            }

            var storage = state == SessionLifecycle.Closed ? null : await CaptureStorageAsync(session);
            if (!session.Lease.Browser.IsConnected)
            {
                return false;
            }

            await store.SaveAsync(session.Id, session.Owner, _node, state, session.ToDto(), storage, reason);
            if (tracked is not null)
            {
                tracked.LastSavedActivity = session.LastActivityAt;
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && StoreErrors.IsDataError(ex))
        {
            // The same data would fail again: wait for the session's next change instead of retrying.
            metrics.SessionSaveRefused();
            LogSaveRefused(ex, session.Id);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // PostgreSQL away or slow: try again shortly, so a session started during an outage is saved after it.
            if (tracked is not null)
            {
                tracked.DueAt = time.GetUtcNow() + RetryAfterFailure;
            }

            LogSaveFailed(ex, session.Id);
            return false;
        }
        finally
        {
            tracked?.Gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            foreach (var tracked in _tracked.Values)
            {
                var periodic = tracked.Session.LastActivityAt > tracked.LastSavedActivity && now - tracked.LastSaveAt > PeriodicSave;
                if (((tracked.DueAt is { } due && due <= now) || periodic) && tracked.Gate.CurrentCount > 0)
                {
                    tracked.DueAt = null;
                    tracked.LastSaveAt = now;
                    // One slow session (a crashed page, a busy renderer) must not hold up everyone else's saves.
                    _ = SaveNowAsync(tracked.Session, SessionLifecycle.Live);
                }
            }

            try
            {
                await Task.Delay(Tick, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<string?> CaptureStorageAsync(BrowserSession session)
    {
        if (session.IsClosed || !session.Lease.Browser.IsConnected)
        {
            return null;
        }

        try
        {
            // Bounded: a context with a crashed or hung page may never answer; the last saved state then stays.
            return await session.Lease.Context.StorageStateAsync().WaitAsync(StorageTimeout);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return null;
        }
    }

    private sealed class Tracked(BrowserSession session)
    {
        public BrowserSession Session { get; } = session;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset? DueAt { get; set; }

        public DateTimeOffset LastSaveAt { get; set; }

        public DateTimeOffset LastSavedActivity { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving session {SessionId} failed; the next change or heartbeat retries")]
    private partial void LogSaveFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL refused the saved state of session {SessionId} for its data; the next change saves again")]
    private partial void LogSaveRefused(Exception exception, string sessionId);
}
