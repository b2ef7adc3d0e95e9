using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OperaStudio.Bench.Pages;

/// <summary>
/// The pages both designs browse, served by the bench itself on loopback (Kestrel on 127.0.0.1, a free port):
/// <c>/flip</c> (static; the background changes colour on every mouse press), <c>/busy</c> (text and a box animated
/// with requestAnimationFrame, a per-frame counter, and the same colour flip), <c>/static</c> (an ordinary article
/// page), <c>/clock</c> (the same page with a clock in its header that changes every <see cref="ClockPeriodSeconds"/> s: a
/// mostly static page) and <c>/agent</c> (a small shop page for the agent's snapshot and click).
/// </summary>
public sealed class TestPages : IAsyncDisposable
{
    /// <summary>The two background colours the flip alternates (the page starts on the first).</summary>
    public static readonly int[] ColourA = [200, 30, 30];
    public static readonly int[] ColourB = [30, 80, 200];

    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>host:port, as the browser service's URL policy allow-list spells it.</summary>
    public string HostAndPort => $"{BaseAddress.Host}:{BaseAddress.Port}";

    public Uri Flip => new(BaseAddress, "flip");

    public Uri Busy => new(BaseAddress, "busy");

    public Uri Static => new(BaseAddress, "static");

    public Uri Agent => new(BaseAddress, "agent");

    public Uri Clock => new(BaseAddress, "clock");

    /// <summary>How often the clock page changes (its only change).</summary>
    public const int ClockPeriodSeconds = 2;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/flip", () => Html(FlipPage));
        _app.MapGet("/busy", () => Html(BusyPage));
        _app.MapGet("/static", () => Html(StaticPage));
        _app.MapGet("/agent", () => Html(AgentPage));
        _app.MapGet("/clock", () => Html(ClockPage));
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First().TrimEnd('/') + "/");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8);

    private const string FlipScript = """
        <script>
          let presses = 0;
          addEventListener('mousedown', () => {
            presses++;
            document.body.style.background = presses % 2 ? 'rgb(30,80,200)' : 'rgb(200,30,30)';
          });
        </script>
        """;

    private const string FlipPage = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Input to pixel</title>
        <style>
          html, body { margin: 0; height: 100%; font: 16px/1.5 sans-serif; color: #fff; }
          body { background: rgb(200,30,30); }
          h1 { margin: 0; padding: 24px 24px 8px; font-weight: 600; }
          p { margin: 0; padding: 0 24px; max-width: 40em; }
        </style></head>
        <body>
          <h1>Input to pixel</h1>
          <p>The background changes colour on every mouse press. The viewer samples a corner of its canvas after every
             decoded frame until the new colour shows.</p>
        """ + FlipScript + "</body></html>";

    private const string BusyPage = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Busy page</title>
        <style>
          html, body { margin: 0; height: 100%; overflow: hidden; font: 15px/1.5 Georgia, serif; }
          body { background: rgb(200,30,30); }
          #content { position: absolute; left: 4%; top: 5%; width: 72%; height: 78%; box-sizing: border-box; padding: 16px 20px;
                     background: #f8fafc; color: #0f172a; border-radius: 8px; overflow: hidden; }
          h1 { margin: 0 0 4px; font: 600 24px/1.3 sans-serif; }
          #counter { font: bold 22px monospace; color: #9a3412; }
          #stage { position: relative; height: 130px; margin: 10px 0; background: linear-gradient(90deg, #e2e8f0, #cbd5e1); overflow: hidden; border-radius: 6px; }
          #box { position: absolute; top: 15px; left: 0; width: 100px; height: 100px; border-radius: 14px;
                 background: linear-gradient(135deg, #f97316, #facc15); box-shadow: 0 4px 14px rgba(0,0,0,.3); }
          p { margin: 6px 0; }
        </style></head>
        <body>
          <div id="content">
            <h1>Busy page: an animation on every frame</h1>
            <div id="counter">0</div>
            <div id="stage"><div id="box"></div></div>
            <p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore
               magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo
               consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.</p>
            <p>Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.
               Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium doloremque laudantium, totam rem
               aperiam, eaque ipsa quae ab illo inventore veritatis et quasi architecto beatae vitae dicta sunt explicabo.</p>
            <p>Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugit, sed quia consequuntur magni dolores
               eos qui ratione voluptatem sequi nesciunt. Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet.</p>
          </div>
          <script>
            const box = document.getElementById('box');
            const stage = document.getElementById('stage');
            const counter = document.getElementById('counter');
            let frames = 0;
            function tick(t) {
              frames++;
              const travel = Math.max(1, stage.clientWidth - 100);
              const x = (t / 3) % (2 * travel);
              box.style.transform = `translateX(${x < travel ? x : 2 * travel - x}px) rotate(${(t / 8) % 360}deg)`;
              counter.textContent = `frame ${frames} · ${t.toFixed(1)} ms`;
              requestAnimationFrame(tick);
            }
            requestAnimationFrame(tick);
          </script>
        """ + FlipScript + "</body></html>";

    private static readonly string StaticPage = $$"""
        <!doctype html>
        <html><head><meta charset="utf-8"><title>An ordinary page</title>
        <style>
          body { margin: 0; font: 16px/1.6 Georgia, serif; color: #1f2937; background: #fff; }
          header { background: #0f172a; color: #fff; padding: 14px 32px; font: 600 20px sans-serif; }
          nav a { color: #fdba74; margin-right: 18px; font: 14px sans-serif; }
          main { max-width: 46em; margin: 24px auto; padding: 0 24px; }
          table { border-collapse: collapse; width: 100%; font: 14px sans-serif; }
          td, th { border-bottom: 1px solid #e5e7eb; padding: 6px 8px; text-align: left; }
        </style></head>
        <body>
          <header>Opera Studio benchmark <nav><a href="#">News</a><a href="#">Sport</a><a href="#">Weather</a><a href="#">About</a></nav></header>
          <main>
            <h1>An ordinary, static page</h1>
            {{string.Concat(Enumerable.Range(1, 6).Select(i => $"<p>Paragraph {i}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>"))}}
            <table><tr><th>Item</th><th>Price</th><th>Stock</th></tr>
            {{string.Concat(Enumerable.Range(1, 12).Select(i => $"<tr><td>Item {i}</td><td>{i * 7 % 50 + 5}.99</td><td>{i * 13 % 40}</td></tr>"))}}
            </table>
          </main>
        </body></html>
        """;

    private static readonly string ClockPage = StaticPage
        .Replace("<title>An ordinary page</title>", "<title>A mostly static page</title>", StringComparison.Ordinal)
        .Replace("<nav>", "<span id=\"clock\" style=\"float: right; font: 14px monospace\"></span><nav>", StringComparison.Ordinal)
        .Replace("</body>", $$$"""
              <script>
                const clock = document.getElementById('clock');
                const show = () => clock.textContent = new Date().toLocaleTimeString('en-GB');
                show();
                setInterval(show, {{{ClockPeriodSeconds * 1000}}});
              </script>
            </body>
            """, StringComparison.Ordinal);

    private static readonly string AgentPage = $$"""
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Shop</title>
        <style>body { font: 15px sans-serif; margin: 24px; } li { margin: 4px 0; }</style></head>
        <body>
          <h1>Shop</h1>
          <nav><a href="#home">Home</a> <a href="#deals">Deals</a> <a href="#help">Help</a></nav>
          <form onsubmit="return false">
            <label>Search <input name="q" placeholder="Search products"></label>
            <label>Category <select name="c"><option>All</option><option>Books</option><option>Music</option></select></label>
            <button type="submit">Search</button>
          </form>
          <p>In the basket: <output id="count">0</output></p>
          <button id="add" onclick="document.getElementById('count').textContent = +document.getElementById('count').textContent + 1">Add item</button>
          <ul>
            {{string.Concat(Enumerable.Range(1, 30).Select(i => $"<li>Product {i} — {i * 3 % 20 + 4}.50 € <button>Details {i}</button></li>"))}}
          </ul>
        </body></html>
        """;
}
