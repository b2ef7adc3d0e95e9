using System.Text.Json;
using Microsoft.Playwright;

namespace OperaStudio.BrowserService.Browsers;

/// <summary>
/// What a person's press landed on, as the page said at the moment it happened. The history names a human click by its
/// element; asked afterwards, a page that the click (or the next thing done) navigated away had often gone already, and
/// the entry said only "(200, 110)". A listener in an isolated world, out of the page's reach, reports every mousedown
/// of the top document through a CDP binding, and that report arrives before the page can be replaced.
/// </summary>
internal sealed class PressWitness
{
    private const string World = "opera-press-witness";
    private const string Binding = "operaPressed";

    /// <summary>How long a report waits for the press it belongs to (they arrive in either order).</summary>
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An element in a few words: tag, id and its own short text. Never a field's value (typed text stays out of the
    /// history), and no text of a large container (reading it lays the page out, inside the page's own input handling).
    /// </summary>
    public const string Describe = """
        (e) => {
          if (!(e instanceof Element)) return null;
          const isButton = e instanceof HTMLInputElement && ['button', 'submit', 'reset'].includes(e.type);
          const own = isButton ? e.value : e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement ? ''
            : e.childElementCount <= 10 ? (e.innerText || '') : '';
          const text = (own || e.getAttribute('aria-label') || e.getAttribute('alt') || e.getAttribute('placeholder') || '').trim().replace(/\s+/g, ' ');
          return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${text ? ' "' + text.slice(0, 80) + '"' : ''}`;
        }
        """;

    private const string Script = "(() => { if (window !== window.top) return; const describe = " + Describe + """
        ;
          addEventListener('mousedown', e => {
            if (typeof globalThis.operaPressed === 'function') {
              globalThis.operaPressed(JSON.stringify({ x: e.clientX, y: e.clientY, what: describe(e.target) }));
            }
          }, true);
        })();
        """;

    private readonly Lock _gate = new();
    private readonly List<(double X, double Y, string? What, DateTimeOffset At)> _reports = [];
    private readonly List<(double X, double Y, TaskCompletionSource<string?> Done)> _waiting = [];
    private readonly TimeProvider _time;

    public PressWitness(TimeProvider time) => _time = time;

    /// <summary>
    /// Sets the listener up in a page (its current document and every later one). Measured: without the Runtime domain
    /// on this session the binding is never defined in the world, and nothing is reported. (Playwright has it on in its
    /// own session already, so pages see nothing new.)
    /// </summary>
    public static async Task InstallAsync(ICDPSession cdp)
    {
        await cdp.SendAsync("Runtime.enable");
        await cdp.SendAsync("Runtime.addBinding", new() { ["name"] = Binding, ["executionContextName"] = World });
        await cdp.SendAsync("Page.addScriptToEvaluateOnNewDocument", new() { ["source"] = Script, ["worldName"] = World, ["runImmediately"] = true });
    }

    /// <summary>Hears the reports of a page's CDP session (again for the new page after a crash).</summary>
    public void Listen(ICDPSession cdp) => cdp.Event("Runtime.bindingCalled").OnEvent += (_, e) => OnReport(e);

    /// <summary>
    /// What the press at (<paramref name="x"/>, <paramref name="y"/>) landed on, once the page reports it; null when it
    /// says nothing within <paramref name="wait"/> (a press inside a frame, a page that stopped the event first).
    /// </summary>
    public async Task<string?> WhatWasPressedAsync(double x, double y, TimeSpan wait)
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _reports.RemoveAll(r => now - r.At > Keep);
            var index = _reports.FindIndex(r => Near(r.X, r.Y, x, y));
            if (index >= 0)
            {
                var report = _reports[index];
                _reports.RemoveAt(index);
                return report.What;
            }

            _waiting.Add((x, y, done));
        }

        try
        {
            return await done.Task.WaitAsync(wait, _time);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                _waiting.RemoveAll(w => w.Done == done);
            }

            return null;
        }
    }

    private void OnReport(JsonElement? e)
    {
        if (e is not { } args || args.GetProperty("name").GetString() != Binding)
        {
            return;
        }

        double x, y;
        string? what;
        try
        {
            using var payload = JsonDocument.Parse(args.GetProperty("payload").GetString() ?? "{}");
            var root = payload.RootElement;
            (x, y) = (root.GetProperty("x").GetDouble(), root.GetProperty("y").GetDouble());
            what = root.GetProperty("what").ValueKind == JsonValueKind.String ? root.GetProperty("what").GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return; // Only our listener can call the binding; anything else is not a report.
        }

        lock (_gate)
        {
            var index = _waiting.FindIndex(w => Near(w.X, w.Y, x, y));
            if (index >= 0)
            {
                var waiter = _waiting[index];
                _waiting.RemoveAt(index);
                waiter.Done.TrySetResult(what);
                return;
            }

            _reports.Add((x, y, what, _time.GetUtcNow()));
            if (_reports.Count > 16)
            {
                _reports.RemoveAt(0);
            }
        }
    }

    /// <summary>The page reports CSS pixels, possibly fractional; the press was sent in the same ones.</summary>
    private static bool Near(double ax, double ay, double bx, double by) => Math.Abs(ax - bx) <= 1 && Math.Abs(ay - by) <= 1;
}
