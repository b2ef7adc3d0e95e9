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
}
