using OperaStudio.BrowserService.Diagnostics;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// One tab of a session: a Playwright page plus its own CDP session. Keeps what the toolbar shows (URL, title,
/// loading, history, favicon) current from Chromium's events, and holds a JavaScript dialog or file chooser that
/// waits for the user.
/// </summary>
public sealed partial class BrowserTab : IAsyncDisposable
{
    private static readonly TimeSpan FaviconTimeout = TimeSpan.FromSeconds(10);

    private readonly BrowserSession _session;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private PageHandle _handle;
    private IDisposable? _targetWatch;
    private IDialog? _dialog;
    private DialogDto? _dialogInfo;
    private IFileChooser? _fileChooser;
    private string _url;
    private string _title = "";
    private bool _isLoading;
    private bool _canGoBack;
    private bool _canGoForward;
    private string? _faviconUrl; // a data:image URI read in the remote browser, never the page's own address
    private string? _faviconSource; // the address the page declared, so an unchanged icon is not fetched again
    private bool _isCrashed;
    private readonly ConcurrentDictionary<IFrame, bool> _outOfProcessFrames = new();

    internal BrowserTab(string id, PageHandle handle, BrowserSession session, ILogger logger)
    {
        Id = id;
        _handle = handle;
        _session = session;
        _logger = logger;
        _url = handle.Page.Url;
        Presses = new PressWitness(session.Time);
    }

    /// <summary>What presses in this tab landed on, as the page reports them (see <see cref="PressWitness"/>).</summary>
    internal PressWitness Presses { get; }

    public string Id { get; }

    /// <summary>
    /// The address this tab's page last opened a window for, and when (Chromium says it before the new page exists;
    /// a page that never commits a navigation has no address of its own to read back).
    /// </summary>
    internal (string Url, DateTimeOffset At)? LastWindowOpen { get; private set; }

    /// <summary>
    /// Viewport changes and captures of this tab, one at a time (see <see cref="BrowserSession.ApplyViewportAsync"/> and
    /// <see cref="WhileNoViewportChangeAsync{T}"/>).
    /// </summary>
    internal SemaphoreSlim ViewportGate { get; } = new(1, 1);

    /// <summary>The longest a capture holds back a viewport change (a hung renderer must not freeze the viewer's resizes).</summary>
    private static readonly TimeSpan CaptureTurn = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs a capture of this page while no viewport change can be sent. Chromium takes a screenshot by changing the
    /// page's device metrics for its duration and then putting back the ones it saw when it began: an override sent
    /// meanwhile is undone. Measured: with a capture in flight at each change, the page kept its first size and ratio
    /// for good, and in the service a ratio-2 page received input mapped at ratio 1 (a click at (60, 110) reached
    /// (30, 55)) for seconds.
    /// </summary>
    internal async Task<T> WhileNoViewportChangeAsync<T>(Func<Task<T>> capture)
    {
        await ViewportGate.WaitAsync();
        try
        {
            return await capture().WaitAsync(CaptureTurn);
        }
        finally
        {
            ViewportGate.Release();
        }
    }

    /// <summary>The tab's current page; after a renderer crash the tab gets a new one under the same id.</summary>
    public PageHandle Handle => _handle;

    public IPage Page => Handle.Page;

    public ICDPSession Cdp => Handle.Cdp;

    public bool IsCrashed => _isCrashed;

    public string Url => _url;

    public DialogDto? PendingDialog => _dialogInfo;

    public bool HasFileChooser => _fileChooser is not null;

    public TabDto ToDto()
    {
        lock (_gate)
        {
            if (InternalPages.BlockedTarget(_url) is { } blocked)
            {
                // The address bar shows what was asked for; the page explains the refusal.
                return new TabDto(Id, blocked, "Blocked", _isLoading, _canGoBack, _canGoForward, null, _isCrashed);
            }

            var title = StartPage.IsStartPage(_url) ? "New tab" : _title.Length > 0 ? _title : _url;
            return new TabDto(Id, _url, title, _isLoading, _canGoBack, _canGoForward, _faviconUrl, _isCrashed);
        }
    }

    /// <summary>
    /// Binds the tab to a page: subscribes to its and Chromium's events. Again after a crash, with a new page.
    /// A <paramref name="prepared"/> page (a warm context's start page) already has the Page domain enabled and shows
    /// nothing to read back, so this makes no round trip to Chromium for it.
    /// </summary>
    internal async Task AttachAsync(PageHandle handle, PooledBrowser browser, bool prepared = false)
    {
        _handle = handle;
        _targetWatch?.Dispose();
        _targetWatch = browser.WatchTarget(handle.TargetId, OnTargetInfoChanged);
        var cdp = handle.Cdp;
        cdp.Event("Page.frameStartedLoading").OnEvent += (_, e) => OnLoading(e, loading: true);
        cdp.Event("Page.frameStoppedLoading").OnEvent += (_, e) => OnLoading(e, loading: false);
        cdp.Event("Page.frameNavigated").OnEvent += (_, e) => OnFrameNavigated(e);
        cdp.Event("Page.navigatedWithinDocument").OnEvent += (_, e) => OnNavigatedWithinDocument(e);
        cdp.Event("Page.windowOpen").OnEvent += (_, e) =>
        {
            if (e?.TryGetProperty("url", out var url) == true && url.GetString() is { Length: > 0 } address)
            {
                LastWindowOpen = (address, DateTimeOffset.UtcNow);
            }
        };
        var page = handle.Page;
        page.Crash += (_, _) => OnCrash();
        page.Dialog += (_, dialog) => OnDialog(dialog);
        page.FileChooser += (_, chooser) => OnFileChooser(chooser);
        page.Download += (_, download) => _ = _session.SaveDownloadAsync(this, download);
        _session.DownloadGuard.Watch(cdp);
        Presses.Listen(cdp);
        page.FrameNavigated += (_, frame) => _ = WatchFrameDownloadsAsync(frame);
        page.FrameDetached += (_, frame) => _outOfProcessFrames.TryRemove(frame, out bool _);
        page.Close += (_, _) => _session.OnPageClosed(this, page);
        page.RequestFailed += (_, request) => OnRequestFailed(request);
        if (!prepared)
        {
            await cdp.SendAsync("Page.enable");
            await PressWitness.InstallAsync(cdp);
        }

        lock (_gate)
        {
            _isCrashed = false;
            _url = page.Url;
        }

        if (prepared)
        {
            return;
        }

        // A popup may have finished loading before we subscribed; read what it shows now.
        await RefreshAfterLoadAsync();
    }

    /// <summary>
    /// A cross-site frame runs in its own process with its own CDP session, where its downloads are reported: the
    /// download guard listens there too. Frames in the page's process throw here (they share the page's session).
    /// </summary>
    private async Task WatchFrameDownloadsAsync(IFrame frame)
    {
        if (frame.ParentFrame is null || !_outOfProcessFrames.TryAdd(frame, true))
        {
            return;
        }

        try
        {
            var cdp = await Page.Context.NewCDPSessionAsync(frame);
            await cdp.SendAsync("Page.enable");
            _session.DownloadGuard.Watch(cdp);
        }
        catch (PlaywrightException)
        {
            // Same process as its parent (or gone): its downloads reach the page's session. A later cross-site
            // navigation of this frame tries again.
            _outOfProcessFrames.TryRemove(frame, out _);
        }
    }

    public async Task NavigateAsync(Uri url, CancellationToken cancellationToken = default)
    {
        using var activity = BrowserServiceActivities.Navigate(_session.Id, url);
        _session.Touch();
        // The escaped form: ToString() gives back what the caller escaped (a %00 would reach Chromium as a NUL).
        SetPendingUrl(url.AbsoluteUri);
        await Page.GotoAsync(url.AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Commit }).WaitAsync(cancellationToken);
    }

    /// <summary>Opens the address a restored tab had; a failure leaves Chromium's error page, as a browser would.</summary>
    internal async Task RestoreAsync(string url)
    {
        var target = Uri.TryCreate(url, UriKind.Absolute, out var address) && address.Scheme is "http" or "https" ? InternalPages.Current(url) : StartPage.Url;
        SetPendingUrl(target);
        try
        {
            await Page.GotoAsync(target, new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = 15_000 });
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            // Site down or refused: the tab shows why, like any failed navigation.
        }
    }

    /// <summary>False when there is no page to go back to.</summary>
    public async Task<bool> GoBackAsync()
    {
        _session.Touch();
        // The flags follow navigation events a moment late; a step right after another reads the history itself.
        await RefreshHistoryAsync();
        if (!_canGoBack)
        {
            return false;
        }

        await Page.GoBackAsync(new PageGoBackOptions { WaitUntil = WaitUntilState.Commit });
        return true;
    }

    public async Task<bool> GoForwardAsync()
    {
        _session.Touch();
        // The flags follow navigation events a moment late; a step right after another reads the history itself.
        await RefreshHistoryAsync();
        if (!_canGoForward)
        {
            return false;
        }

        await Page.GoForwardAsync(new PageGoForwardOptions { WaitUntil = WaitUntilState.Commit });
        return true;
    }

    /// <summary>Reloads; after a crash this brings the tab back in a new renderer.</summary>
    public async Task ReloadAsync()
    {
        _session.Touch();
        if (_isCrashed)
        {
            // Playwright refuses to drive a page it saw crash (measured: "Page crashed" on every call), so the
            // tab continues in a new page at the same address.
            await _session.ReplaceCrashedPageAsync(this);
            return;
        }

        await Page.ReloadAsync(new PageReloadOptions { WaitUntil = WaitUntilState.Commit });
    }

    /// <summary>
    /// What the viewer sees, as a JPEG of the visual viewport at <paramref name="scale"/> times its device pixels.
    /// Always clipped: Chromium captures an unclipped screenshot of a page at a pixel ratio other than 1 by zooming the
    /// page's view by that ratio for the capture's duration, and input sent meanwhile lands at its coordinates divided
    /// by the ratio (measured: a click at (60, 110) reached (30, 55) in 10 of 10 tries at ratio 2). A clip at the page's
    /// own scale leaves the view alone and gives the same pixels.
    /// </summary>
    internal async Task<byte[]> CaptureViewAsync(ViewportDto viewport, int quality, double scale = 1)
    {
        CaptureGuard();
        var metrics = await Cdp.SendAsync("Page.getLayoutMetrics");
        var visual = metrics!.Value.GetProperty("cssVisualViewport");
        var shot = await WhileNoViewportChangeAsync(() => Cdp.SendAsync("Page.captureScreenshot", new()
        {
            ["format"] = "jpeg",
            ["quality"] = quality,
            ["clip"] = new Dictionary<string, object>
            {
                ["x"] = visual.GetProperty("pageX").GetDouble(),
                ["y"] = visual.GetProperty("pageY").GetDouble(),
                ["width"] = viewport.Width,
                ["height"] = viewport.Height,
                ["scale"] = scale,
            },
        }));
        return Convert.FromBase64String(shot!.Value.GetProperty("data").GetString()!);
    }

    /// <summary>
    /// A JPEG of <paramref name="box"/> (CSS pixels of the visual viewport, as Playwright's bounding boxes are), cut to
    /// the viewport; null when nothing of it is in view. A clipped capture like <see cref="CaptureViewAsync"/>: it
    /// waits for nothing in the page (Playwright's element screenshot waits for animation frames to call the element
    /// stable, and after a full-page capture those did not come for 10 s in one try of five).
    /// </summary>
    internal async Task<byte[]?> CaptureAreaAsync(LocatorBoundingBoxResult box, int quality)
    {
        CaptureGuard();
        var metrics = await Cdp.SendAsync("Page.getLayoutMetrics");
        var visual = metrics!.Value.GetProperty("cssVisualViewport");
        var (left, top) = (Math.Max(0, box.X), Math.Max(0, box.Y));
        var right = Math.Min(visual.GetProperty("clientWidth").GetDouble(), box.X + box.Width);
        var bottom = Math.Min(visual.GetProperty("clientHeight").GetDouble(), box.Y + box.Height);
        if (right - left < 1 || bottom - top < 1)
        {
            return null;
        }

        var shot = await WhileNoViewportChangeAsync(() => Cdp.SendAsync("Page.captureScreenshot", new()
        {
            ["format"] = "jpeg",
            ["quality"] = quality,
            ["clip"] = new Dictionary<string, object>
            {
                ["x"] = visual.GetProperty("pageX").GetDouble() + left,
                ["y"] = visual.GetProperty("pageY").GetDouble() + top,
                ["width"] = right - left,
                ["height"] = bottom - top,
                ["scale"] = 1,
            },
        }));
        return Convert.FromBase64String(shot!.Value.GetProperty("data").GetString()!);
    }

    public async Task<byte[]> ScreenshotAsync(bool fullPage = false, int quality = 80)
    {
        _session.Touch();
        CaptureGuard();
        var bytes = await WhileNoViewportChangeAsync(
            () => Page.ScreenshotAsync(new PageScreenshotOptions { Type = ScreenshotType.Jpeg, Quality = quality, FullPage = fullPage }));
        // Playwright's capture runs on its own CDP session, whose emulation is not ours: say the viewer's again.
        await _session.ApplyViewportAsync(this);
        return bytes;
    }

    /// <summary>
    /// Page.captureScreenshot sent to a crashed renderer takes the whole Chromium down with it (measured with Debian's
    /// Chromium 156: 2 of 4 browsers, against 0 of 4 for input, screencast, emulation, evaluate and reload): a crashed tab
    /// is never captured. This is what ended every session of a browser when one tab crashed, now and then in full runs.
    /// </summary>
    private void CaptureGuard()
    {
        if (_isCrashed)
        {
            throw new PlaywrightException("The tab has crashed: reload it before capturing it.");
        }
    }

    /// <summary>Replaces the page with the explanation of a refused address (the URL policy said no).</summary>
    public async Task ShowBlockedAsync(string url, UrlDecision decision)
    {
        _session.Publish(new NavigationBlocked(_session.Id, Id, url, decision.Reason));
        var explanation = InternalPages.Blocked(url, decision);
        await Page.GotoAsync(explanation, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        // Committed: the tab says so now, not when Chromium's navigation event arrives a moment later (a caller that
        // was told "refused" reads the tab at once).
        SetPendingUrl(explanation);
    }

    /// <summary>Answers the pending dialog; false when none is waiting.</summary>
    public async Task<bool> AnswerDialogAsync(bool accept, string? promptText)
    {
        IDialog? dialog;
        lock (_gate)
        {
            dialog = _dialog;
            _dialog = null;
            _dialogInfo = null;
        }

        if (dialog is null)
        {
            return false;
        }

        _session.Touch();
        if (accept)
        {
            await dialog.AcceptAsync(promptText);
        }
        else
        {
            await dialog.DismissAsync();
        }

        _session.Publish(new DialogClosed(_session.Id, Id));
        return true;
    }

    /// <summary>Gives the waiting file chooser the user's files; false when none is waiting.</summary>
    public async Task<bool> SetFilesAsync(IReadOnlyList<FilePayload> files)
    {
        var chooser = Interlocked.Exchange(ref _fileChooser, null);
        if (chooser is null)
        {
            return false;
        }

        _session.Touch();
        await chooser.SetFilesAsync(files);
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _targetWatch?.Dispose();
        return ValueTask.CompletedTask;
    }

    internal void MarkClosed()
    {
        _targetWatch?.Dispose();
        lock (_gate)
        {
            _dialog = null;
            _dialogInfo = null;
        }
    }

    private void SetPendingUrl(string url)
    {
        lock (_gate)
        {
            _url = url;
        }

        PublishUpdate();
    }

    private void OnTargetInfoChanged(string title, string url)
    {
        // Until a page sets a title, Chromium reports its address without the scheme as one; that is no title.
        if (url.Length > 0 && title == StripScheme(url))
        {
            title = "";
        }

        lock (_gate)
        {
            if (_title == title && (_url == url || url.Length == 0))
            {
                return;
            }

            _title = title;
            if (url.Length > 0 && !url.StartsWith("chrome-error:", StringComparison.Ordinal))
            {
                _url = url;
            }
        }

        PublishUpdate();
    }

    private static string StripScheme(string url) => url.IndexOf("://", StringComparison.Ordinal) is var i and >= 0 ? url[(i + 3)..] : url;

    private bool IsMainFrame(JsonElement? payload) =>
        payload is { } e && e.TryGetProperty("frameId", out var frameId) && frameId.GetString() == Handle.TargetId;

    private void OnLoading(JsonElement? payload, bool loading)
    {
        if (!IsMainFrame(payload))
        {
            return;
        }

        lock (_gate)
        {
            _isLoading = loading;
        }

        PublishUpdate();
        if (!loading)
        {
            _ = RefreshAfterLoadAsync();
        }
    }

    private void OnFrameNavigated(JsonElement? payload)
    {
        if (payload is not { } e || !e.TryGetProperty("frame", out var frame) || frame.TryGetProperty("parentId", out _))
        {
            return;
        }

        var url = frame.GetProperty("url").GetString() ?? "";
        lock (_gate)
        {
            _isCrashed = false;
            _faviconUrl = null;
            _faviconSource = null;
            _title = ""; // a new document: the old title must not be shown with the new address
            if (!url.StartsWith("chrome-error:", StringComparison.Ordinal))
            {
                _url = url + (frame.TryGetProperty("urlFragment", out var fragment) ? fragment.GetString() : "");
            }
        }

        PublishUpdate();
        _session.Publish(new TabNavigated(_session.Id, Id, url));
        _ = RefreshHistoryAndPublishAsync();
    }

    private void OnNavigatedWithinDocument(JsonElement? payload)
    {
        if (!IsMainFrame(payload))
        {
            return;
        }

        lock (_gate)
        {
            _url = payload!.Value.GetProperty("url").GetString() ?? _url;
        }

        _ = RefreshHistoryAndPublishAsync();
    }

    /// <summary>
    /// A navigation the page started (a link, a redirect, a script) that the proxy refused ends as
    /// ERR_TUNNEL_CONNECTION_FAILED for HTTPS; show the reason instead of Chromium's generic error page.
    /// </summary>
    private void OnRequestFailed(IRequest request)
    {
        if (!request.IsNavigationRequest || request.Frame != Page.MainFrame
            || request.Failure?.Contains("ERR_TUNNEL_CONNECTION_FAILED", StringComparison.Ordinal) != true)
        {
            return;
        }

        if (_session.Guard.RecentRefusal(request.Url) is { } refusal)
        {
            _ = ShowBlockedSafelyAsync(request.Url, refusal);
        }
    }

    private async Task ShowBlockedSafelyAsync(string url, UrlDecision refusal)
    {
        try
        {
            await ShowBlockedAsync(url, refusal);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            // The tab moved on or closed.
        }
    }

    private void OnCrash()
    {
        lock (_gate)
        {
            _isCrashed = true;
            _isLoading = false;
        }

        LogTabCrashed(_session.Id, Id, _url);
        _session.Publish(new TabCrashed(_session.Id, Id));
        PublishUpdate();
    }

    private void OnDialog(IDialog dialog)
    {
        var info = new DialogDto(Id, dialog.Type, dialog.Message, dialog.Type == "prompt" ? dialog.DefaultValue : null);
        lock (_gate)
        {
            _dialog = dialog;
            _dialogInfo = info;
        }

        _session.Publish(new DialogOpened(_session.Id, info));
    }

    private void OnFileChooser(IFileChooser chooser)
    {
        _fileChooser = chooser;
        _session.Publish(new FileChooserOpened(_session.Id, Id, chooser.IsMultiple));
    }

    /// <summary>
    /// After a load: history, title and favicon. Chromium's target events miss the title a page is parsed with
    /// (they report later changes), so it is read here once.
    /// </summary>
    private async Task RefreshAfterLoadAsync()
    {
        await RefreshHistoryAsync();
        try
        {
            var info = await Page.EvaluateAsync<string[]>("""
                () => {
                  const l = document.querySelector("link[rel~='icon' i]");
                  const icon = l ? l.href : (location.protocol.startsWith('http') ? location.origin + '/favicon.ico' : '');
                  return [document.title, icon];
                }
                """);
            bool iconChanged;
            lock (_gate)
            {
                _title = info[0];
                iconChanged = info[1] != _faviconSource;
                _faviconSource = info[1];
            }

            if (iconChanged && info[1].Length > 0)
            {
                _ = LoadFaviconAsync(info[1]);
            }
        }
        catch (PlaywrightException)
        {
            // Navigated again or closed meanwhile.
        }

        PublishUpdate();
    }

    /// <summary>
    /// The icon comes when it comes: a request for it can wait on a slow site (and, measured in full test runs, held a
    /// popup's adoption as a tab for over 15 s when it was awaited), so nothing waits for it and it is bounded.
    /// </summary>
    private async Task LoadFaviconAsync(string source)
    {
        string? icon;
        try
        {
            icon = await FaviconLoader.LoadAsync(Cdp, Handle.TargetId, source).WaitAsync(FaviconTimeout);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return;
        }

        lock (_gate)
        {
            if (_faviconSource != source)
            {
                return;
            }

            _faviconUrl = icon;
        }

        PublishUpdate();
    }

    private async Task RefreshHistoryAndPublishAsync()
    {
        await RefreshHistoryAsync();
        PublishUpdate();
    }

    private async Task RefreshHistoryAsync()
    {
        try
        {
            var history = await Cdp.SendAsync("Page.getNavigationHistory");
            if (history is not { } h)
            {
                return;
            }

            var current = h.GetProperty("currentIndex").GetInt32();
            var count = h.GetProperty("entries").GetArrayLength();
            lock (_gate)
            {
                _canGoBack = current > 0;
                _canGoForward = current < count - 1;
            }
        }
        catch (PlaywrightException)
        {
            // The page is closing or crashed.
        }
    }

    private void PublishUpdate() => _session.Publish(new TabUpdated(_session.Id, ToDto()));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tab {TabId} of session {SessionId} crashed at {Url}")]
    private partial void LogTabCrashed(string sessionId, string tabId, string url);
}
