using Microsoft.Playwright;

namespace OperaStudio.Bench.Viewers;

/// <summary>
/// The real web app's browser panel (<c>/sessions/{id}</c>) in a headless viewer page, sized so that its canvas is
/// exactly the page viewport the figure asks for (the remote page follows the panel's size).
/// </summary>
public sealed class PanelViewer : IAsyncDisposable
{
    private static (int Dx, int Dy)? _chrome;

    private PanelViewer(IPage page, int width, int height)
    {
        Page = page;
        Width = width;
        Height = height;
    }

    public IPage Page { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>
    /// How much bigger than its canvas the viewer window must be (app bar, tab strip, toolbar, status bar, padding),
    /// measured once on a live panel and checked after.
    /// </summary>
    public static async Task CalibrateAsync(ViewerBrowser viewer, Uri web, string sessionId)
    {
        var page = await viewer.NewPageAsync(1400, 900, web);
        try
        {
            await page.GotoAsync(new Uri(web, $"/sessions/{sessionId}").ToString());
            await page.WaitForFunctionAsync(
                "() => { const c = document.querySelector('[data-testid=\"browser-canvas\"]'); return c && c.clientWidth > 0 && window.__bench.draws > 0; }");
            var size = await page.EvaluateAsync<int[]>(
                "() => { const c = document.querySelector('[data-testid=\"browser-canvas\"]'); return [Math.round(c.clientWidth), Math.round(c.clientHeight)]; }");
            _chrome = (1400 - size[0], 900 - size[1]);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>Opens the panel of <paramref name="sessionId"/> with a canvas of <paramref name="width"/>×<paramref name="height"/> and waits until it is live.</summary>
    public static async Task<PanelViewer> OpenAsync(ViewerBrowser viewer, Uri web, string sessionId, int width, int height)
    {
        var (dx, dy) = _chrome ?? throw new InvalidOperationException("Calibrate the panel's chrome first.");
        var page = await viewer.NewPageAsync(width + dx, height + dy, web);
        var panel = new PanelViewer(page, width, height);
        await page.GotoAsync(new Uri(web, $"/sessions/{sessionId}").ToString());
        // The chrome's size can depend on the window's (breakpoints): adjust until the canvas is exactly the size asked.
        for (var attempt = 0; attempt < 4; attempt++)
        {
            await page.WaitForFunctionAsync("() => { const c = document.querySelector('[data-testid=\"browser-canvas\"]'); return c && c.clientWidth > 0; }");
            var size = await page.EvaluateAsync<int[]>(
                "() => { const c = document.querySelector('[data-testid=\"browser-canvas\"]'); return [Math.round(c.clientWidth), Math.round(c.clientHeight)]; }");
            if (size[0] == width && size[1] == height)
            {
                break;
            }

            var viewport = page.ViewportSize!;
            await page.SetViewportSizeAsync(viewport.Width + width - size[0], viewport.Height + height - size[1]);
            await Task.Delay(300);
        }

        await panel.WaitUntilLiveAsync();
        return panel;
    }

    /// <summary>Connected, the first-frame overlay gone, frames drawn, and the remote viewport equal to the canvas.</summary>
    public async Task WaitUntilLiveAsync()
    {
        await Page.WaitForFunctionAsync("""
            ([w, h]) => {
              const c = document.querySelector('[data-testid="browser-canvas"]');
              const s = document.querySelector('[data-testid="status"]');
              return c && s && s.dataset.state === 'connected' && c.dataset.pageViewport === `${w}x${h}`
                && !document.querySelector('[data-testid="initializing"]') && window.__bench.draws > 0;
            }
            """, new[] { Width, Height }, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 100 });
    }

    /// <summary>A point of the remote page (CSS px): where it is on the viewer's screen, and which canvas pixel shows it.</summary>
    public async Task<((float X, float Y) Client, (int X, int Y) Pixel)> MapAsync(double x, double y)
    {
        var v = await Page.EvaluateAsync<double[]>("""
            ([x, y]) => {
              const c = document.querySelector('[data-testid="browser-canvas"]');
              const r = c.getBoundingClientRect();
              const [dx, dy, dw, dh] = c.dataset.drawRect.split(',').map(Number);
              const [vw, vh] = c.dataset.pageViewport.split('x').map(Number);
              const sx = dx + x * dw / vw, sy = dy + y * dh / vh;
              const dpr = c.width / r.width;
              return [r.left + sx, r.top + sy, Math.round(sx * dpr), Math.round(sy * dpr)];
            }
            """, new[] { x, y });
        return (((float)v[0], (float)v[1]), ((int)v[2], (int)v[3]));
    }

    /// <summary>The module's own counters (status element): fps over the last second and frames dropped unseen.</summary>
    public async Task<(int Fps, long Frames, long Dropped)> ModuleCountersAsync()
    {
        var v = await Page.EvaluateAsync<double[]>("""
            () => { const d = document.querySelector('[data-testid="status"]').dataset; return [+d.fps || 0, +d.frames || 0, +d.framesDropped || 0]; }
            """);
        return ((int)v[0], (long)v[1], (long)v[2]);
    }

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();
}
