using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Sessions;

/// <summary>
/// A page cannot open windows past the tab limit, and without a user gesture it cannot open any (Chromium's popup
/// blocker, which Playwright turns off by default, is on).
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class PopupLimitTests(BrowserServiceFixture service, DataStoresFixture stores, TestPageServer pages)
{
    private const int Flood = 40;

    [Fact]
    public async Task WindowOpenOnLoad_WithoutAGesture_IsBlocked()
    {
        var target = pages.Page("/popups/blocked-target", "<!doctype html><title>Should not open</title>");
        var session = await OpenAsync(service.Http, service.Sessions, "/popups/flood-blocked", FloodPage(target));

        // window.open answers synchronously: null when the blocker refused the window.
        var opened = await session.Tabs[0].Page.EvaluateAsync<int>("() => window.opened");

        Assert.Equal(0, opened);
        Assert.Single(session.Tabs);
        (await service.Http.DeleteAsync($"/api/sessions/{session.Id}")).Dispose();
    }

    [Fact]
    public async Task WindowOpenInAClickHandler_OpensATab()
    {
        var target = pages.Page("/popups/click-target", "<!doctype html><title>Opened by a click</title>");
        var session = await OpenAsync(service.Http, service.Sessions, "/popups/click", $"""
            <!doctype html><title>Click opener</title>
            <button id="open" onclick="window.opened = window.open('{target}') ? 'a window' : 'null'">open</button>
            """);

        var opener = session.ActiveTab.Page;
        await opener.ClickAsync("#open");
        var opened = "";
        await Eventually.TrueAsync(
            async () =>
            {
                opened = await opener.EvaluateAsync<string>("() => String(window.opened)");
                return session.Tabs.Count == 2 && session.ActiveTab.ToDto().Title == "Opened by a click";
            },
            "the clicked popup to become the active tab",
            TimeSpan.FromSeconds(20),
            () => $"{session.Tabs.Count} tabs, {session.Lease.Context.Pages.Count} pages in the context, window.open gave {opened}");

        Assert.Equal(2, session.Tabs.Count);
        (await service.Http.DeleteAsync($"/api/sessions/{session.Id}")).Dispose();
    }

    [Fact]
    public async Task FortyWindowsAtOnce_WithTheBlockerOff_NeverExceedTheTabLimit()
    {
        const int limit = 20;
        await using var host = BrowserServiceHost.Start(
            stores.RedisConnectionString,
            await stores.CreateDatabaseAsync("popups"),
            pages.HostAndPort,
            new Dictionary<string, string>
            {
                ["Browsers:BlockPopups"] = "false",
                ["Browsers:WarmContexts"] = "0",
                ["Sessions:MaxTabsPerSession"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        var target = pages.Page("/popups/race-target", "<!doctype html><title>Popup</title>");
        var session = await OpenAsync(host.Http, host.Sessions, "/popups/start", "<!doctype html><title>Start</title>");
        var opener = session.ActiveTab.Page;
        var popups = new ConcurrentBag<IPage>();
        session.Lease.Context.Page += (_, page) => popups.Add(page);

        // The page's script runs while it is parsed; its load waits for forty popups, which is not what this is about.
        await opener.GotoAsync(pages.Page("/popups/flood-open", FloodPage(target)).ToString(), new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        Assert.Equal(Flood, await opener.EvaluateAsync<int>("() => window.opened"));
        // Settled: the tabs are full and every page the context still has is one of them (the service closes a popup
        // over the limit, sometimes before Playwright reports it as a page, so counting reported popups cannot settle).
        var context = session.Lease.Context;
        await Eventually.TrueAsync(
            () => session.Tabs.Count >= limit && context.Pages.All(p => p.IsClosed || session.Tabs.Any(t => t.Page == p)),
            "the popups to be adopted or closed",
            TimeSpan.FromSeconds(30),
            () => $"{session.Tabs.Count} tabs, {context.Pages.Count(p => !p.IsClosed)} open pages, {popups.Count} popups reported");

        Assert.Equal(limit, session.Tabs.Count);
        Assert.Equal(limit, session.Lease.Context.Pages.Count(p => !p.IsClosed));
    }

    private static string FloodPage(Uri target) => $$"""
        <!doctype html><title>Flood</title>
        <script>
          window.opened = 0;
          for (let i = 0; i < {{Flood}}; i++) { if (window.open('{{target}}?n=' + i)) window.opened++; }
        </script>
        """;

    private async Task<BrowserSession> OpenAsync(HttpClient http, SessionManager sessions, string path, string html)
    {
        var url = pages.Page(path, html);
        using var response = await http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        response.EnsureSuccessStatusCode();
        var session = sessions.Find((await response.Content.ReadFromJsonAsync<SessionDto>())!.Id)!;
        await session.Tabs[0].Page.WaitForLoadStateAsync();
        return session;
    }
}
