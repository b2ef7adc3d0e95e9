using System.Text;

namespace OperaStudio.BrowserService.Security;

/// <summary>The few responses the proxy writes itself; each closes the connection.</summary>
internal static class ProxyResponses
{
    public const string BlockedHeader = "X-Opera-Blocked";

    public static readonly byte[] ConnectionEstablished = "HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray();

    /// <summary>403 with the blocked page for plain HTTP; for CONNECT Chromium shows its own tunnel error.</summary>
    public static byte[] Blocked(Uri url, UrlDecision decision, bool tunnel) =>
        Build(403, "Forbidden", tunnel ? "" : BlockedPage.Html(url, decision), "text/html; charset=utf-8",
            $"{BlockedHeader}: {decision.Code}\r\nCache-Control: no-store\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n");

    /// <summary>One of the service's own pages (<see cref="Browsers.InternalPages"/>): static HTML, no script, no network.</summary>
    public static byte[] Page(string html) =>
        Build(200, "OK", html, "text/html; charset=utf-8",
            "Cache-Control: no-store\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n");

    public static byte[] Error(int status, string reasonPhrase, string message) =>
        Build(status, reasonPhrase, message + "\n", "text/plain; charset=utf-8", "");

    private static byte[] Build(int status, string reasonPhrase, string body, string contentType, string extraFields)
    {
        var content = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {reasonPhrase}\r\nContent-Type: {contentType}\r\nContent-Length: {content.Length}\r\n"
            + $"{extraFields}Connection: close\r\nProxy-Connection: close\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. content];
    }
}
