using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace OperaStudio.BrowserService.Browsers;

/// <summary>
/// One long-lived Chromium process of the pool. A browser-level CDP session with target discovery reports every
/// page's title and URL as they change (a script setting document.title included), without touching the pages.
/// </summary>
public sealed partial class PooledBrowser : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Action<string, string>> _targetWatchers = new(StringComparer.Ordinal);

    /// <summary>
    /// How long a page another page opened may go without becoming a watched tab before it counts as unreported.
    /// Playwright reports one within about a second even on a loaded machine; full test runs showed Chromium creating
    /// a popup (its address set, its title never) that Playwright never reported, so no tab ever appeared for it.
    /// </summary>
    internal static readonly TimeSpan PopupGrace = TimeSpan.FromSeconds(5);

    // Pages a page opened (popups), by target id, until a tab watches them or Chromium destroys them.
    private readonly ConcurrentDictionary<string, PopupTarget> _popups = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private ICDPSession? _targets;

    private PooledBrowser(int index, IBrowser browser, ILogger logger)
    {
        Index = index;
        Browser = browser;
        _logger = logger;
    }

    public int Index { get; }

    public IBrowser Browser { get; }

    public bool IsConnected => Browser.IsConnected;

    public int ContextCount => Browser.Contexts.Count;

    /// <summary>A page another page opened is still not a tab <see cref="PopupGrace"/> after Chromium created it.</summary>
    public event Action<UnreportedPopup>? PopupUnreported;

    public static async Task<PooledBrowser> LaunchAsync(IPlaywright playwright, int index, BrowserTypeLaunchOptions options, ILogger logger)
    {
        var browser = await playwright.Chromium.LaunchAsync(options);
        var pooled = new PooledBrowser(index, browser, logger);
        pooled._targets = await browser.NewBrowserCDPSessionAsync();
        pooled._targets.Event("Target.targetInfoChanged").OnEvent += (_, e) => pooled.OnTargetInfoChanged(e);
        pooled._targets.Event("Target.targetCreated").OnEvent += (_, e) => pooled.OnTargetCreated(e);
        pooled._targets.Event("Target.targetDestroyed").OnEvent += (_, e) =>
        {
            if (e is { } gone && gone.TryGetProperty("targetId", out var id) && id.GetString() is { } targetId)
            {
                pooled._popups.TryRemove(targetId, out PopupTarget? _);
            }
        };
        await pooled._targets.SendAsync("Target.setDiscoverTargets", new() { ["discover"] = true });
        return pooled;
    }

    /// <summary>Calls <paramref name="onChange"/>(title, url) whenever the page with this target id changes them.</summary>
    public IDisposable WatchTarget(string targetId, Action<string, string> onChange)
    {
        _targetWatchers[targetId] = onChange;
        _popups.TryRemove(targetId, out _);
        return new Unwatch(() => _targetWatchers.TryRemove(targetId, out _));
    }

    /// <summary>Grows (or shrinks) the window that holds the page with this target id by the given CSS pixels.</summary>
    public async Task ResizeWindowByAsync(string targetId, int width, int height)
    {
        var window = (await _targets!.SendAsync("Browser.getWindowForTarget", new() { ["targetId"] = targetId }))!.Value;
        var bounds = window.GetProperty("bounds");
        await _targets.SendAsync("Browser.setWindowBounds", new()
        {
            ["windowId"] = window.GetProperty("windowId").GetInt32(),
            ["bounds"] = new Dictionary<string, object>
            {
                ["width"] = bounds.GetProperty("width").GetInt32() + width,
                ["height"] = bounds.GetProperty("height").GetInt32() + height,
            },
        });
    }

    /// <summary>Whether a page another page opened is still not a tab (nor gone).</summary>
    public bool IsUnreported(string targetId) => _popups.ContainsKey(targetId);

    /// <summary>Closes a page target (one Playwright never reported, so it has no page object to close).</summary>
    public async Task CloseTargetAsync(string targetId)
    {
        if (_targets is not null)
        {
            await _targets.SendAsync("Target.closeTarget", new() { ["targetId"] = targetId });
        }
    }

    /// <summary>Stops a download Chromium is making in a context (Playwright then reports it as canceled).</summary>
    public async Task CancelDownloadAsync(string downloadGuid, string browserContextId)
    {
        if (_targets is not null)
        {
            await _targets.SendAsync("Browser.cancelDownload", new() { ["guid"] = downloadGuid, ["browserContextId"] = browserContextId });
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Browser.CloseAsync();
        }
        catch (PlaywrightException)
        {
            // Already gone (crashed or killed).
        }
    }

    private void OnTargetInfoChanged(JsonElement? payload)
    {
        if (payload is not { } e || !e.TryGetProperty("targetInfo", out var info))
        {
            return;
        }

        var targetId = info.GetProperty("targetId").GetString();
        if (targetId is not null && _targetWatchers.TryGetValue(targetId, out var watcher))
        {
            _popups.TryRemove(targetId, out _);
            watcher(info.GetProperty("title").GetString() ?? "", info.GetProperty("url").GetString() ?? "");
        }
        else if (targetId is not null && _popups.TryGetValue(targetId, out var popup))
        {
            var url = info.GetProperty("url").GetString() ?? "";
            _popups.TryUpdate(targetId, popup with { Url = url }, popup);
            LogPopupChanged(Index, targetId, popup.OpenerId, url);
        }
    }

    /// <summary>
    /// Chromium's own word that a page exists, before Playwright reports it. A page another page opened is followed
    /// until a tab watches it; one that is still not a tab after <see cref="PopupGrace"/> is reported unreported.
    /// </summary>
    private void OnTargetCreated(JsonElement? payload)
    {
        if (payload is not { } e || !e.TryGetProperty("targetInfo", out var info) || info.GetProperty("type").GetString() != "page")
        {
            return;
        }

        var opener = info.TryGetProperty("openerId", out var o) ? o.GetString() : null;
        var targetId = info.GetProperty("targetId").GetString();
        var url = info.GetProperty("url").GetString();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            LogTargetCreated(Index, targetId, opener, url);
        }

        if (targetId is not null && opener is not null && !_targetWatchers.ContainsKey(targetId) && _popups.Count < 1000
            && _popups.TryAdd(targetId, new PopupTarget(opener, url ?? "")))
        {
            _ = CheckReportedLaterAsync(targetId);
        }
    }

    private async Task CheckReportedLaterAsync(string targetId)
    {
        await Task.Delay(PopupGrace);
        if (_popups.TryGetValue(targetId, out var popup) && Browser.IsConnected)
        {
            LogPopupUnreported(Index, targetId, popup.OpenerId, popup.Url);
            PopupUnreported?.Invoke(new UnreportedPopup(targetId, popup.OpenerId, popup.Url));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chromium {Index}: page {TargetId} opened by {OpenerId} at {Url} is still not a tab; Playwright never reported it")]
    private partial void LogPopupUnreported(int index, string targetId, string openerId, string url);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Chromium {Index}: popup target {TargetId} (opener {OpenerId}), not yet a tab, is at {Url}")]
    private partial void LogPopupChanged(int index, string targetId, string openerId, string url);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Chromium {Index} created page target {TargetId} (opener {OpenerId}) at {Url}")]
    private partial void LogTargetCreated(int index, string? targetId, string? openerId, string? url);

    private sealed record PopupTarget(string OpenerId, string Url);

    private sealed class Unwatch(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}

/// <summary>A page that <paramref name="OpenerId"/> opened, at <paramref name="Url"/>, that Playwright never reported.</summary>
public sealed record UnreportedPopup(string TargetId, string OpenerId, string Url);
