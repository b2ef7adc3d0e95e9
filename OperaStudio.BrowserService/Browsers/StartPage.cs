namespace OperaStudio.BrowserService.Browsers;

/// <summary>The page a new tab opens on (served by <see cref="InternalPages"/>).</summary>
public static class StartPage
{
    public const string Url = "http://start.operastudio.invalid/";

    public static bool IsStartPage(string? url) => url is not null && url.StartsWith(Url, StringComparison.OrdinalIgnoreCase);

    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>New tab</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
          html, body { height: 100%; margin: 0; }
          body {
            display: grid; place-items: center;
            background: radial-gradient(ellipse at top, #1e293b 0%, #0f172a 45%, #020617 100%);
            color: #cbd5e1; font: 15px/1.5 "Inter", "Segoe UI", "Liberation Sans", Arial, sans-serif;
          }
          main { text-align: center; max-width: 560px; padding: 24px; }
          .logo {
            width: 72px; height: 72px; margin: 0 auto 20px; border-radius: 20px;
            background: #0b1120; border: 1px solid #334155; display: grid; place-items: center;
            box-shadow: 0 0 40px rgba(249, 115, 22, 0.18);
          }
          .ring { width: 34px; height: 34px; border-radius: 50%; border: 7px solid #f97316; }
          h1 { margin: 0 0 8px; font-size: 26px; font-weight: 650; color: #f1f5f9; letter-spacing: 0.2px; }
          h1 b { color: #f97316; }
          p { margin: 0; color: #94a3b8; }
          .hint { margin-top: 28px; display: inline-flex; gap: 10px; color: #64748b; font-size: 13px; }
          kbd { background: #1e293b; border: 1px solid #334155; border-radius: 6px; padding: 1px 7px; color: #cbd5e1; font: 12px monospace; }
        </style>
        </head>
        <body>
        <main>
          <div class="logo"><div class="ring"></div></div>
          <h1>Opera <b>Studio</b></h1>
          <p>Type an address in the bar above, or ask the agent to browse for you.</p>
          <div class="hint"><span><kbd>Ctrl</kbd> + <kbd>L</kbd> address bar</span><span><kbd>Ctrl</kbd> + <kbd>T</kbd> new tab</span></div>
        </main>
        </body>
        </html>
        """;
}
