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

    // Pages a page opened (popups), followed at Debug until Playwright's own page for them is watched: a full run once
    // showed Chromium creating a popup that Playwright never reported as a page.
    private readonly ConcurrentDictionary<string, string> _popups = new(StringComparer.Ordinal);
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
                pooled._popups.TryRemove(targetId, out string? _);
            }
        };
        await pooled._targets.SendAsync("Target.setDiscoverTargets", new() { ["discover"] = true });
        return pooled;
    }

    /// <summary>Calls <paramref name="onChange"/>(title, url) whenever the page with this target id changes them.</summary>
    public IDisposable WatchTarget(string targetId, Action<string, string> onChange)
    {
        _targetWatchers[targetId] = onChange;
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
        else if (targetId is not null && _popups.TryGetValue(targetId, out var opener))
        {
            var url = info.GetProperty("url").GetString();
            LogPopupChanged(Index, targetId, opener, url);
        }
    }

    /// <summary>
    /// Chromium's own word that a page exists (before Playwright reports it): tells a popup Chromium never opened from
    /// one that Playwright did not report.
    /// </summary>
    private void OnTargetCreated(JsonElement? payload)
    {
        if (!_logger.IsEnabled(LogLevel.Debug) || payload is not { } e || !e.TryGetProperty("targetInfo", out var info)
            || info.GetProperty("type").GetString() != "page")
        {
            return;
        }

        var opener = info.TryGetProperty("openerId", out var o) ? o.GetString() : null;
        var targetId = info.GetProperty("targetId").GetString();
        var url = info.GetProperty("url").GetString();
        LogTargetCreated(Index, targetId, opener, url);
        if (targetId is not null && opener is not null && _popups.Count < 100)
        {
            _popups[targetId] = opener;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Chromium {Index}: popup target {TargetId} (opener {OpenerId}), not yet a tab, is at {Url}")]
    private partial void LogPopupChanged(int index, string targetId, string openerId, string? url);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Chromium {Index} created page target {TargetId} (opener {OpenerId}) at {Url}")]
    private partial void LogTargetCreated(int index, string? targetId, string? openerId, string? url);

    private sealed class Unwatch(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
