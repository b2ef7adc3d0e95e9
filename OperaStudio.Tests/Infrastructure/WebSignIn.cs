using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// Pages of a real browser signed in to a web app, as a person would be: the first page for a web app and person signs
/// in through <c>/login</c>, and later ones start from the cookies it got (signing in again for each would only make
/// the tests slower).
/// </summary>
public static class WebSignIn
{
    private static readonly ConcurrentDictionary<(string Web, string User), Lazy<Task<string>>> States = new();

    /// <summary>A new context (its own cookies) and page, signed in to <paramref name="web"/>.</summary>
    public static async Task<IPage> NewSignedInPageAsync(
        this ChromiumFixture chromium, Uri web, int width = 1400, int height = 900, float deviceScaleFactor = 1,
        string user = TestIdentity.AdminUserName, string password = TestIdentity.AdminPassword)
    {
        var key = (web.GetLeftPart(UriPartial.Authority), user);
        string state;
        try
        {
            state = await States.GetOrAdd(key, _ => new Lazy<Task<string>>(() => SignInOnceAsync(chromium, web, user, password))).Value;
        }
        catch
        {
            States.TryRemove(key, out _); // the next page tries again rather than repeating this failure
            throw;
        }

        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = deviceScaleFactor,
            StorageState = state,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Forgets the sign-ins to a web app that stopped (another may get its port later).</summary>
    public static void Forget(Uri web)
    {
        foreach (var key in States.Keys.Where(k => k.Web == web.GetLeftPart(UriPartial.Authority)))
        {
            States.TryRemove(key, out _);
        }
    }

    /// <summary>Signs <paramref name="page"/> in through the sign-in form; returns where it landed.</summary>
    public static async Task SignInAsync(IPage page, Uri web, string user, string password, string returnUrl = "/account/password")
    {
        await page.GotoAsync(new Uri(web, $"/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}").ToString());
        await page.GetByTestId("login-user").FillAsync(user);
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new() { Timeout = 20_000 });
    }

    private static async Task<string> SignInOnceAsync(ChromiumFixture chromium, Uri web, string user, string password)
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // The password page needs no circuit and creates no session, unlike the home page.
        await SignInAsync(page, web, user, password);
        return await context.StorageStateAsync();
    }
}
