using System.Net;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// The page shown instead of a refused address, by the proxy and the session layer alike: what was blocked, why,
/// and how an operator allows it. Everything from the URL or the decision is HTML-encoded.
/// </summary>
public static class BlockedPage
{
    public const string Title = "Opera Studio blocked this address";

    public static string Html(Uri url, UrlDecision decision)
    {
        var address = WebUtility.HtmlEncode(url.IsAbsoluteUri ? url.AbsoluteUri : url.OriginalString);
        var reason = WebUtility.HtmlEncode(decision.Reason);
        var code = WebUtility.HtmlEncode(decision.Code);
        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Blocked — Opera Studio</title>
            <style>
              html, body { margin: 0; height: 100%; background: #0f172a; color: #e2e8f0;
                font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
              main { max-width: 40rem; margin: 0 auto; padding: 12vh 1.5rem 2rem; }
              .mark { width: 2.5rem; height: .35rem; border-radius: .2rem; background: #f97316; margin-bottom: 1.5rem; }
              h1 { font-size: 1.5rem; font-weight: 600; margin: 0 0 1rem; color: #f8fafc; }
              p { margin: 0 0 1rem; }
              .url { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9rem; color: #fdba74;
                background: #1e293b; border: 1px solid #334155; border-radius: .5rem; padding: .6rem .8rem; word-break: break-all; }
              .code { color: #94a3b8; font-size: .85rem; }
            </style>
            </head>
            <body>
            <main>
              <div class="mark"></div>
              <h1>{{Title}}</h1>
              <p class="url">{{address}}</p>
              <p>{{reason}}</p>
              <p class="code">Policy code: {{code}}</p>
            </main>
            </body>
            </html>
            """;
    }
}
