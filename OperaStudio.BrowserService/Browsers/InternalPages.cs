using System.Web;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.BrowserService.Browsers;

/// <summary>
/// Pages the browser shows that come from the service itself: the start page of a new tab, and the page that explains
/// a refused address. The filtering proxy answers them (<see cref="FilteringProxy"/>), so they work offline and never
/// touch the network. They are plain http: the proxy can answer an http request itself, while https would need a
/// certificate. Not a Playwright route: any route turns on request interception for every request of the context,
/// which costs each request a round trip to the driver, switches off the HTTP cache, and once left a pop-up's first
/// request paused so that Playwright never reported the pop-up. The .invalid top-level domain never resolves.
/// </summary>
public static class InternalPages
{
    private const string Domain = ".operastudio.invalid";

    public const string BlockedUrl = "http://blocked.operastudio.invalid/";

    public static string Blocked(string url, UrlDecision decision) =>
        $"{BlockedUrl}?url={Uri.EscapeDataString(url)}&code={Uri.EscapeDataString(decision.Code)}&reason={Uri.EscapeDataString(decision.Reason)}";

    /// <summary>The address a refused page stands for, so the address bar shows what the user asked for.</summary>
    public static string? BlockedTarget(string pageUrl) =>
        pageUrl.StartsWith(BlockedUrl, StringComparison.OrdinalIgnoreCase)
            ? HttpUtility.ParseQueryString(new Uri(pageUrl).Query)["url"]
            : null;

    /// <summary>Whether the proxy answers this host itself.</summary>
    public static bool IsInternalHost(string host) => host.EndsWith(Domain, StringComparison.OrdinalIgnoreCase);

    /// <summary>The page's HTML, or null when there is no such internal page.</summary>
    public static string? Html(Uri url) => url.Host.ToLowerInvariant() switch
    {
        "start.operastudio.invalid" => StartPage.Html,
        "blocked.operastudio.invalid" => BlockedHtml(url),
        _ => null,
    };

    /// <summary>Sessions saved before internal pages moved to http name them with https, which nothing can answer.</summary>
    public static string Current(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var address) && address.Scheme == Uri.UriSchemeHttps && IsInternalHost(address.Host)
            ? "http" + url["https".Length..]
            : url;

    private static string BlockedHtml(Uri page)
    {
        var query = HttpUtility.ParseQueryString(page.Query);
        var target = query["url"] ?? "";
        var decision = UrlDecision.Refuse(query["code"] ?? "blocked", query["reason"] ?? "The URL policy refuses this address.");
        return BlockedPage.Html(Uri.TryCreate(target, UriKind.Absolute, out var url) ? url : new Uri("about:blank"), decision);
    }
}
