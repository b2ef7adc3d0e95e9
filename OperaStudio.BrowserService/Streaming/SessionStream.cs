using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Streaming.Budget;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>
/// The live view of one session: its viewers, the screencast of the active tab (running only while someone
/// watches or a recording records), the latest frame (so a viewer who joins or returns sees the page at once), and the
/// input queue. Session events are forwarded to the session's hub group. Its frame rate is its share of the node's
/// <see cref="FrameBudget"/>, kept by an <see cref="AckThrottle"/> that outlives screencast restarts.
/// </summary>
internal sealed partial class SessionStream : IDisposable
{
    private readonly BrowserSession _session;
    private readonly IHubContext<LiveViewHub, ILiveViewClient> _hub;
    private readonly StreamingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Viewer> _viewers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Action<FrameMessage>, byte> _sinks = new();
    private readonly SemaphoreSlim _screencastGate = new(1, 1);
    private TabScreencast? _screencast;
    private FrameMessage? _lastFrame;
    private string? _crashedTabId;
    private bool _disposed;
    private int _startFailures;

    private readonly BrowserServiceMetrics _metrics;
    private readonly FrameBudget _budget;
    private readonly AckThrottle _throttle;

    private long _inputAt;
    private long _lastInputAt;
    private int _fitTries;
    private int _fitting;

    public SessionStream(
        BrowserSession session, IHubContext<LiveViewHub, ILiveViewClient> hub, StreamingOptions options, BrowserServiceMetrics metrics,
        FrameBudget budget, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _budget = budget;
        _throttle = new AckThrottle(time, budget.Metrics.FrameThrottled, () => _ = CaptureStillAsync());
        _session = session;
        _hub = hub;
        _options = options;
        _time = time;
        _logger = logger;
        Input = new InputQueue(() => _session.IsClosed ? null : _session.ActiveTab.Cdp, ex => LogInputDropped(_session.Id, ex.Message),
            slow => LogInputSlow(_session.Id, slow));
        session.Events += OnSessionEvent;
    }

    public BrowserSession Session => _session;

    public string Group => GroupName(_session.Id);

    public InputQueue Input { get; }

    /// <summary>
    /// Sends input to the active tab. The first click, key, wheel or paste since the last frame is timed to the next
    /// frame (mouse moves are not: most paint nothing), which the metrics report as the server's input to pixel.
    /// </summary>
    public void Dispatch(InputCommand command)
    {
        if (!command.IsMouseMove)
        {
            Interlocked.CompareExchange(ref _inputAt, _time.GetTimestamp(), 0);
        }

        // Any input, a hover too, makes the session interactive: its held frames go now and the budget serves it first.
        var wasInteractive = IsInteracting(_budget.InteractiveWindow);
        Interlocked.Exchange(ref _lastInputAt, _time.GetTimestamp());
        Input.Enqueue(command);
        _throttle.ReleaseAll();
        if (!wasInteractive)
        {
            _budget.Reallocate();
        }
    }

    /// <summary>What this session needs of the frame budget now.</summary>
    public StreamDemand Demand(TimeSpan interactiveWindow) =>
        new(_session.Id, !_viewers.IsEmpty, IsInteracting(interactiveWindow), !_sinks.IsEmpty);

    /// <summary>Its share of the frame budget, in frames per second.</summary>
    public double FrameRate => _throttle.Rate;

    public void SetFrameRate(double fps) => _throttle.SetRate(fps);

    private bool IsInteracting(TimeSpan window) =>
        Interlocked.Read(ref _lastInputAt) is var at and not 0 && _time.GetElapsedTime(at) < window;

    public long FramesCaptured { get; private set; }

    public static string GroupName(string sessionId) => $"session:{sessionId}";

    /// <summary>Someone needs frames: a viewer, or a frame sink (a recording), which keeps the screencast running alone.</summary>
    private bool HasAudience => !_viewers.IsEmpty || !_sinks.IsEmpty;

    /// <summary>
    /// Adds a receiver of every frame (a recording): it gets the current frame at once and keeps the screencast running
    /// with no viewer. It takes no part in the viewers' acknowledgements; it must return at once and never throw.
    /// </summary>
    public async Task AddSinkAsync(Action<FrameMessage> sink)
    {
        _sinks[sink] = 0;
        _budget.Reallocate();
        if (_lastFrame is { } frame && _screencast is { } screencast && IsCurrent(frame, screencast))
        {
            sink(frame);
        }

        await EnsureScreencastAsync();
    }

    public async Task RemoveSinkAsync(Action<FrameMessage> sink)
    {
        if (!_sinks.TryRemove(sink, out _))
        {
            return;
        }

        _budget.Reallocate();
        if (!HasAudience && !_disposed)
        {
            await StopScreencastAsync();
        }
    }

    public async Task AddViewerAsync(string connectionId)
    {
        var viewer = new Viewer(connectionId, _hub.Clients.Client(connectionId), _options.MaxFramesInFlight, _time, _metrics.FrameSent, _metrics.FrameDropped);
        _viewers[connectionId] = viewer;
        _session.ViewerJoined();
        _budget.Reallocate();
        if (_lastFrame is { } frame && frame.TabId == _session.ActiveTab.Id)
        {
            viewer.Offer(frame);
        }

        await EnsureScreencastAsync();
    }

    public async Task RemoveViewerAsync(string connectionId)
    {
        if (_viewers.TryRemove(connectionId, out _))
        {
            _session.ViewerLeft();
            _budget.Reallocate();
        }

        if (!HasAudience && !_disposed)
        {
            await StopScreencastAsync();
        }
    }

    public void Acknowledge(string connectionId)
    {
        if (_viewers.TryGetValue(connectionId, out var viewer))
        {
            viewer.Acknowledge();
        }
    }

    /// <summary>Streams the active tab while anyone watches; switches when the active tab changes.</summary>
    private async Task EnsureScreencastAsync(bool restart = false)
    {
        await _screencastGate.WaitAsync();
        try
        {
            if (_session.IsClosed)
            {
                return;
            }

            var tab = _session.ActiveTab;
            if (!HasAudience || (!restart && _screencast?.TabId == tab.Id))
            {
                return;
            }

            if (_screencast is not null)
            {
                await _screencast.StopAsync();
                _screencast = null;
            }

            if (tab.IsCrashed)
            {
                return;
            }

            var screencast = await TabScreencast.StartAsync(tab, _session.Viewport, _options.JpegQuality, OnFrame, _throttle);
            _screencast = screencast;
            _startFailures = 0;
            _ = EnsureCurrentFrameAsync(screencast);
        }
        catch (PlaywrightException ex)
        {
            // Typically "Not attached to an active page" in the middle of a cross-process navigation: try again
            // shortly (and the tab's next update does too).
            _screencast = null;
            LogScreencastFailed(ex, _session.Id);
            if (++_startFailures <= 20)
            {
                _ = RetrySoonAsync();
            }
        }
        finally
        {
            _screencastGate.Release();
        }
    }

    private async Task RetrySoonAsync()
    {
        await Task.Delay(250);
        if (_screencast is null && !_disposed)
        {
            await EnsureScreencastAsync();
        }
    }

    /// <summary>
    /// Chromium sends frames only when the page changes, and the frame it sends as a screencast starts may show the
    /// previous viewport, even after a later still (measured after a resize: a frame of the old height, then
    /// nothing on a static page). So shortly after a start, and after any frame whose viewport is not the session's,
    /// unless a current frame has come meanwhile, one still capture is sent.
    /// </summary>
    private async Task EnsureCurrentFrameAsync(TabScreencast screencast, int delayMs = 150)
    {
        await Task.Delay(delayMs);
        if (_screencast != screencast || _disposed || IsCurrent(_lastFrame, screencast))
        {
            return;
        }

        try
        {
            await screencast.CaptureStillAsync(_session.Viewport, _options.JpegQuality);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            LogScreencastFailed(ex, _session.Id);
        }
    }

    /// <summary>
    /// Measured in full test runs: now and then Chromium's headless window keeps 87 px of browser chrome inside the
    /// size Playwright gives it, and the page's view (what the screencast sends) stays that much smaller than the
    /// viewport the page lays out at, for good. When the screencast still reports a smaller view after a moment, the
    /// window grows by the difference; a few tries per viewport, so a page that never settles cannot make it loop.
    /// </summary>
    private async Task FitWindowSoonAsync(TabScreencast screencast)
    {
        // One fit at a time: every frame of the wrong size asks for one, and each must see the window as the last left it.
        if (Interlocked.CompareExchange(ref _fitting, 1, 0) != 0)
        {
            return;
        }

        try
        {
            await FitWindowAsync(screencast);
        }
        finally
        {
            Volatile.Write(ref _fitting, 0);
        }
    }

    private async Task FitWindowAsync(TabScreencast screencast)
    {
        var viewport = _session.Viewport;
        await Task.Delay(500);
        if (_screencast != screencast || _disposed || _session.Viewport != viewport || screencast.LastDeviceSize is not { } view
            || Interlocked.Increment(ref _fitTries) > 3)
        {
            return;
        }

        var (dw, dh) = ((int)Math.Round(viewport.Width - view.Width), (int)Math.Round(viewport.Height - view.Height));
        if ((dw, dh) == (0, 0) || Math.Abs(dw) > 400 || Math.Abs(dh) > 400 || _session.FindTab(screencast.TabId) is not { } tab)
        {
            return;
        }

        try
        {
            LogWindowFitted(_session.Id, tab.Id, dw, dh);
            await _session.Lease.Browser.ResizeWindowByAsync(tab.Handle.TargetId, dw, dh);
            // A static page sends no new frame by itself: without this, the next look would see the old size again
            // and grow the window a second time (measured in a full run: three fits of 174 px for one missing 174).
            screencast.ForgetDeviceSize();
            await Task.Delay(500); // Frames of the new size first, before another look (Chromium resizes asynchronously).
        }
        catch (PlaywrightException ex)
        {
            LogScreencastFailed(ex, _session.Id);
        }
    }

    private bool IsCurrent(FrameMessage? frame, TabScreencast screencast)
    {
        var viewport = _session.Viewport;
        return frame is not null && frame.TabId == screencast.TabId
            && Math.Abs(frame.ViewportWidth - viewport.Width) <= 1 && Math.Abs(frame.ViewportHeight - viewport.Height) <= 1;
    }

    private async Task StopScreencastAsync()
    {
        await _screencastGate.WaitAsync();
        try
        {
            if (_screencast is not null)
            {
                await _screencast.StopAsync();
                _screencast = null;
            }
        }
        finally
        {
            _screencastGate.Release();
        }
    }

    /// <summary>The session ended; viewers still holding this stream may leave it, nothing else happens.</summary>
    public void Dispose()
    {
        _disposed = true;
        _session.Events -= OnSessionEvent;
        _throttle.Dispose();
    }

    /// <summary>A throttled page went quiet: its last change may not have been sent, so a still shows where it stopped.</summary>
    private async Task CaptureStillAsync()
    {
        if (_screencast is not { } screencast || _disposed || _session.IsClosed)
        {
            return;
        }

        try
        {
            await screencast.CaptureStillAsync(_session.Viewport, _options.JpegQuality);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            // The tab closed or navigated meanwhile: its next change sends a frame of its own.
            LogStillFailed(_session.Id, ex.Message);
        }
    }

    private void OnFrame(FrameMessage frame)
    {
        // Input that painted nothing within a second is not what this measures: the next frame is unrelated to it.
        if (Interlocked.Exchange(ref _inputAt, 0) is var inputAt and not 0 && _time.GetElapsedTime(inputAt) is { TotalSeconds: < 1 } elapsed)
        {
            _metrics.InputToFrame(elapsed);
        }

        _lastFrame = frame;
        if (_screencast is { } screencast && !IsCurrent(frame, screencast))
        {
            _ = EnsureCurrentFrameAsync(screencast, delayMs: 300);
            _ = FitWindowSoonAsync(screencast);
        }

        FramesCaptured++;
        _budget.Metrics.FrameEncoded();
        foreach (var viewer in _viewers.Values)
        {
            viewer.Offer(frame);
        }

        foreach (var sink in _sinks.Keys)
        {
            sink(frame);
        }
    }

    private void OnSessionEvent(SessionEvent sessionEvent)
    {
        var group = _hub.Clients.Group(Group);
        _ = sessionEvent switch
        {
            TabsChanged e => Forward(group.SessionChanged(e.Session), EnsureScreencastAsync()),
            TabUpdated e => Forward(group.TabUpdated(e.Tab), RestartAfterCrashAsync(e)),
            TabCrashed e => Forward(group.TabCrashed(Remember(e))),
            DialogOpened e => Forward(group.DialogOpened(e.Dialog)),
            DialogClosed e => Forward(group.DialogClosed(e.TabId)),
            FileChooserOpened e => Forward(group.FileChooserOpened(e.TabId, e.Multiple)),
            DownloadFinished e => Forward(group.DownloadFinished(e.Download)),
            NavigationBlocked e => Forward(group.NavigationBlocked(e.TabId, e.Url, e.Reason)),
            ViewportChanged => RestartForViewportAsync(),
            SessionEnded e => Forward(group.SessionEnded(e.Reason, e.Restorable)),
            AgentMessageAdded e => Forward(group.AgentMessage(e.Message)),
            AgentTextStreamed e => Forward(group.AgentTextDelta(e.Delta)),
            AgentStepChanged e => Forward(group.AgentStep(e.Step)),
            AgentRunChanged e => Forward(group.AgentRunChanged(e.Run)),
            AgentRunFinished e => Forward(group.AgentRunFinished(e.Run)),
            ApprovalRequested e => Forward(group.ApprovalRequested(e.Approval)),
            ApprovalResolved e => Forward(group.ApprovalResolved(e.Approval)),
            ControlChanged e => Forward(group.ControlChanged(e.Control)),
            _ => Task.CompletedTask,
        };
    }

    private Task RestartForViewportAsync()
    {
        Interlocked.Exchange(ref _fitTries, 0);
        return EnsureScreencastAsync(restart: true);
    }

    private string Remember(TabCrashed crash) => _crashedTabId = crash.TabId;

    /// <summary>
    /// Starts a screencast that could not start before (the tab was mid-navigation); and a crashed tab's renderer is
    /// new after a reload, so its screencast must start again.
    /// </summary>
    private Task RestartAfterCrashAsync(TabUpdated update)
    {
        if (_screencast is null && HasAudience && !update.Tab.IsCrashed && !_disposed && update.Tab.Id == _session.ActiveTab.Id)
        {
            return EnsureScreencastAsync();
        }

        if (update.Tab.IsCrashed || update.Tab.Id != _crashedTabId)
        {
            return Task.CompletedTask;
        }

        _crashedTabId = null;
        return EnsureScreencastAsync(restart: true);
    }

    private async Task Forward(params Task[] sends)
    {
        try
        {
            await Task.WhenAll(sends);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or PlaywrightException)
        {
            LogForwardFailed(ex, _session.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: starting the screencast failed")]
    private partial void LogScreencastFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: the still after a throttled page went quiet was not taken: {Reason}")]
    private partial void LogStillFailed(string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: an input event was dropped: {Reason}")]
    private partial void LogInputDropped(string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: the view of tab {TabId} is smaller than its viewport; its window grows by {Width}x{Height}")]
    private partial void LogWindowFitted(string sessionId, string tabId, int width, int height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: input waits for Chromium: {What}")]
    private partial void LogInputSlow(string sessionId, string what);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: forwarding an event to viewers failed")]
    private partial void LogForwardFailed(Exception exception, string sessionId);
}
