using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Browsers;

/// <summary>
/// A page with its own Chrome DevTools session (for screencast, input and history) and its CDP target id
/// (how the browser-level session reports its title and URL changes).
/// </summary>
public sealed record PageHandle(IPage Page, ICDPSession Cdp, string TargetId)
{
    public static async Task<PageHandle> AttachAsync(IPage page)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        var info = await cdp.SendAsync("Target.getTargetInfo");
        var targetId = info!.Value.GetProperty("targetInfo").GetProperty("targetId").GetString()
            ?? throw new InvalidOperationException("Chromium returned no target id for a page.");
        return new PageHandle(page, cdp, targetId);
    }

    /// <summary>
    /// The size and pixel ratio the page lays out and paints at. This session's override is the only one: contexts
    /// have no Playwright viewport (see BrowserPool.ContextOptions), and the window's own size does not matter then.
    /// </summary>
    public Task EmulateAsync(ViewportDto viewport) => Cdp.SendAsync("Emulation.setDeviceMetricsOverride", new()
    {
        ["width"] = viewport.Width,
        ["height"] = viewport.Height,
        ["deviceScaleFactor"] = viewport.DeviceScaleFactor,
        ["mobile"] = false,
        ["screenWidth"] = viewport.Width,
        ["screenHeight"] = viewport.Height,
    });
}
