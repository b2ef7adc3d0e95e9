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
}
