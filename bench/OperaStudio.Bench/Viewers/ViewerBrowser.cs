using System.Reflection;
using Microsoft.Playwright;
using OperaStudio.Bench.Pages;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.Bench.Viewers;

/// <summary>
/// The viewer side: a headless Chromium (the same binary the services drive) whose pages open the real web app's
/// panel, or the baseline's viewer page, with the bench's probe added before their own scripts.
/// </summary>
public sealed class ViewerBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly Dictionary<string, string> _signIns = [];

    private ViewerBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public string Version => Browser.Version;

    public static async Task<ViewerBrowser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumLocator.FindOrThrow(),
            Headless = true,
            Args = ["--disable-dev-shm-usage", "--force-color-profile=srgb"],
        });
        return new ViewerBrowser(playwright, browser);
    }

    /// <summary>
    /// A page in its own context, <paramref name="width"/>×<paramref name="height"/> CSS px at pixel ratio 1, with the
    /// probe; signed in to our web app at <paramref name="signedInTo"/> as its administrator when given (the first time
    /// through its sign-in form, then with the cookies that gave).
    /// </summary>
    public async Task<IPage> NewPageAsync(int width, int height, Uri? signedInTo = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
            StorageState = signedInTo is null ? null : await SignInAsync(signedInTo),
        });
        context.SetDefaultTimeout(60_000);
        await context.AddInitScriptAsync(Asset("probe.js"));
        return await context.NewPageAsync();
    }

    private async Task<string> SignInAsync(Uri web)
    {
        var origin = web.GetLeftPart(UriPartial.Authority);
        if (_signIns.TryGetValue(origin, out var state))
        {
            return state;
        }

        await using var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{origin}/login?ReturnUrl=%2Faccount%2Fpassword");
        await page.GetByTestId("login-user").FillAsync(Ours.OperaSystem.AdminUserName);
        await page.GetByTestId("login-password").FillAsync(Ours.OperaSystem.AdminPassword);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new() { Timeout = 60_000 });
        return _signIns[origin] = await context.StorageStateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }

    public static string Asset(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"OperaStudio.Bench.Assets.{name}")
            ?? throw new InvalidOperationException($"The bench asset {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>What the probe measures on any viewer page (the panel or the baseline's).</summary>
public static class Probe
{
    /// <summary>Frames drawn on the live canvas so far, and the page's clock (ms).</summary>
    public static async Task<(long Draws, double Now)> CountersAsync(IPage page)
    {
        var values = await page.EvaluateAsync<double[]>("() => window.__bench.counters()");
        return ((long)values[0], values[1]);
    }

    /// <summary>Frames per second drawn over <paramref name="window"/>, in the page's clock.</summary>
    public static async Task<double> FpsAsync(IPage page, TimeSpan window)
    {
        var (draws0, t0) = await CountersAsync(page);
        await Task.Delay(window);
        var (draws1, t1) = await CountersAsync(page);
        return (draws1 - draws0) / ((t1 - t0) / 1000.0);
    }

    /// <summary>
    /// One input-to-pixel sample: reads the colour at canvas pixel <paramref name="probe"/>, arms the probe for the
    /// other flip colour, clicks at client point <paramref name="click"/>, and waits for a drawn frame to show it.
    /// Null when it did not show within the timeout.
    /// </summary>
    public static async Task<double?> InputToPixelAsync(IPage page, (float X, float Y) click, (int X, int Y) probe, int timeoutMs = 5000)
    {
        var current = await page.EvaluateAsync<int[]>("([x, y]) => window.__bench.pixel(x, y)", new[] { probe.X, probe.Y });
        var expected = Distance(current, TestPages.ColourA) < Distance(current, TestPages.ColourB) ? TestPages.ColourB : TestPages.ColourA;
        await page.EvaluateAsync("([x, y, rgb]) => window.__bench.arm(x, y, rgb)", new object[] { probe.X, probe.Y, expected });
        await page.Mouse.ClickAsync(click.X, click.Y);
        var ms = await page.EvaluateAsync<double>("t => window.__bench.wait(t)", timeoutMs);
        return ms < 0 ? null : ms;
    }

    /// <summary>Epoch milliseconds (page clock: timeOrigin + now) of the first draw since the last reset, or null.</summary>
    public static async Task<double?> FirstDrawEpochAsync(IPage page) =>
        await page.EvaluateAsync<double?>("() => window.__bench.firstDrawEpoch()");

    public static async Task<double> WaitForFirstDrawEpochAsync(IPage page, TimeSpan timeout)
    {
        await page.WaitForFunctionAsync("() => window.__bench.firstDrawAt !== null", null,
            new PageWaitForFunctionOptions { Timeout = (float)timeout.TotalMilliseconds, PollingInterval = 5 });
        return (await FirstDrawEpochAsync(page))!.Value;
    }

    public static double NowEpochMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    private static int Distance(int[] a, int[] b) => Math.Abs(a[0] - b[0]) + Math.Abs(a[1] - b[1]) + Math.Abs(a[2] - b[2]);
}
