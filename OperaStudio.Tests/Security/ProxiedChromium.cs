using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.Tests.Security;

/// <summary>
/// A real Chromium launched with the given arguments (the proxy's, as the browser pool adds them) and one context
/// with service workers blocked, as sessions are created.
/// </summary>
public sealed class ProxiedChromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private ProxiedChromium(IPlaywright playwright, IBrowser browser, IBrowserContext context)
    {
        (_playwright, Browser, Context) = (playwright, browser, context);
    }

    public IBrowser Browser { get; }

    public IBrowserContext Context { get; }

    public static async Task<ProxiedChromium> LaunchAsync(IEnumerable<string> arguments)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumLocator.FindOrThrow(),
            Headless = true,
            Args = [.. arguments],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Block });
        context.SetDefaultTimeout(20_000);
        context.SetDefaultNavigationTimeout(20_000);
        return new ProxiedChromium(playwright, browser, context);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
