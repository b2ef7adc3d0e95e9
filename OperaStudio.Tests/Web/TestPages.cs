namespace OperaStudio.Tests.Web;

/// <summary>Remote pages the UI tests browse to; absolutely positioned, so the tests know where things are.</summary>
public static class TestPages
{
    private const string Style = """
        <style>
          html, body { margin: 0; }
          body { font: 16px "Liberation Sans", Arial, sans-serif; background: #fff7ed; color: #0f172a; }
          header { height: 56px; display: flex; align-items: center; padding: 0 24px; background: #0f172a; color: #f8fafc; font-weight: 700; }
          .abs { position: absolute; }
          #press { left: 40px; top: 100px; width: 220px; height: 64px; border: 0; border-radius: 12px; background: #f97316; color: #fff; font-size: 18px; }
          #name { left: 40px; top: 200px; width: 320px; height: 40px; font-size: 18px; }
          .tall { height: 4000px; }
          .d { left: 40px; width: 220px; height: 56px; border: 0; border-radius: 10px; background: #0f172a; color: #fff; font-size: 16px; }
        </style>
        <script>
          // What reached the page, for a failure to report: where presses landed and on what.
          window.inputLog = [];
          for (const type of ['mousedown', 'mouseup', 'click', 'keydown']) {
            addEventListener(type, e => { window.inputLog.push(`${type} ${e.clientX ?? ''},${e.clientY ?? ''} ${e.target?.id || e.target?.tagName}`); if (window.inputLog.length > 12) window.inputLog.shift(); }, true);
          }
        </script>
        """;

    /// <summary>A button at (40..260, 100..164), a text input at (40..360, 200..240), and a tall body to scroll.</summary>
    public const string Input = $"""
        <!doctype html><html><head><title>Input test page</title>{Style}</head><body>
        <header>Opera Studio test page</header>
        <button id="press" class="abs" onclick="this.textContent = 'pressed ' + (++window.presses)">Press me</button>
        <input id="name" class="abs" autocomplete="off" placeholder="Type here">
        <div class="tall"></div>
        <script>window.presses = 0;</script>
        </body></html>
        """;

    /// <summary>A page titled <paramref name="title"/> with a coloured block (so frames differ between pages).</summary>
    public static string Titled(string title, string colour = "#38bdf8") => $"""
        <!doctype html><html><head><title>{title}</title>{Style}</head><body>
        <header>{title}</header>
        <div class="abs" style="left:40px;top:100px;width:300px;height:120px;background:{colour};border-radius:12px"></div>
        <button id="press" class="abs" style="top:260px" onclick="this.textContent = 'pressed ' + (++window.presses)">Press me</button>
        <script>window.presses = 0;</script>
        </body></html>
        """;

    /// <summary>A link at (40..340, 100..140) that opens <paramref name="target"/> in a new tab (target=_blank).</summary>
    public static string PopupLink(string target) => $"""
        <!doctype html><html><head><title>Popup link page</title>{Style}</head><body>
        <header>Links</header>
        <a id="popup" class="abs" href="{target}" target="_blank"
           style="left:40px;top:100px;width:300px;height:40px;line-height:40px;display:block;background:#0f172a;color:#fff;text-align:center">Open in a new tab</a>
        </body></html>
        """;

    /// <summary>Buttons at y=100 (alert), y=180 (confirm), y=260 (prompt), x 40..260; results in window.results.</summary>
    public const string Dialogs = $"""
        <!doctype html><html><head><title>Dialogs page</title>{Style}
        </head><body>
        <header>Dialogs</header>
        <button class="abs d" style="top:100px" onclick="alert('Hello from the page'); window.results.push('alert done')">Alert</button>
        <button class="abs d" style="top:180px" onclick="window.results.push('confirm ' + confirm('Delete everything?'))">Confirm</button>
        <button class="abs d" style="top:260px" onclick="window.results.push('prompt ' + prompt('Your name?', 'Ada'))">Prompt</button>
        <script>window.results = [];</script>
        </body></html>
        """;

    /// <summary>A file input at (40..440, 100..150); the picked files' names and sizes go to #out.</summary>
    public const string Upload = $"""
        <!doctype html><html><head><title>Upload page</title>{Style}</head><body>
        <header>Upload</header>
        <input id="file" class="abs" type="file" style="left:40px;top:100px;width:400px;height:50px;font-size:16px"
               onchange="document.getElementById('out').textContent = [...this.files].map(f => f.name + ':' + f.size).join(',')">
        <p id="out" class="abs" style="left:40px;top:180px">nothing yet</p>
        </body></html>
        """;

    /// <summary>A download link at (40..340, 100..140) to <paramref name="href"/>.</summary>
    public static string DownloadLink(string href) => $"""
        <!doctype html><html><head><title>Download page</title>{Style}</head><body>
        <header>Download</header>
        <a id="dl" class="abs" href="{href}" download
           style="left:40px;top:100px;width:300px;height:40px;line-height:40px;display:block;background:#f97316;color:#fff;text-align:center">Download the report</a>
        </body></html>
        """;

    /// <summary>A favicon for the showcase page.</summary>
    public const string ShowcaseIcon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#065f46"/>
        <path d="M4 24 L13 10 L18 17 L21 13 L28 24 Z" fill="#a7f3d0"/></svg>
        """;

    /// <summary>A small, styled storefront: what the panel looks like with a real-looking site in it (screenshots).</summary>
    public const string Showcase = """
        <!doctype html><html lang="en"><head><meta charset="utf-8">
        <title>Northwind Trails — Gear for long days outside</title>
        <link rel="icon" href="/showcase/icon.svg">
        <style>
          * { box-sizing: border-box; }
          body { margin: 0; font: 16px/1.5 "Liberation Sans", Arial, sans-serif; color: #1f2937; background: #f8fafc; }
          nav { display: flex; align-items: center; gap: 28px; padding: 18px 48px; background: #fff; border-bottom: 1px solid #e5e7eb; }
          .brand { font-weight: 800; font-size: 20px; color: #065f46; letter-spacing: .3px; }
          nav a { color: #374151; text-decoration: none; font-size: 15px; }
          nav .cart { margin-left: auto; padding: 8px 16px; border-radius: 999px; background: #065f46; color: #fff; }
          .hero { display: grid; grid-template-columns: 1.1fr .9fr; gap: 40px; align-items: center; padding: 56px 48px 40px;
                  background: linear-gradient(135deg, #ecfdf5 0%, #f0f9ff 100%); }
          .hero h1 { margin: 0 0 14px; font-size: 44px; line-height: 1.1; color: #064e3b; }
          .hero p { margin: 0 0 24px; font-size: 18px; color: #475569; max-width: 520px; }
          .btn { display: inline-block; padding: 12px 22px; border-radius: 10px; background: #059669; color: #fff; font-weight: 700; text-decoration: none; margin-right: 10px; }
          .btn.ghost { background: transparent; color: #065f46; border: 2px solid #059669; }
          .art { height: 260px; border-radius: 20px; position: relative; overflow: hidden;
                 background: linear-gradient(180deg, #bae6fd 0%, #e0f2fe 55%, #a7f3d0 55%, #6ee7b7 100%); box-shadow: 0 20px 40px rgba(6,78,59,.18); }
          .art .m1 { position: absolute; left: -20px; bottom: 80px; border-left: 160px solid transparent; border-right: 160px solid transparent; border-bottom: 150px solid #0f766e; }
          .art .m2 { position: absolute; left: 170px; bottom: 80px; border-left: 130px solid transparent; border-right: 130px solid transparent; border-bottom: 120px solid #115e59; }
          .art .sun { position: absolute; right: 50px; top: 36px; width: 60px; height: 60px; border-radius: 50%; background: #fbbf24; }
          .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 20px; padding: 36px 48px; }
          .card { background: #fff; border: 1px solid #e5e7eb; border-radius: 16px; overflow: hidden; }
          .card .img { height: 120px; }
          .card .body { padding: 14px 16px 18px; }
          .card h3 { margin: 0 0 4px; font-size: 16px; }
          .card .price { color: #059669; font-weight: 700; }
          .tag { display: inline-block; margin-bottom: 14px; padding: 4px 10px; border-radius: 999px; background: #d1fae5; color: #065f46; font-size: 13px; font-weight: 700; }
        </style></head><body>
        <nav><span class="brand">▲ Northwind Trails</span><a href="#">Packs</a><a href="#">Tents</a><a href="#">Footwear</a><a href="#">Guides</a><a class="cart" href="#">Cart · 2</a></nav>
        <section class="hero">
          <div>
            <span class="tag">Spring collection</span>
            <h1>Gear for long days outside</h1>
            <p>Light packs, warm layers and boots that last. Free returns for 60 days, and a trail guide with every order.</p>
            <a class="btn" href="#">Shop the collection</a><a class="btn ghost" href="/showcase/docs">Read the trail guide</a>
          </div>
          <div class="art"><div class="sun"></div><div class="m1"></div><div class="m2"></div></div>
        </section>
        <section class="cards">
          <div class="card"><div class="img" style="background:linear-gradient(135deg,#f97316,#fdba74)"></div><div class="body"><h3>Ridge 38 pack</h3><div class="price">$149</div></div></div>
          <div class="card"><div class="img" style="background:linear-gradient(135deg,#0ea5e9,#7dd3fc)"></div><div class="body"><h3>Alpine shell</h3><div class="price">$219</div></div></div>
          <div class="card"><div class="img" style="background:linear-gradient(135deg,#10b981,#6ee7b7)"></div><div class="body"><h3>Two-person tent</h3><div class="price">$329</div></div></div>
          <div class="card"><div class="img" style="background:linear-gradient(135deg,#8b5cf6,#c4b5fd)"></div><div class="body"><h3>Trail runners</h3><div class="price">$129</div></div></div>
        </section>
        </body></html>
        """;
}
