using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.History;

/// <summary>A session's history in PostgreSQL, read back as one timeline: pages, human and API actions, in order.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class HistoryTests(BrowserServiceFixture service, DataStoresFixture stores, TestPageServer pages)
{
    private const string Page = """
        <!doctype html><title>History page</title>
        <style>body{margin:0} #b{position:absolute;left:100px;top:80px;width:200px;height:60px} #t{position:absolute;left:100px;top:200px;width:300px;height:30px}</style>
        <button id="b">Press me</button><input id="t">
        """;

    [Fact]
    public async Task AHumanClick_IsNamedByWhatItLandedOn_ThenNotNow_AndNeverByAFieldsValue()
    {
        // Before: the element was read after the click, from the page as it was by then: a page that changed (or went)
        // on the press gave "body" or "(200, 110)", and a password field was named by its value.
        var url = service.Pages.Page("/history/witness", """
            <!doctype html><title>Witness</title>
            <style>body{margin:0} #go{position:absolute;left:100px;top:80px;width:200px;height:60px} #pw{position:absolute;left:100px;top:200px;width:300px;height:30px}</style>
            <button id="go" onmousedown="setTimeout(() => document.body.replaceChildren(), 0)">Go on</button>
            <input id="pw" type="password" value="hunter2-secret">
            """);
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var tab = service.Sessions.Find(session.Id)!.ActiveTab;
        await Eventually.TrueAsync(() => tab.ToDto().Title == "Witness", "the page's title", TimeSpan.FromSeconds(10));
        var connection = await service.ConnectHubAsync();
        await connection.InvokeAsync<SessionDto>("Join", session.Id);

        await connection.InvokeAsync("Pointer", "down", 250.0, 215.0, "left", 1, 1, 0);
        await connection.InvokeAsync("Pointer", "up", 250.0, 215.0, "left", 0, 1, 0);
        await connection.InvokeAsync("Pointer", "down", 200.0, 110.0, "left", 1, 1, 0);
        await connection.InvokeAsync("Pointer", "up", 200.0, 110.0, "left", 0, 1, 0);

        var timeline = await Eventually.ValueAsync(
            async () => (await service.Http.GetFromJsonAsync<SessionTimelineDto>($"/api/history/sessions/{session.Id}"))!,
            t => t.Entries.Count(e => e is { Kind: "action", Title: "click" }) == 2, "both clicks in the history", TimeSpan.FromSeconds(20),
            t => string.Join(" | ", t.Entries.Select(e => $"{e.Kind}:{e.Title}:{e.Detail}")));
        await connection.DisposeAsync();
        await service.Http.DeleteAsync($"/api/sessions/{session.Id}");

        var clicks = timeline.Entries.Where(e => e is { Kind: "action", Title: "click" }).Select(e => e.Detail).ToList();
        Assert.Equal(["input#pw", "button#go \"Go on\""], clicks);
    }

    [Fact]
    public async Task Timeline_JoinsNavigationsAndActions_InOrder_WithoutTypedText()
    {
        var first = service.Pages.Page("/history/first", Page);
        var second = service.Pages.Page("/history/second", "<!doctype html><title>Second page</title>");
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { url = first.ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        // As a person would: act once the page shows its title (a page left before its title arrives is recorded
        // by its address, which is right but not what this test looks at).
        var tab = service.Sessions.Find(session.Id)!.ActiveTab;
        await Eventually.TrueAsync(() => tab.ToDto().Title == "History page", "the page's title", TimeSpan.FromSeconds(10));

        var connection = await service.ConnectHubAsync();
        await connection.InvokeAsync<SessionDto>("Join", session.Id);

        await connection.InvokeAsync("Pointer", "down", 200.0, 110.0, "left", 1, 1, 0);
        await connection.InvokeAsync("Pointer", "up", 200.0, 110.0, "left", 0, 1, 0);
        await connection.InvokeAsync("Pointer", "down", 250.0, 215.0, "left", 1, 1, 0);
        await connection.InvokeAsync("Pointer", "up", 250.0, 215.0, "left", 0, 1, 0);
        foreach (var key in "secret42")
        {
            await connection.InvokeAsync("Key", "down", key.ToString(), "", 0, 0, 0, false);
            await connection.InvokeAsync("Key", "up", key.ToString(), "", 0, 0, 0, false);
        }

        await connection.InvokeAsync("Key", "down", "Enter", "Enter", 13, 0, 0, false);
        // The hub only queues input; as a person would, go on once the page has taken it all (else, on a loaded machine,
        // the clicks reached the next page: a full run recorded "html" for "Press me").
        await Eventually.TrueAsync(
            async () => await tab.Page.EvaluateAsync<int>("() => document.getElementById('t').value.length") == 8,
            "the page to have taken the clicks and the typing", TimeSpan.FromSeconds(20));
        var navigate = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate")
        {
            Content = JsonContent.Create(new { url = second.ToString() }),
        };
        navigate.Headers.Add("X-Opera-Actor", "human");
        (await service.Http.SendAsync(navigate)).EnsureSuccessStatusCode();

        // History is written in the background: read until the last things done are there.
        var timeline = await Eventually.ValueAsync(
            async () => (await service.Http.GetFromJsonAsync<SessionTimelineDto>($"/api/history/sessions/{session.Id}"))!,
            t => t.Entries.Any(e => e.Title == "Second page") && t.Entries.Any(e => e.Title == "type") && t.Entries.Count(e => e.Title == "click") == 2,
            "the navigation, the typing and both clicks in the history (a click is written once the page has said what it landed on)",
            TimeSpan.FromSeconds(30),
            t => string.Join(" | ", t.Entries.Select(e => $"{e.Kind}:{e.Title}")));

        await connection.DisposeAsync();
        await service.Http.DeleteAsync($"/api/sessions/{session.Id}");
        var entries = timeline.Entries;
        var summary = string.Join(" | ", entries.Select(e => $"{e.Kind}:{e.Actor}:{e.Title}:{e.Detail}"));
        var kinds = entries.Select(e => $"{e.Kind}:{e.Actor}:{e.Title}").ToList();

        Assert.True(entries.Any(e => e is { Kind: "navigation", Title: "History page" } && e.Detail == first.ToString()), summary);
        Assert.Contains(entries, e => e is { Kind: "action", Actor: "human", Title: "click" } && e.Detail!.Contains("Press me", StringComparison.Ordinal));
        Assert.Contains(entries, e => e is { Kind: "action", Actor: "human", Title: "type", Detail: "8 character(s)" });
        Assert.Contains(entries, e => e is { Kind: "action", Actor: "human", Title: "key", Detail: "Enter" });
        Assert.Contains(entries, e => e is { Kind: "action", Actor: "human", Title: "navigate", Outcome: "ok" } && e.Detail == second.ToString());
        Assert.Contains(entries, e => e is { Kind: "navigation", Title: "Second page" });
        Assert.DoesNotContain(entries, e => e.Detail?.Contains("secret42", StringComparison.Ordinal) == true);
        Assert.True(kinds.IndexOf(kinds.First(k => k.StartsWith("navigation:page:History page", StringComparison.Ordinal)))
            < kinds.IndexOf(kinds.First(k => k.StartsWith("navigation:page:Second page", StringComparison.Ordinal))), string.Join(" | ", kinds));
        Assert.True(entries.Zip(entries.Skip(1)).All(pair => pair.First.At <= pair.Second.At), "the timeline is in time order");
    }

    [Fact]
    public async Task PastSessions_ListsAClosedSession_WithWhyItEnded()
    {
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { url = service.Pages.Page("/history/past", "<title>Past</title>").ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        await Task.Delay(500);
        await service.Http.DeleteAsync($"/api/sessions/{session.Id}");

        var page = (await service.Http.GetFromJsonAsync<PastSessionsPageDto>("/api/history/sessions?take=200"))!;
        var past = Assert.Single(page.Sessions, s => s.Id == session.Id);

        Assert.Equal("closed", past.State);
        Assert.Equal("closed by the user", past.EndReason);
        Assert.False(past.Live);
    }

    [Fact]
    public async Task UrlWithNul_IsRecordedStorable_AndHistoryGoesOn()
    {
        var bad = service.Pages.Page("/history/nul", "<!doctype html><title>Asked with a NUL</title>");
        var after = service.Pages.Page("/history/after-nul", "<!doctype html><title>After the bad page</title>");
        // JSON carries the NUL as \u0000; System.Uri keeps it (ToString) where PostgreSQL's text refuses it.
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { url = bad + "?q=a\0b" });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        (await service.Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate", new { url = after.ToString() }))
            .EnsureSuccessStatusCode();
        var timeline = await WaitForTimelineAsync(session.Id, entries => entries.Any(e => e.Title == "After the bad page"));
        await service.Http.DeleteAsync($"/api/sessions/{session.Id}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains(timeline, e => e is { Kind: "action", Title: "open-session" } && e.Detail == bad + "?q=ab");
        Assert.Contains(timeline, e => e is { Kind: "navigation" } && e.Detail == bad + "?q=a%00b");
        Assert.Contains(timeline, e => e is { Kind: "navigation", Title: "After the bad page" });
    }

    [Theory]
    [InlineData("plain", null, "plain")]
    [InlineData("a[nul]b", null, "ab")]
    [InlineData("lone [high] high", null, "lone [fffd] high")]
    [InlineData("lone [low] low", null, "lone [fffd] low")]
    [InlineData("pair [pair] kept", null, "pair [pair] kept")]
    [InlineData("abc[pair]", 4, "abc")]
    [InlineData("abcdef", 3, "abc")]
    public void StoredText_DropsNul_ReplacesLoneSurrogates_ClipsWithoutSplittingPairs(string text, int? max, string stored) =>
        Assert.Equal(Units(stored), StoredText.Clean(Units(text), max));

    [Theory]
    [InlineData("""{"a":"x\u0000y"}""", """{"a":"x\uFFFDy"}""")]
    [InlineData("""{"a":"\ud800"}""", """{"a":"\uFFFD"}""")]
    [InlineData("""{"a":"\ud83d\ude00"}""", """{"a":"\ud83d\ude00"}""")]
    [InlineData("""{"a":"\\u0000"}""", """{"a":"\\u0000"}""")]
    public void StoredText_Json_ReplacesEscapesJsonbRefuses(string json, string stored) =>
        Assert.Equal(stored, StoredText.CleanJson(json));

    [Fact]
    public async Task RecordPostgresRefuses_IsDroppedAlone_CountedAndTheRestIsWritten()
    {
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var recorder = service.Services.GetRequiredService<HistoryRecorder>();
        var metrics = service.Services.GetRequiredService<BrowserServiceMetrics>();
        var droppedBefore = metrics.HistoryDropped;

        // Detail is a jsonb column: text that is not JSON is refused by PostgreSQL (22P02), whatever is around it.
        recorder.Action(session.Id, null, Actor.Api, "before-bad", "first", "ok");
        recorder.Action(session.Id, null, Actor.Api, "bad", "refused", "ok", "{not json");
        recorder.Action(session.Id, null, Actor.Api, "lone-surrogate", "a \ud800 b", "ok");
        recorder.Action(session.Id, null, Actor.Api, "after-bad", "last", "ok");
        var timeline = await WaitForTimelineAsync(session.Id, entries => entries.Any(e => e.Title == "after-bad"));
        await service.Http.DeleteAsync($"/api/sessions/{session.Id}");

        Assert.Contains(timeline, e => e.Title == "before-bad");
        Assert.DoesNotContain(timeline, e => e.Title == "bad");
        Assert.Contains(timeline, e => e is { Title: "lone-surrogate", Detail: "a \uFFFD b" });
        Assert.Equal(droppedBefore + 1, metrics.HistoryDropped);
    }

    [Fact]
    public async Task QueueBeyondItsBound_DropsTheOldest_AndCountsThem()
    {
        // PostgreSQL is not there at all: nothing can be written, so the queue fills.
        var nowhere = $"Host=127.0.0.1;Port={Signals.FreePort()};Database=none;Username=none;Password=none;Timeout=1";
        await using var host = BrowserServiceHost.Start(
            stores.RedisConnectionString, nowhere, pages.HostAndPort, new Dictionary<string, string> { ["History:MaxPending"] = "10" });
        var recorder = host.Services.GetRequiredService<HistoryRecorder>();
        var metrics = host.Services.GetRequiredService<BrowserServiceMetrics>();

        for (var i = 0; i < 100; i++)
        {
            recorder.Action("nowhere", null, Actor.Api, "filler", $"#{i}", "ok");
        }

        // At most the bound waits in the queue, plus one batch (no larger than the bound) in the writer's hands.
        Assert.InRange(recorder.Pending, 0, 10);
        Assert.InRange(metrics.HistoryDropped, 80, 100);
    }

    /// <summary>Test data names the characters attributes cannot carry (a lone surrogate does not survive metadata).</summary>
    private static string Units(string text) => text
        .Replace("[nul]", "\0", StringComparison.Ordinal)
        .Replace("[high]", "\ud800", StringComparison.Ordinal)
        .Replace("[low]", "\udc00", StringComparison.Ordinal)
        .Replace("[pair]", "\ud83d\ude00", StringComparison.Ordinal)
        .Replace("[fffd]", "\uFFFD", StringComparison.Ordinal);

    private async Task<IReadOnlyList<TimelineEntryDto>> WaitForTimelineAsync(string sessionId, Func<IReadOnlyList<TimelineEntryDto>, bool> done)
    {
        IReadOnlyList<TimelineEntryDto> entries = [];
        for (var i = 0; i < 150 && !done(entries); i++)
        {
            await Task.Delay(200);
            using var response = await service.Http.GetAsync($"/api/history/sessions/{sessionId}");
            if (response.IsSuccessStatusCode)
            {
                entries = (await response.Content.ReadFromJsonAsync<SessionTimelineDto>())!.Entries;
            }
        }

        Assert.True(done(entries), "history never caught up: " + string.Join(" | ", entries.Select(e => $"{e.Kind}:{e.Title}")));
        return entries;
    }
}
