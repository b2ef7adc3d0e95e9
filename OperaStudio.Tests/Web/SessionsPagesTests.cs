using System.Net.Http.Json;
using System.Text.RegularExpressions;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Web;

/// <summary>The home route, the sessions list and a session's page, in a real browser.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed partial class SessionsPagesTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task Home_CreatesASession_AndLandsOnItsPanel_ReplacingTheHistoryEntry()
    {
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1280, 800);
        try
        {
            await page.GotoAsync(web.Url("/"));

            await Expect(page).ToHaveURLAsync(SessionUrl());
            var id = SessionUrl().Match(page.Url).Groups["id"].Value;
            Assert.NotNull(web.Service.Sessions.Find(id));
            await Expect(page.GetByTestId("browser-panel")).ToHaveAttributeAsync("data-session-id", id);
            await Expect(page.GetByTestId("initializing")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("tab")).ToContainTextAsync("New tab");
            await Expect(page.GetByTestId("address-bar")).ToHaveValueAsync("");
            await Expect(page.GetByTestId("nav-browser")).ToHaveClassAsync(new Regex("active"));
            // "/" was replaced: the history is the blank start and the session, so Back cannot open another session.
            Assert.Equal(2, await page.EvaluateAsync<int>("() => history.length"));

            await web.Service.Sessions.CloseAsync(id, "test finished");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task SessionsPage_ListsASession_OpensIt_AndClosesIt()
    {
        var url = web.Service.Pages.Page("/sessions-page/listed", TestPages.Titled("Listed page"));
        using var created = await web.Http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1280, 800);
        try
        {
            await page.GotoAsync(web.Url("/sessions"));
            var row = page.Locator("tr").Filter(new() { Has = page.Locator($"[data-session-id='{session.Id}']") });
            await Expect(row).ToContainTextAsync("Listed page");
            await Expect(row).ToContainTextAsync(url.ToString());
            await Expect(page.GetByTestId("nav-sessions")).ToHaveClassAsync(new Regex("active"));

            // Open: the session's panel, live; a viewer that drops (reload) and returns sees the page at once.
            await row.GetByTestId("open-session").ClickAsync();
            await Expect(page).ToHaveURLAsync(web.Url($"/sessions/{session.Id}"));
            await Expect(page.GetByTestId("initializing")).ToHaveCountAsync(0);
            await page.ReloadAsync();
            await Expect(page.GetByTestId("initializing")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-state", "connected");

            // Back to the list (the panel left, so the viewer count drops), then close it there.
            await page.GetByTestId("nav-sessions").ClickAsync();
            await Expect(row).ToBeVisibleAsync();
            await row.GetByTestId("close-session").ClickAsync();
            await Expect(page.Locator($"[data-session-id='{session.Id}']")).ToHaveCountAsync(0);
            Assert.Null(web.Service.Sessions.Find(session.Id));
        }
        finally
        {
            await page.Context.CloseAsync();
            await web.Service.Sessions.CloseAsync(session.Id, "test finished");
        }
    }

    [Fact]
    public async Task SessionPage_ForASessionThatIsGone_SaysSo_AndAnUnknownAddressGetsTheNotFoundPage()
    {
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1280, 800);
        try
        {
            await page.GotoAsync(web.Url("/sessions/no-such-session"));

            await Expect(page.GetByTestId("session-not-found")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("session-not-found").GetByTestId("new-session")).ToHaveAttributeAsync("href", "/");

            // Not a page at all: the app's own not-found page (status 404), not the browser's error page.
            var response = await page.GotoAsync(web.Url("/no-such-page"));
            Assert.Equal(404, response!.Status);
            await Expect(page.GetByTestId("not-found")).ToBeVisibleAsync();
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Home_WhenTheBrowserServiceIsUnreachable_ExplainsAndOffersARetry()
    {
        // A second web app whose browser service address has nothing listening.
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var deadAddress = $"http://127.0.0.1:{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}";
        probe.Stop();
        await using var lonely = WebAppFixture.Start(deadAddress, web.Service.DatabaseConnectionString);
        var page = await chromium.NewSignedInPageAsync(BrowserServiceHost.ServerAddress(lonely.Services), 1280, 800);
        try
        {
            await page.GotoAsync(new Uri(BrowserServiceHost.ServerAddress(lonely.Services), "/").ToString());

            var failed = page.GetByTestId("start-failed");
            await Expect(failed).ToBeVisibleAsync();
            await Expect(failed).ToContainTextAsync("cannot be reached");
            await Expect(page.GetByTestId("service-status")).ToHaveAttributeAsync("data-healthy", "false");
            await page.GetByTestId("retry").ClickAsync();
            await Expect(failed).ToBeVisibleAsync();
            Assert.EndsWith("/", page.Url, StringComparison.Ordinal);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [GeneratedRegex(@"/sessions/(?<id>[A-Za-z0-9_-]+)$")]
    private static partial Regex SessionUrl();
}
