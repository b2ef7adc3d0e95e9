using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Web;

/// <summary>
/// Screenshots of the UI for people to look at (and for the README), taken through the real system. Runs only when
/// <c>OPERA_SCREENSHOTS</c> names a folder: <c>OPERA_SCREENSHOTS=/tmp/shots ./test.sh --filter-class OperaStudio.Tests.Web.ScreenshotTests</c>.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class ScreenshotTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    private static readonly string? Folder = Screenshots.Folder;

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(1920, 1080)]
    public async Task Panel_Sessions_Dialog_Crash(int width, int height)
    {
        Assert.SkipWhen(string.IsNullOrWhiteSpace(Folder), "Set OPERA_SCREENSHOTS to a folder to take screenshots.");
        Directory.CreateDirectory(Folder!);
        var pages = web.Service.Pages;
        pages.Handle("/showcase/icon.svg", context =>
        {
            context.Response.ContentType = "image/svg+xml";
            return context.Response.WriteAsync(TestPages.ShowcaseIcon);
        });
        var docs = pages.Page("/showcase/docs", TestPages.Titled("Trail guide — Northwind", "#0ea5e9"));
        var showcase = pages.Page("/showcase/", TestPages.Showcase);

        await using var panel = await PanelPage.OpenAsync(web, chromium, showcase, width, height);
        // A second and third tab, to show the strip; then back to the showcase.
        await panel.Page.GetByTestId("new-tab").ClickAsync();
        await Expect(panel.Tabs).ToHaveCountAsync(2);
        await Expect(panel.AddressBar).ToBeFocusedAsync();
        await panel.AddressBar.FillAsync(docs.ToString());
        await panel.AddressBar.PressAsync("Enter");
        await panel.WaitForRemoteAsync("document.title", "Trail guide — Northwind");
        await panel.Page.GetByTestId("new-tab").ClickAsync();
        await Expect(panel.Tabs).ToHaveCountAsync(3);
        await panel.Tabs.First.ClickAsync();
        await panel.WaitForRemoteAsync("document.title", "Northwind Trails — Gear for long days outside");
        await panel.WaitUntilLiveAsync();
        await Task.Delay(1000);
        await panel.Page.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"panel-{width}x{height}.png") });

        // The address bar refusing a URL.
        await panel.AddressBar.FillAsync("file:///etc/passwd");
        await panel.AddressBar.PressAsync("Enter");
        await Expect(panel.Page.GetByTestId("toolbar")).ToContainTextAsync("http");
        await panel.Page.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"address-error-{width}x{height}.png") });
        await panel.AddressBar.PressAsync("Escape");

        // A JavaScript prompt, answered in the panel.
        _ = panel.Session.ActiveTab.Page.EvaluateAsync("() => setTimeout(() => prompt('Which trail should we save to your list?', 'Ridge loop'), 10)");
        await Expect(panel.Page.GetByTestId("js-dialog")).ToBeVisibleAsync();
        await Task.Delay(300);
        await panel.Page.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"dialog-{width}x{height}.png") });
        await panel.Page.GetByTestId("dialog-accept").ClickAsync();

        // A download (the snackbar offers it), then the downloads menu open.
        pages.Handle("/showcase/trail-map.pdf", context =>
        {
            context.Response.ContentType = "application/pdf";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"northwind-trail-map.pdf\"";
            return context.Response.Body.WriteAsync(new byte[184_320]).AsTask();
        });
        await panel.Session.ActiveTab.Page.EvaluateAsync(
            "() => { const a = document.createElement('a'); a.href = '/showcase/trail-map.pdf'; a.download = ''; document.body.append(a); a.click(); }");
        await Expect(panel.Page.GetByTestId("download-snack-link")).ToBeVisibleAsync();
        await Task.Delay(1200);
        await panel.Page.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"download-snack-{width}x{height}.png") });
        await panel.Page.GetByTestId("downloads").ClickAsync();
        await Task.Delay(400);
        await panel.Page.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"downloads-{width}x{height}.png") });
        await panel.Page.GetByTestId("downloads").ClickAsync();
        await Expect(panel.Page.GetByTestId("downloads-list")).ToHaveCountAsync(0);

        // A crashed tab.
        _ = panel.Session.ActiveTab.Cdp.SendAsync("Page.crash").ContinueWith(t => t.Exception, TaskScheduler.Default);
        await Expect(panel.Page.GetByTestId("crashed")).ToBeVisibleAsync();
        await Task.Delay(300);
        await panel.Page.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"crashed-{width}x{height}.png") });

        // The sessions list, with a second session for company.
        using var other = await web.Http.PostAsJsonAsync("/api/sessions", new { url = docs.ToString() });
        var otherSession = (await other.Content.ReadFromJsonAsync<SessionDto>())!;
        var list = await chromium.NewSignedInPageAsync(web.BaseAddress, width, height);
        await list.GotoAsync(web.Url("/sessions"));
        await Expect(list.Locator($"[data-session-id='{otherSession.Id}']")).ToBeVisibleAsync();
        await Task.Delay(300);
        await list.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"sessions-{width}x{height}.png") });
        await web.Service.Sessions.CloseAsync(otherSession.Id, "screenshots taken");

        // The session ending under the viewer.
        await web.Service.Sessions.CloseAsync(panel.SessionId, "closed by the user");
        await Expect(panel.Page.GetByTestId("session-ended")).ToBeVisibleAsync();
        await Task.Delay(300);
        await panel.Page.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"ended-{width}x{height}.png") });

        // The panel before its first frame (the hub is unreachable from this viewer).
        var waiting = await chromium.NewSignedInPageAsync(web.BaseAddress, width, height);
        await waiting.RouteAsync("**/hubs/**", route => route.AbortAsync());
        using (var third = await web.Http.PostAsJsonAsync("/api/sessions", new { }))
        {
            var thirdSession = (await third.Content.ReadFromJsonAsync<SessionDto>())!;
            await waiting.GotoAsync(web.Url($"/sessions/{thirdSession.Id}"));
            await Expect(waiting.GetByTestId("initializing")).ToContainTextAsync("retrying");
            await waiting.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"initializing-{width}x{height}.png") });
            await web.Service.Sessions.CloseAsync(thirdSession.Id, "screenshots taken");
        }

        // Home, when the browser service cannot be reached.
        await using (var lonely = WebAppFixture.Start("http://127.0.0.1:9", web.Service.DatabaseConnectionString))
        {
            var lonelyAddress = BrowserServiceHost.ServerAddress(lonely.Services);
            var home = await chromium.NewSignedInPageAsync(lonelyAddress, width, height);
            await home.GotoAsync(new Uri(lonelyAddress, "/").ToString());
            await Expect(home.GetByTestId("start-failed")).ToBeVisibleAsync();
            await Task.Delay(300);
            await home.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"home-unreachable-{width}x{height}.png") });
            await home.Context.CloseAsync();
        }

        await waiting.Context.CloseAsync();

        // The empty list.
        await list.ReloadAsync();
        await Task.Delay(500);
        await list.ScreenshotAsync(new() { Path = Path.Combine(Folder!, $"sessions-empty-{width}x{height}.png") });
        await list.Context.CloseAsync();
    }
}
