using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Sessions;

/// <summary>
/// Sessions browse with Chromium's HTTP cache, as a browser does: nothing turns on request interception (which makes
/// Playwright disable the cache and hold every request for a round trip to its driver).
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class HttpCacheTests(BrowserServiceFixture service)
{
    [Fact]
    public async Task ACacheableStylesheet_IsFetchedOnce_ForTwoPagesThatUseIt()
    {
        var fetched = 0;
        var stylesheet = service.Pages.Handle("/cache/shared.css", async context =>
        {
            Interlocked.Increment(ref fetched);
            context.Response.ContentType = "text/css";
            context.Response.Headers.CacheControl = "public, max-age=3600";
            await context.Response.WriteAsync("body { color: rgb(1, 2, 3); }");
        });
        var first = service.Pages.Page("/cache/first", $"<!doctype html><title>First</title><link rel=stylesheet href=\"{stylesheet}\">");
        var second = service.Pages.Page("/cache/second", $"<!doctype html><title>Second</title><link rel=stylesheet href=\"{stylesheet}\">");
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { url = first.ToString() });
        created.EnsureSuccessStatusCode();
        var session = service.Sessions.Find((await created.Content.ReadFromJsonAsync<SessionDto>())!.Id)!;
        try
        {
            var page = session.ActiveTab.Page;
            await page.WaitForLoadStateAsync();
            await page.GotoAsync(second.ToString());

            Assert.Equal("rgb(1, 2, 3)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).color"));
            Assert.Equal(1, Volatile.Read(ref fetched));
        }
        finally
        {
            (await service.Http.DeleteAsync($"/api/sessions/{session.Id}")).Dispose();
        }
    }
}
