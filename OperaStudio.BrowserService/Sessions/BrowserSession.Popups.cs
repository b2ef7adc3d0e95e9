using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.BrowserService.Sessions;

// Pages the session's pages open. Playwright reports each as a page of the context and it becomes a tab
// (AdoptPopupAsync). Rarely (full test runs: about one popup in a few hundred, under load) Chromium creates the page and
// Playwright never reports it: the link the person clicked would seem to do nothing. Such a page is closed and its
// address opened in a tab of the session's own, so the link still opens; only window.opener is lost with it.
public sealed partial class BrowserSession
{
    private void WatchUnreportedPopups()
    {
        Lease.Browser.PopupUnreported += OnPopupUnreported;
        Events += e =>
        {
            if (e is SessionEnded)
            {
                Lease.Browser.PopupUnreported -= OnPopupUnreported;
            }
        };
    }

    private void OnPopupUnreported(UnreportedPopup popup)
    {
        if (!IsClosed && Tabs.Any(tab => tab.Handle.TargetId == popup.OpenerId))
        {
            _ = RecoverPopupAsync(popup);
        }
    }

    private async Task RecoverPopupAsync(UnreportedPopup popup)
    {
        // A page of the context that is not a tab yet is being adopted, perhaps this one, slowly: give it time.
        for (var waited = 0; waited < 3 && Lease.Context.Pages.Count > Tabs.Count; waited++)
        {
            await Task.Delay(PooledBrowser.PopupGrace);
            if (IsClosed || !Lease.Browser.IsUnreported(popup.TargetId))
            {
                return;
            }
        }

        // Its address once it committed; before that, what the opener asked to open (if it asked lately).
        var opener = Tabs.FirstOrDefault(tab => tab.Handle.TargetId == popup.OpenerId);
        var address = popup.Url.Length > 0 && popup.Url != "about:blank" ? popup.Url
            : opener?.LastWindowOpen is { } asked && DateTimeOffset.UtcNow - asked.At < TimeSpan.FromMinutes(1) ? asked.Url
            : popup.Url;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            // A blank window a script was going to fill: there is no address to open again.
            LogPopupLost(Id, address);
            return;
        }

        try
        {
            await Lease.Browser.CloseTargetAsync(popup.TargetId);
            LogPopupReopened(Id, address);
            await OpenTabAsync(url);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or TabLimitException or InvalidOperationException)
        {
            LogPopupRecoveryFailed(ex, Id, address);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a page opened at {Url} never became a tab; it is opened again in a new tab")]
    private partial void LogPopupReopened(string sessionId, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a page opened at {Url} never became a tab, and has no address to open again")]
    private partial void LogPopupLost(string sessionId, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a page opened at {Url} never became a tab, and opening it again failed")]
    private partial void LogPopupRecoveryFailed(Exception exception, string sessionId, string url);
}
