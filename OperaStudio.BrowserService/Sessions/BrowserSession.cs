using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions.Persistence;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// A person's (and their agent's) browser: one Chromium context from the pool, its tabs in order, the active tab
/// the viewers see, the viewport, and downloads. Every page the context opens — ours, or the site's through
/// target=_blank and window.open — becomes a tab.
/// </summary>
public sealed partial class BrowserSession : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<BrowserTab> _tabs = [];
    private readonly HashSet<IPage> _knownPages = [];
    private readonly ConcurrentDictionary<string, DownloadRecord> _downloads = new(StringComparer.Ordinal);
    private readonly SessionOptions _options;
    private readonly BrowserOptions _browserOptions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private string _activeTabId = "";
    private ViewportDto _viewport;
    private long _lastActivityTicks;
    private int _viewers;
    private int _closed;
    private int _ownPagesOpening;
    private int _reservedTabs; // slots taken by tabs being attached (under _gate), so concurrent opens cannot overshoot

    private BrowserSession(string id, BrowserLease lease, UrlGuard guard, SessionOptions options, BrowserOptions browserOptions, TimeProvider time, ILogger logger)
    {
        Id = id;
        Lease = lease;
        Guard = guard;
        _options = options;
        _browserOptions = browserOptions;
        _time = time;
        _logger = logger;
        CreatedAt = time.GetUtcNow();
        StartedAt = CreatedAt;
        _lastActivityTicks = CreatedAt.UtcTicks;
        _viewport = new ViewportDto(browserOptions.ViewportWidth, browserOptions.ViewportHeight, 1);
        DownloadsDirectory = Path.Combine(options.ResolveDownloadsPath(), id);
        DownloadGuard = new DownloadGuard(options, lease.Browser, DownloadsDirectory);
    }

    /// <summary>Everything viewers should hear about; raised on Playwright's threads.</summary>
    public event Action<SessionEvent>? Events;

    public string Id { get; }

    /// <summary>Who the session belongs to (the <c>X-Opera-User</c> of its creator), for per-user limits.</summary>
    public string? Owner { get; init; }

    public BrowserLease Lease { get; }

    internal TimeProvider Time => _time;

    /// <summary>The URL policy as the session layer uses it (explaining refused navigations in the tab).</summary>
    public UrlGuard Guard { get; }

    /// <summary>When the session was first created (kept across restores).</summary>
    public DateTimeOffset CreatedAt { get; private init; }

    /// <summary>When this live instance started (the maximum lifetime counts from here).</summary>
    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset LastActivityAt => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    public bool IsClosed => Volatile.Read(ref _closed) == 1;

    public ViewportDto Viewport => _viewport;

    public string DownloadsDirectory { get; }

    /// <summary>Cancels downloads over the limits while they download (the tabs hand it their CDP sessions).</summary>
    internal DownloadGuard DownloadGuard { get; }

    public IReadOnlyList<BrowserTab> Tabs
    {
        get
        {
            lock (_gate)
            {
                return [.. _tabs];
            }
        }
    }

    public BrowserTab ActiveTab
    {
        get
        {
            lock (_gate)
            {
                return _tabs.First(t => t.Id == _activeTabId);
            }
        }
    }

    internal static async Task<BrowserSession> StartAsync(
        BrowserLease lease, string? owner, UrlGuard guard, SessionOptions options, BrowserOptions browserOptions, TimeProvider time, ILogger logger)
    {
        var session = new BrowserSession(Ids.New(), lease, guard, options, browserOptions, time, logger) { Owner = owner };
        await session.AddTabAsync(lease.FirstPage, prepared: lease.WasWarm);
        session.WatchPopups();
        session.WatchUnreportedPopups();
        return session;
    }

    /// <summary>
    /// Brings a saved session back in a fresh context that already carries its cookies and local storage: same id,
    /// same tabs (same ids, in order) at their last addresses, the same active tab and viewport.
    /// </summary>
    internal static async Task<BrowserSession> RestoreAsync(
        SavedSession saved, BrowserLease lease, UrlGuard guard, SessionOptions options, BrowserOptions browserOptions, TimeProvider time, ILogger logger)
    {
        var session = new BrowserSession(saved.Id, lease, guard, options, browserOptions, time, logger) { Owner = saved.Owner, CreatedAt = saved.CreatedAt };
        if (saved.Viewport.Width > 0)
        {
            session._viewport = saved.Viewport;
        }

        var tabs = saved.Tabs.Count > 0 ? saved.Tabs : [new SavedTab(Ids.New(8), StartPage.Url, "")];
        var first = await session.AddTabAsync(lease.FirstPage, tabs[0].Id);
        await first.RestoreAsync(tabs[0].Url);
        foreach (var tab in tabs.Skip(1))
        {
            var restored = await session.AddTabAsync(await PageHandle.AttachAsync(await session.NewOwnPageAsync()), tab.Id);
            await restored.RestoreAsync(tab.Url);
        }

        if (saved.ActiveTabId is { } active && session.FindTab(active) is not null)
        {
            await session.ActivateAsync(active);
        }

        session.WatchPopups();
        session.WatchUnreportedPopups();
        return session;
    }

    public BrowserTab? FindTab(string tabId)
    {
        lock (_gate)
        {
            return _tabs.FirstOrDefault(t => t.Id == tabId);
        }
    }

    public SessionDto ToDto()
    {
        lock (_gate)
        {
            return new SessionDto(Id, _activeTabId, _tabs.Select(t => t.ToDto()).ToList(), CreatedAt, LastActivityAt, _viewers, _viewport);
        }
    }

    /// <summary>Opens a tab (on the start page, or at <paramref name="url"/>) and makes it active.</summary>
    public async Task<BrowserTab> OpenTabAsync(Uri? url, CancellationToken cancellationToken = default)
    {
        Touch();
        if (!TryReserveTab())
        {
            throw new TabLimitException($"This session already has {_options.MaxTabsPerSession} tabs; close one first.");
        }

        BrowserTab tab;
        try
        {
            tab = await AddTabAsync(await PageHandle.AttachAsync(await NewOwnPageAsync()), reserved: true);
        }
        catch
        {
            ReleaseTabReservation();
            throw;
        }

        if (url is null)
        {
            await tab.Page.GotoAsync(StartPage.Url);
        }
        else
        {
            await tab.NavigateAsync(url, cancellationToken);
        }

        return tab;
    }

    /// <summary>Closes a tab; the session always keeps one, so closing the last opens a start page.</summary>
    public async Task<bool> CloseTabAsync(string tabId)
    {
        Touch();
        var tab = FindTab(tabId);
        if (tab is null)
        {
            return false;
        }

        if (Tabs.Count == 1)
        {
            await OpenTabAsync(url: null);
        }

        await tab.Page.CloseAsync();
        RemoveTab(tab);
        return true;
    }

    public async Task<bool> ActivateAsync(string tabId)
    {
        Touch();
        var tab = FindTab(tabId);
        if (tab is null)
        {
            return false;
        }

        lock (_gate)
        {
            if (_activeTabId == tabId)
            {
                return true;
            }

            _activeTabId = tabId;
        }

        await BringToFrontAsync(tab);
        PublishTabs();
        return true;
    }

    /// <summary>Follows the viewer's panel: CSS size and device pixel ratio, clamped to what the options allow.</summary>
    public async Task SetViewportAsync(int width, int height, double deviceScaleFactor)
    {
        var viewport = new ViewportDto(
            Math.Clamp(width, 320, 3840),
            Math.Clamp(height, 240, 2160),
            Math.Round(Math.Clamp(deviceScaleFactor, 1, _browserOptions.MaxDeviceScaleFactor), 2));
        lock (_gate)
        {
            if (viewport == _viewport)
            {
                return;
            }

            _viewport = viewport;
        }

        await Task.WhenAll(Tabs.Select(ApplyViewportAsync));
        Publish(new ViewportChanged(Id, viewport));
    }

    /// <summary>
    /// Sets the page's size and pixel ratio through the tab's own CDP session, the only one that overrides them (the
    /// context has no viewport, so Playwright sends none). One application per tab at a time, each reading the
    /// session's viewport when its turn comes, so a tab being attached (with the size of then) and a viewer's resize
    /// cannot finish in the wrong order.
    /// </summary>
    internal async Task ApplyViewportAsync(BrowserTab tab)
    {
        await tab.ViewportGate.WaitAsync();
        try
        {
            await tab.Handle.EmulateAsync(_viewport);
        }
        catch (PlaywrightException ex)
        {
            // Closing or crashed; the next navigation brings a fresh renderer that gets the size then.
            var reason = SessionsApi.FirstLine(ex.Message);
            LogViewportFailed(Id, tab.Id, reason);
        }
        finally
        {
            tab.ViewportGate.Release();
        }
    }

    public IReadOnlyList<DownloadDto> Downloads => _downloads.Values.Select(d => d.Info).OrderBy(d => d.CompletedAt).ToList();

    public DownloadRecord? FindDownload(string downloadId) => _downloads.GetValueOrDefault(downloadId);

    public int ViewerCount => Volatile.Read(ref _viewers);

    internal void ViewerJoined()
    {
        Interlocked.Increment(ref _viewers);
        Touch();
    }

    internal void ViewerLeft() => Interlocked.Decrement(ref _viewers);

    /// <summary>Marks human, agent or viewer activity (the idle timeout counts from here).</summary>
    public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, _time.GetUtcNow().UtcTicks);

    internal void Publish(SessionEvent sessionEvent)
    {
        try
        {
            Events?.Invoke(sessionEvent);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            LogPublishFailed(ex, Id, sessionEvent.GetType().Name);
        }
    }

    /// <summary>Ends the session here; <paramref name="restorable"/> tells viewers that joining again brings it back.</summary>
    public async ValueTask CloseAsync(string reason, bool restorable = false)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        Publish(new SessionEnded(Id, reason, restorable));
        foreach (var tab in Tabs)
        {
            tab.MarkClosed();
        }

        await Lease.DisposeAsync();
        try
        {
            if (Directory.Exists(DownloadsDirectory))
            {
                Directory.Delete(DownloadsDirectory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            LogCleanupFailed(ex, Id);
        }
    }

    public ValueTask DisposeAsync() => CloseAsync("disposed");

    /// <summary>A page the site opened (target=_blank, window.open): a new active tab, unless the session is full.</summary>
    internal async Task AdoptPopupAsync(IPage page)
    {
        try
        {
            // Our own new pages raise the context's Page event too; their opener adds them. A popup that arrives
            // meanwhile is picked up by the reconcile that follows.
            if (IsClosed || Volatile.Read(ref _ownPagesOpening) > 0 || !TryClaim(page))
            {
                var opening = Volatile.Read(ref _ownPagesOpening);
                LogAdoptSkipped(Id, page.Url, IsClosed, opening);
                return;
            }

            // The slot is taken here, synchronously with the check: forty popups arriving together each see the
            // ones before them, not a count that only grows after their asynchronous attach.
            if (!TryReserveTab())
            {
                LogPopupRefused(Id, _options.MaxTabsPerSession);
                await page.CloseAsync();
                return;
            }

            try
            {
                var started = Stopwatch.GetTimestamp();
                await AddTabAsync(await PageHandle.AttachAsync(page), reserved: true);
                if (Stopwatch.GetElapsedTime(started) is { TotalSeconds: > 3 } slow)
                {
                    LogAdoptSlow(Id, (long)slow.TotalMilliseconds, page.Url);
                }
            }
            catch
            {
                ReleaseTabReservation();
                throw;
            }
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException or KeyNotFoundException)
        {
            // Nobody awaits an adoption: what went wrong must at least be in the log.
            LogAdoptFailed(ex, Id);
        }
    }

    /// <summary>
    /// Gives a crashed tab a new page at its last address, under the same tab id; the crashed page is closed.
    /// History of that tab starts over.
    /// </summary>
    internal async Task ReplaceCrashedPageAsync(BrowserTab tab)
    {
        var crashed = tab.Handle;
        var url = tab.Url;
        var handle = await PageHandle.AttachAsync(await NewOwnPageAsync());
        await tab.AttachAsync(handle, Lease.Browser);
        await ApplyViewportAsync(tab);
        if (ActiveTab == tab)
        {
            await BringToFrontAsync(tab);
        }

        try
        {
            await crashed.Page.CloseAsync();
        }
        catch (PlaywrightException)
        {
            // Already gone with its renderer.
        }

        await handle.Page.GotoAsync(
            Uri.TryCreate(url, UriKind.Absolute, out var address) && address.Scheme is "http" or "https" ? url : StartPage.Url,
            new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
    }

    /// <summary>A page closed (by us, the site's window.close, or a crash swap); only the tab's current page counts.</summary>
    internal void OnPageClosed(BrowserTab tab, IPage page)
    {
        lock (_gate)
        {
            _knownPages.Remove(page);
        }

        if (tab.Page == page)
        {
            RemoveTab(tab);
        }
    }

    private async Task<IPage> NewOwnPageAsync()
    {
        Interlocked.Increment(ref _ownPagesOpening);
        try
        {
            var page = await Lease.Context.NewPageAsync();
            TryClaim(page);
            return page;
        }
        finally
        {
            Interlocked.Decrement(ref _ownPagesOpening);
            _ = ReconcileAsync();
        }
    }

    /// <summary>Adopts pages of the context that no tab knows (a popup that opened while we opened our own).</summary>
    private async Task ReconcileAsync()
    {
        await Task.Yield();
        foreach (var page in Lease.Context.Pages.Where(p => !p.IsClosed).ToList())
        {
            await AdoptPopupAsync(page);
        }
    }

    /// <summary>True for the first caller that claims a page; every page becomes at most one tab.</summary>
    private bool TryClaim(IPage page)
    {
        lock (_gate)
        {
            return _knownPages.Add(page);
        }
    }

    /// <summary>Takes a slot for a tab about to be attached; false when the session is at its tab limit.</summary>
    private bool TryReserveTab()
    {
        lock (_gate)
        {
            if (_tabs.Count + _reservedTabs >= _options.MaxTabsPerSession)
            {
                return false;
            }

            _reservedTabs++;
            return true;
        }
    }

    private void ReleaseTabReservation()
    {
        lock (_gate)
        {
            _reservedTabs--;
        }
    }

    /// <summary>target=_blank (noopener by default) and window.open both surface here; Page.Popup misses the former.</summary>
    private void WatchPopups() => Lease.Context.Page += (_, page) =>
    {
        LogPageOpened(Id, page.Url);
        _ = AdoptPopupAsync(page);
    };

    // prepared: a warm context's page — on the start page, Page domain enabled, at the default viewport, alone in its
    // context. Nothing needs to wait for Chromium then, which keeps a warm acquire in the low milliseconds.
    // reserved: the caller holds a slot from TryReserveTab, which becomes the tab's when it is listed.
    private async Task<BrowserTab> AddTabAsync(PageHandle handle, string? tabId = null, bool prepared = false, bool reserved = false)
    {
        TryClaim(handle.Page);
        var tab = new BrowserTab(tabId ?? Ids.New(8), handle, this, _logger);
        await tab.AttachAsync(handle, Lease.Browser, prepared);
        if (!prepared)
        {
            await ApplyViewportAsync(tab);
        }

        lock (_gate)
        {
            _tabs.Add(tab);
            _activeTabId = tab.Id;
            if (reserved)
            {
                _reservedTabs--;
            }
        }

        if (prepared)
        {
            // The active tab gets focus as in a browser (focus events, document.hasFocus); nothing here waits on it:
            // the command is queued ahead of anything a viewer or the API sends next.
            _ = BringToFrontAsync(tab);
        }
        else
        {
            await BringToFrontAsync(tab);
        }

        PublishTabs();
        return tab;
    }

    private void RemoveTab(BrowserTab tab)
    {
        if (!Lease.Browser.IsConnected)
        {
            // Chromium died and took every page with it: the tabs stay listed, for the suspend-and-restore.
            return;
        }

        bool removed;
        lock (_gate)
        {
            var index = _tabs.IndexOf(tab);
            removed = index >= 0;
            if (removed)
            {
                _tabs.RemoveAt(index);
                if (_activeTabId == tab.Id && _tabs.Count > 0)
                {
                    // Like a browser: the tab to the right takes over, else the one to the left.
                    _activeTabId = _tabs[Math.Min(index, _tabs.Count - 1)].Id;
                }
            }
        }

        tab.MarkClosed();
        if (removed && !IsClosed && Lease.Browser.IsConnected)
        {
            if (Tabs.Count == 0)
            {
                _ = ReopenAfterLastTabClosedAsync();
            }

            PublishTabs();
        }
    }

    /// <summary>
    /// The site closed the last tab (window.close): keep the session usable with a start page. When the pages went
    /// because Chromium died, the session is being suspended instead and nothing is opened.
    /// </summary>
    private async Task ReopenAfterLastTabClosedAsync()
    {
        await Task.Delay(100);
        if (IsClosed || !Lease.Browser.IsConnected || Tabs.Count > 0)
        {
            return;
        }

        try
        {
            await OpenTabAsync(url: null);
        }
        catch (PlaywrightException ex)
        {
            LogAdoptFailed(ex, Id);
        }
    }

    private static async Task BringToFrontAsync(BrowserTab tab)
    {
        try
        {
            await tab.Page.BringToFrontAsync();
        }
        catch (PlaywrightException)
        {
            // Crashed or closing.
        }
    }

    internal async Task SaveDownloadAsync(BrowserTab tab, IDownload download)
    {
        var id = Ids.New(10);
        var fileName = SafeFileName(download.SuggestedFilename);
        var path = Path.Combine(DownloadsDirectory, id, fileName);
        string? error;
        try
        {
            // Waits for the end: null when Chromium finished it, else why not (cancelled over a limit, network).
            error = await download.FailureAsync();
            if (DownloadGuard.TakeRefusal(download.Url, download.SuggestedFilename) is { } refusal)
            {
                error = refusal;
            }
            else if (error is null)
            {
                if (DownloadGuard.TryKeep(new FileInfo(await download.PathAsync()).Length, out var overLimit))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await download.SaveAsAsync(path);
                }
                else
                {
                    error = overLimit;
                }
            }

        }
        catch (PlaywrightException ex)
        {
            error = ex.Message.Split('\n')[0];
        }

        try
        {
            // Chromium's copy is not needed any more: ours is kept, or the download was refused. A cancelled one has
            // none, and deleting it throws; that must not replace the reason the panel shows.
            await download.DeleteAsync();
        }
        catch (PlaywrightException)
        {
        }

        if (error is not null && Directory.Exists(Path.GetDirectoryName(path)))
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }

        var size = error is null && File.Exists(path) ? new FileInfo(path).Length : 0;
        var info = new DownloadDto(id, tab.Id, fileName, size, download.Url, _time.GetUtcNow(), error);
        _downloads[id] = new DownloadRecord(info, path);
        LogDownloaded(Id, fileName, size, error);
        Publish(new DownloadFinished(Id, info));
    }

    private static string SafeFileName(string suggested)
    {
        var name = Path.GetFileName(suggested);
        foreach (var invalid in Path.GetInvalidFileNameChars())
        {
            name = name.Replace(invalid, '_');
        }

        return string.IsNullOrWhiteSpace(name) || name is "." or ".." ? "download" : name;
    }

    private void PublishTabs() => Publish(new TabsChanged(Id, ToDto()));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a session event handler for {EventType} failed")]
    private partial void LogPublishFailed(Exception exception, string sessionId, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not remove its downloads folder")]
    private partial void LogCleanupFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a site opened a window beyond the {Max}-tab limit; closed it")]
    private partial void LogPopupRefused(string sessionId, int max);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: Chromium reports a new page at {Url}")]
    private partial void LogPageOpened(string sessionId, string url);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: the viewport of tab {TabId} was not applied: {Reason}")]
    private partial void LogViewportFailed(string sessionId, string tabId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: not adopted as a popup ({Url}): closed {Closed}, own pages opening {Opening}, or already a tab")]
    private partial void LogAdoptSkipped(string sessionId, string url, bool closed, int opening);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a page the site opened took {Milliseconds} ms to become a tab ({Url})")]
    private partial void LogAdoptSlow(string sessionId, long milliseconds, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: could not attach a new tab")]
    private partial void LogAdoptFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: downloaded {FileName} ({Size} bytes), error: {Error}")]
    private partial void LogDownloaded(string sessionId, string fileName, long size, string? error);
}

/// <summary>A finished download and where its bytes are.</summary>
public sealed record DownloadRecord(DownloadDto Info, string Path);

public sealed class TabLimitException(string message) : Exception(message);
