using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.History;

/// <summary>A session's history in PostgreSQL, read back as one timeline: pages, human and API actions, in order.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class HistoryTests(BrowserServiceFixture service)
{
    private const string Page = """
        <!doctype html><title>History page</title>
        <style>body{margin:0} #b{position:absolute;left:100px;top:80px;width:200px;height:60px} #t{position:absolute;left:100px;top:200px;width:300px;height:30px}</style>
        <button id="b">Press me</button><input id="t">
        """;

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
        var navigate = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate")
        {
            Content = JsonContent.Create(new { url = second.ToString() }),
        };
        navigate.Headers.Add("X-Opera-Actor", "human");
        (await service.Http.SendAsync(navigate)).EnsureSuccessStatusCode();

        // History is written in the background: read until the last things done are there.
        var timeline = await Eventually.ValueAsync(
            async () => (await service.Http.GetFromJsonAsync<SessionTimelineDto>($"/api/history/sessions/{session.Id}"))!,
            t => t.Entries.Any(e => e.Title == "Second page") && t.Entries.Any(e => e.Title == "type"),
            "the navigation and the typing in the history", TimeSpan.FromSeconds(20),
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
}
