using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Web;

/// <summary>The history, timeline and operations pages, in a real browser against the real services.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class HistoryPagesTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task HistoryAndTimeline_ShowASessionsPagesAndActions_OperationsShowsTheNode()
    {
        var url = web.Service.Pages.Page("/history-ui/page", "<!doctype html><title>Remembered page</title><h1>remember me</h1>");
        using var created = await web.Http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        await PanelPage.WaitForAsync(async () =>
        {
            using var response = await web.Http.GetAsync($"/api/history/sessions/{session.Id}");
            return response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<SessionTimelineDto>())!.Entries.Any(e => e.Title == "Remembered page");
        }, "the navigation to be recorded");
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1280, 800);

        await page.GotoAsync(web.Url("/history"));
        var row = page.Locator($"[data-testid=history-session][data-session-id='{session.Id}']");
        await Expect(row).ToBeVisibleAsync();
        await page.Locator("tr", new() { Has = row }).GetByTestId("open-timeline").ClickAsync();
        await Expect(page).ToHaveURLAsync(web.Url($"/history/{session.Id}"));
        await Expect(page.Locator("[data-testid=timeline-entry][data-kind=navigation]").Filter(new() { HasText = "Remembered page" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=timeline-entry][data-kind=action]").Filter(new() { HasText = "open-session" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "timeline");

        await page.GotoAsync(web.Url("/operations"));
        await Expect(page.GetByTestId("ops-sessions")).ToContainTextAsync("/ 40");
        await Expect(page.GetByTestId("ops-health")).ToContainTextAsync("browsers · Healthy");
        await Screenshots.SaveAsync(page, "operations");

        await page.GotoAsync(web.Url("/history/no-such-session"));
        await Expect(page.GetByTestId("timeline-error")).ToContainTextAsync("no history");
        await page.Context.CloseAsync();
        await web.Http.DeleteAsync($"/api/sessions/{session.Id}");
    }
}
