using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Components.Browser;

/// <summary>How a tab shows in the panel's chrome: its address, title, favicon and site.</summary>
public static class TabDisplay
{
    /// <summary>The browser service's start page; the address bar shows it empty, with a placeholder.</summary>
    public const string StartPageUrl = "http://start.operastudio.invalid/";

    public static bool IsStartPage(string? url) => url?.StartsWith(StartPageUrl, StringComparison.OrdinalIgnoreCase) == true;

    public static string Address(TabDto tab) => IsStartPage(tab.Url) ? "" : tab.Url;

    public static string Title(TabDto tab) =>
        !string.IsNullOrWhiteSpace(tab.Title) ? tab.Title
        : IsStartPage(tab.Url) ? "New tab"
        : string.IsNullOrEmpty(tab.Url) || tab.Url == "about:blank" ? "Untitled" : tab.Url;

    /// <summary>
    /// The favicon for an &lt;img&gt;: only the image data the browser service read in the remote browser, never an
    /// address (a page would make the viewer's own browser request it, on the viewer's network).
    /// </summary>
    public static string? Favicon(TabDto tab) =>
        tab.FaviconUrl is { } icon && icon.StartsWith("data:image/", StringComparison.Ordinal) ? icon : null;

    /// <summary>The site a dialog or download comes from, as a browser names it ("example.com", "127.0.0.1:5000").</summary>
    public static string Site(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}"
            : "This page";

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GB",
    };
}
