using System.Web;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.BrowserService.Browsers;

/// <summary>
/// Pages the browser shows that come from the service itself, answered by a route on each context (so they work
/// offline and never touch the network): the start page of a new tab, and the page that explains a refused address.
/// The .invalid top-level domain can never resolve to anything real.
/// </summary>
public static class InternalPages
{
    public const string RoutePattern = "https://*.operastudio.invalid/**";
    public const string BlockedUrl = "https://blocked.operastudio.invalid/";

    public static string Blocked(string url, UrlDecision decision) =>
        $"{BlockedUrl}?url={Uri.EscapeDataString(url)}&code={Uri.EscapeDataString(decision.Code)}&reason={Uri.EscapeDataString(decision.Reason)}";

    /// <summary>The address a refused page stands for, so the address bar shows what the user asked for.</summary>
    public static string? BlockedTarget(string pageUrl) =>
        pageUrl.StartsWith(BlockedUrl, StringComparison.OrdinalIgnoreCase)
            ? HttpUtility.ParseQueryString(new Uri(pageUrl).Query)["url"]
            : null;

    public static Task FulfillAsync(IRoute route)
    {
        var url = new Uri(route.Request.Url);
        var html = url.Host switch
        {
            "start.operastudio.invalid" => StartPage.Html,
            "blocked.operastudio.invalid" => BlockedHtml(url),
            _ => null,
        };
        return html is null
            ? route.FulfillAsync(new RouteFulfillOptions { Status = 404, Body = "" })
            : route.FulfillAsync(new RouteFulfillOptions { ContentType = "text/html; charset=utf-8", Body = html });
    }

    private static string BlockedHtml(Uri page)
    {
        var query = HttpUtility.ParseQueryString(page.Query);
        var target = query["url"] ?? "";
        var decision = UrlDecision.Refuse(query["code"] ?? "blocked", query["reason"] ?? "The URL policy refuses this address.");
        return BlockedPage.Html(Uri.TryCreate(target, UriKind.Absolute, out var url) ? url : new Uri("about:blank"), decision);
    }
}
