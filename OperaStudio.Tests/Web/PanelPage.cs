using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Web;

/// <summary>
/// A viewer's page on the web app with one session's browser panel open, and what the UI tests do with it: act on
/// the remote page through the canvas (in the remote page's CSS pixels), read the canvas' pixels, and look at the
/// remote page's real state through the browser service.
/// </summary>
public sealed class PanelPage : IAsyncDisposable
{
    private readonly IWebAppUnderTest _web;

    private PanelPage(IWebAppUnderTest web, IPage page, string sessionId)
    {
        _web = web;
        Page = page;
        SessionId = sessionId;
    }

    public IPage Page { get; }

    public string SessionId { get; }

    /// <summary>The hub WebSocket URLs the page opened (the panel must reach the hub through the web app's origin).</summary>
    public List<string> WebSockets { get; } = [];

    public ILocator Canvas => Page.GetByTestId("browser-canvas");

    public ILocator AddressBar => Page.GetByTestId("address-bar");

    public ILocator Tabs => Page.GetByTestId("tab");

    public ILocator Status => Page.GetByTestId("status");

    public IWebAppUnderTest Web => _web;

    public BrowserSession Session => _web.Sessions.Find(SessionId) ?? throw new InvalidOperationException($"Session {SessionId} is gone.");

    /// <summary>Creates a session (through the web app's proxy) on <paramref name="url"/> and opens its panel.</summary>
    public static async Task<PanelPage> OpenAsync(
        IWebAppUnderTest web, ChromiumFixture chromium, Uri? url = null, int width = 1280, int height = 800, float deviceScaleFactor = 1)
    {
        using var response = await web.Http.PostAsJsonAsync("/api/sessions", new { url = url?.ToString() });
        response.EnsureSuccessStatusCode();
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, width, height, deviceScaleFactor);
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = web.BaseAddress.ToString().TrimEnd('/') });
        var panel = new PanelPage(web, page, session.Id);
        page.WebSocket += (_, socket) => panel.WebSockets.Add(socket.Url);
        page.Console += (_, message) => TestLogs.Write("viewers", $"{session.Id} {message.Type}: {message.Text}");
        await page.GotoAsync(web.Url($"/sessions/{session.Id}"));
        await panel.WaitUntilLiveAsync();
        if (url is not null)
        {
            // The session answers once the page commits; a person would wait for it to load before clicking on it.
            await panel.WaitForRemoteAsync("document.readyState", "complete");
        }

        return panel;
    }

    /// <summary>The overlay is gone, the canvas shows a page, and the page's viewport follows the panel's size.</summary>
    public async Task WaitUntilLiveAsync()
    {
        await Expect(Page.GetByTestId("initializing")).ToHaveCountAsync(0);
        await Expect(Status).ToHaveAttributeAsync("data-state", "connected");
        await WaitForAsync(async () =>
        {
            var settled = await Canvas.EvaluateAsync<bool>("""
                c => c.dataset.pageViewport === `${Math.max(320, Math.round(c.clientWidth))}x${Math.max(240, Math.round(c.clientHeight))}`
                """);
            return settled;
        }, "the remote viewport to follow the panel's size", () => Canvas.EvaluateAsync<string>(
            "c => `canvas ${Math.round(c.clientWidth)}x${Math.round(c.clientHeight)}, page ${c.dataset.pageViewport}, frame ${c.dataset.frameSize}`")
            .GetAwaiter().GetResult() + $", session viewport {Session.Viewport}, remote window {RemoteAsync("innerWidth + 'x' + innerHeight + ' in ' + outerWidth + 'x' + outerHeight").GetAwaiter().GetResult()}, status '{Status.TextContentAsync().GetAwaiter().GetResult()}'");
        await WaitForAsync(async () => (await PixelsAsync()).Distinct > 1, "the canvas to show the page");
    }

    /// <summary>A digest of the canvas' pixels: how many distinct colours a sample holds, and a hash to see changes.</summary>
    public async Task<CanvasPixels> PixelsAsync()
    {
        var result = await Canvas.EvaluateAsync<JsonElement>("""
            c => {
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              const colours = new Set();
              let hash = 0;
              for (let i = 0; i < d.length; i += 4 * 61) {
                const v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
                colours.add(v);
                hash = (Math.imul(hash, 31) + v) >>> 0;
              }
              return { distinct: colours.size, hash };
            }
            """);
        return new CanvasPixels(result.GetProperty("distinct").GetInt32(), result.GetProperty("hash").GetUInt32());
    }

    /// <summary>The colour the canvas shows at a point of the remote page (CSS px), as r,g,b.</summary>
    public async Task<int[]> ColourAtAsync(double x, double y)
    {
        var (cx, cy) = await ToClientAsync(x, y);
        return await Canvas.EvaluateAsync<int[]>("""
            (c, [x, y]) => {
              const r = c.getBoundingClientRect();
              const dpr = c.width / r.width;
              const d = c.getContext('2d').getImageData(Math.round((x - r.left) * dpr), Math.round((y - r.top) * dpr), 1, 1).data;
              return [d[0], d[1], d[2]];
            }
            """, new double[] { cx, cy });
    }

    /// <summary>Where a point of the remote page (CSS px) is on the viewer's screen, from the panel's draw rectangle.</summary>
    public async Task<(float X, float Y)> ToClientAsync(double x, double y)
    {
        // Seen in full runs: for a moment after control moved, the geometry gave no finite point (a click there was
        // lost without a trace). Wait for a drawn frame's geometry, and say what it was if none comes.
        var point = new double[] { double.NaN, double.NaN };
        var geometry = "";
        await WaitForAsync(async () =>
        {
            var read = await Canvas.EvaluateAsync<JsonElement>("""
                (c, [x, y]) => {
                  const r = c.getBoundingClientRect();
                  const [dx, dy, dw, dh] = (c.dataset.drawRect ?? '').split(',').map(Number);
                  const [vw, vh] = (c.dataset.pageViewport ?? '').split('x').map(Number);
                  const p = [r.left + dx + x * dw / vw, r.top + dy + y * dh / vh];
                  return { ok: p.every(Number.isFinite), x: Number.isFinite(p[0]) ? p[0] : 0, y: Number.isFinite(p[1]) ? p[1] : 0,
                    geometry: `drawn at ${c.dataset.drawRect}, page ${c.dataset.pageViewport}, frame ${c.dataset.frameSize}` };
                }
                """, new[] { x, y });
            geometry = read.GetProperty("geometry").GetString() ?? "";
            point = [read.GetProperty("x").GetDouble(), read.GetProperty("y").GetDouble()];
            return read.GetProperty("ok").GetBoolean();
        }, $"the canvas geometry to place remote ({x}, {y})", () => geometry);
        return ((float)point[0], (float)point[1]);
    }

    public async Task ClickRemoteAsync(double x, double y)
    {
        var (cx, cy) = await ToClientAsync(x, y);
        // A person's click goes to whatever is on top there: say so when that is not the live view.
        var onTop = await Page.EvaluateAsync<string>("""
            ([x, y]) => {
              const e = document.elementFromPoint(x, y);
              return !e ? 'nothing' : e.dataset.testid === 'browser-canvas' ? '' : `<${e.tagName.toLowerCase()} class="${e.className}" data-testid="${e.dataset.testid ?? ''}">${(e.textContent ?? '').trim().slice(0, 60)}`;
            }
            """, new double[] { cx, cy });
        Assert.True(onTop.Length == 0, $"The click at remote ({x}, {y}) = viewer ({cx}, {cy}) would land on {onTop}, not on the live view.");
        await Page.Mouse.ClickAsync(cx, cy);
    }

    public async Task WheelRemoteAsync(double x, double y, float deltaY)
    {
        var (cx, cy) = await ToClientAsync(x, y);
        await Page.Mouse.MoveAsync(cx, cy);
        await Page.Mouse.WheelAsync(0, deltaY);
    }

    /// <summary>Evaluates in the session's active tab, for real (not through the UI).</summary>
    public Task<string> RemoteAsync(string expression) => Session.ActiveTab.Page.EvaluateAsync<string>($"() => String({expression})");

    /// <summary>Polls the active tab until <paramref name="expression"/> reads <paramref name="expected"/>.</summary>
    public async Task WaitForRemoteAsync(string expression, string expected)
    {
        string? last = null;
        await WaitForAsync(async () =>
        {
            try
            {
                last = await RemoteAsync(expression);
            }
            catch (PlaywrightException ex)
            {
                last = ex.Message;
            }

            return last == expected;
        }, $"{expression} to read '{expected}'", () => $"it read '{last}'; input lost: {Canvas.GetAttributeAsync("data-input-lost").GetAwaiter().GetResult() ?? "none"}; "
            + $"the page received: [{TryRemote("(window.inputLog ?? []).join('; ')")}] at DPR and size {TryRemote("devicePixelRatio + ' ' + innerWidth + 'x' + innerHeight")}");
    }

    /// <summary>For failure messages: the remote value, or why it could not be read.</summary>
    private string TryRemote(string expression)
    {
        try
        {
            return RemoteAsync(expression).GetAwaiter().GetResult();
        }
        catch (PlaywrightException ex)
        {
            return ex.Message;
        }
    }

    public async Task WaitForCanvasChangeAsync(CanvasPixels before) =>
        await WaitForAsync(async () => (await PixelsAsync()).Hash != before.Hash, "the canvas to repaint");

    /// <summary>
    /// Waits until the canvas shows, at a point of the remote page, a colour close to <paramref name="rgb"/>: the page
    /// is not only loaded (what the service knows) but painted and streamed to this viewer.
    /// </summary>
    public async Task WaitForColourAsync(double x, double y, (int R, int G, int B) rgb, string what)
    {
        int[] seen = [];
        var geometry = "";
        await WaitForAsync(async () =>
        {
            seen = await ColourAtAsync(x, y);
            geometry = await Canvas.EvaluateAsync<string>(
                "c => `frame ${c.dataset.frameSize}, page ${c.dataset.pageViewport}, drawn at ${c.dataset.drawRect}, canvas ${c.width}x${c.height}`");
            return Math.Abs(seen[0] - rgb.R) < 40 && Math.Abs(seen[1] - rgb.G) < 40 && Math.Abs(seen[2] - rgb.B) < 40;
        }, what, () => $"rgb({string.Join(',', seen)}); {geometry}; session viewport {Session.Viewport}");
    }

    /// <summary><see cref="Eventually"/> with the UI tests' budget (a page, a hub and two browsers on a shared machine).</summary>
    public static Task WaitForAsync(Func<Task<bool>> condition, string what, Func<string>? lastSeen = null, int timeoutSeconds = 30) =>
        Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(timeoutSeconds), lastSeen);

    public Task SaveScreenshotAsync(string name) => Screenshots.SaveAsync(Page, name);

    public async ValueTask DisposeAsync()
    {
        await Page.Context.CloseAsync();
        await _web.Sessions.CloseAsync(SessionId, "test finished");
    }
}

public readonly record struct CanvasPixels(int Distinct, uint Hash);
