using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Sharing;

/// <summary>
/// A session shared by its owner: members get in as viewer or controller, one person has control at a time, everyone
/// else's input is refused with a reason (over the hub and over REST), presence and pointers reach the others, history
/// names who acted, and a revocation ends the member's view at once.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class SharingTests(BrowserServiceFixture service, DataStoresFixture stores, TestPageServer pages)
{
    /// <summary>One big button that counts its clicks, so a test can tell whether input reached the page.</summary>
    private const string CounterPage = """
        <!doctype html><title>Counter</title>
        <style>body{margin:0} #b{position:absolute;left:0;top:0;width:400px;height:300px}</style>
        <button id="b" onclick="window.clicks = (window.clicks || 0) + 1">Count</button>
        """;

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AViewer_Watches_IsRefusedInput_UntilGrantedControl_ThenActsAsThemselves_AndARevocationEndsTheirViewAtOnce()
    {
        var (alice, bob) = (Name("alice"), Name("bob"));
        using var asAlice = TestIdentity.ClientFor(service.BaseAddress, alice);
        using var asBob = TestIdentity.ClientFor(service.BaseAddress, bob);
        var session = await CreateAsync(asAlice, "/sharing/counter");
        var id = session.Id;
        var tab = session.ActiveTabId;

        // Not shared yet: Bob is told it does not exist, over REST and in the hub.
        await AssertStatusAsync(asBob, HttpMethod.Get, $"/api/sessions/{id}", HttpStatusCode.NotFound);
        await AssertStatusAsync(asBob, HttpMethod.Get, $"/api/sessions/{id}/members", HttpStatusCode.NotFound);
        await using var bobsView = await SharedViewer.ConnectAsync(service.BaseAddress, bob);
        await Assert.ThrowsAsync<HubException>(() => bobsView.JoinAsync(id));

        using (var shared = await asAlice.PutAsJsonAsync($"/api/sessions/{id}/members/{bob}", new { role = "viewer" }))
        {
            Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
            Assert.Equal("viewer", (await shared.Content.ReadFromJsonAsync<MemberDto>())!.Role);
        }

        // A viewer sees the session, but acting on it or sharing it is refused with a reason.
        await AssertStatusAsync(asBob, HttpMethod.Get, $"/api/sessions/{id}", HttpStatusCode.OK);
        await AssertStatusAsync(asBob, HttpMethod.Get, $"/api/sessions/{id}/tabs/{tab}/screenshot", HttpStatusCode.OK);
        (HttpMethod, string, object?)[] acting =
        [
            (HttpMethod.Post, $"/api/sessions/{id}/tabs/{tab}/navigate", new { url = service.Pages.Page("/sharing/elsewhere", "<title>x</title>").ToString() }),
            (HttpMethod.Post, $"/api/sessions/{id}/tabs/{tab}/reload", null),
            (HttpMethod.Post, $"/api/sessions/{id}/tabs", new { }),
            (HttpMethod.Post, $"/api/sessions/{id}/actions", new { tool = "snapshot" }),
            (HttpMethod.Post, $"/api/sessions/{id}/agent/control", new { holder = "user" }),
            (HttpMethod.Post, $"/api/sessions/{id}/approvals/any", new { approve = true }),
            (HttpMethod.Put, $"/api/sessions/{id}/secrets/pin", new { value = "1234", origins = new[] { "https://example.com" } }),
        ];
        foreach (var (method, path, body) in acting)
        {
            var detail = await AssertStatusAsync(asBob, method, path, HttpStatusCode.Forbidden, body);
            Assert.Contains("viewer", detail, StringComparison.Ordinal);
        }

        Assert.Contains("owner", await AssertStatusAsync(asBob, HttpMethod.Get, $"/api/sessions/{id}/members", HttpStatusCode.Forbidden), StringComparison.Ordinal);
        await AssertStatusAsync(asBob, HttpMethod.Delete, $"/api/sessions/{id}", HttpStatusCode.Forbidden);

        // Both watch the same view, and each sees the other.
        await using var alicesView = await SharedViewer.ConnectAsync(service.BaseAddress, alice);
        await alicesView.JoinAsync(id);
        await bobsView.JoinAsync(id);
        await Eventually.TrueAsync(() => bobsView.Frames > 0, "Bob's first frame", Budget);
        await Eventually.TrueAsync(
            () => alicesView.Seen(bob) is { Role: "viewer", HasControl: false } && alicesView.Seen(alice) is { Role: "owner", HasControl: true },
            "Alice to see herself in control and Bob watching", Budget, alicesView.DescribePresence);
        Assert.Equal(alicesView.Seen(bob)!.Color, (await Eventually.ValueAsync(
            () => Task.FromResult(bobsView.Seen(bob)), p => p is not null, "Bob in his own presence", Budget))!.Color);

        // Bob's click is refused, with the reason sent to him, and the page never sees it.
        var refused = await Assert.ThrowsAsync<HubException>(() => bobsView.ClickAsync(100, 100));
        Assert.Contains("viewer", refused.Message, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => !bobsView.Refusals.IsEmpty, "InputRefused for Bob", Budget);
        await Assert.ThrowsAsync<HubException>(() => bobsView.Connection.InvokeAsync("Key", "down", "a", "KeyA", 65, 0, 0, false));
        await Assert.ThrowsAsync<HubException>(() => bobsView.Connection.InvokeAsync("RequestControl", id));
        await Task.Delay(500);
        Assert.Equal(0, await ClicksAsync(id));

        // A pointer is not input: Bob's reaches Alice, in his colour.
        await bobsView.Connection.InvokeAsync("MovePointer", id, 50.0, 60.0);
        await Eventually.TrueAsync(() => alicesView.Pointers.Any(p => p.User == bob && p is { X: 50, Y: 60 }), "Bob's pointer at Alice", Budget);
        Assert.DoesNotContain(bobsView.Pointers, p => p.User == bob);

        // Made a controller, Bob asks for control, Alice grants it, and his click lands.
        using (var promoted = await asAlice.PutAsJsonAsync($"/api/sessions/{id}/members/{bob}", new { role = "controller" }))
        {
            Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        }

        await Eventually.TrueAsync(() => alicesView.Seen(bob)?.Role == "controller", "Bob shown as a controller", Budget, alicesView.DescribePresence);
        await bobsView.Connection.InvokeAsync("RequestControl", id);
        await Eventually.TrueAsync(() => alicesView.Seen(bob)?.RequestedControl == true, "Bob's request shown", Budget, alicesView.DescribePresence);
        var stillNot = await AssertStatusAsync(asBob, HttpMethod.Post, $"/api/sessions/{id}/tabs/{tab}/reload", HttpStatusCode.Forbidden);
        Assert.Contains("request control", stillNot, StringComparison.Ordinal);
        await alicesView.Connection.InvokeAsync("GrantControl", id, bob);
        await Eventually.TrueAsync(
            () => alicesView.Seen(bob) is { HasControl: true, RequestedControl: false } && alicesView.Seen(alice)?.HasControl == false,
            "control passed to Bob", Budget, alicesView.DescribePresence);
        using (var members = await asAlice.GetAsync($"/api/sessions/{id}/members"))
        {
            var list = (await members.Content.ReadFromJsonAsync<SessionMembersDto>())!;
            Assert.Equal((alice, bob), (list.Owner, list.Controller));
            Assert.Equal(bob, Assert.Single(list.Members).User);
        }

        await bobsView.ClickAsync(100, 100);
        await Eventually.TrueAsync(async () => await ClicksAsync(id) == 1, "Bob's click on the page", Budget);
        await AssertStatusAsync(asBob, HttpMethod.Post, $"/api/sessions/{id}/tabs/{tab}/reload", HttpStatusCode.OK);

        // Now the owner's own hub input waits for her turn (she may take it back), while her REST calls still go.
        await Assert.ThrowsAsync<HubException>(() => alicesView.ClickAsync(100, 100));
        await Eventually.TrueAsync(() => !alicesView.Refusals.IsEmpty, "InputRefused for Alice", Budget);

        var timeline = await Eventually.ValueAsync(
            () => asAlice.GetFromJsonAsync<SessionTimelineDto>($"/api/history/sessions/{id}")!,
            t => t!.Entries.Any(e => e is { Kind: "action", Title: "click" }) && t.Entries.Any(e => e is { Title: "reload" }),
            "Bob's click and reload in the history", Budget);
        Assert.All(timeline!.Entries.Where(e => e.Title is "click" or "reload"), e => Assert.Equal(bob, e.User));
        Assert.Contains(timeline.Entries, e => e is { Title: "open-session" } && e.User == alice);

        // Revoked: Bob's view ends at once, with the reason, and no frame follows; REST says the session does not exist.
        using (var revoked = await asAlice.DeleteAsync($"/api/sessions/{id}/members/{bob}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        Assert.Contains("revoked", await bobsView.AccessEnded.WaitAsync(Budget), StringComparison.Ordinal);
        await Task.Delay(300);
        var framesAtRevocation = bobsView.Frames;
        var alicesFrames = alicesView.Frames;
        var page = service.Sessions.Find(id)!.ActiveTab.Page;
        for (var i = 0; i < 5; i++)
        {
            await page.EvaluateAsync($"() => document.body.style.background = '#{i}{i}{i}'");
            await Task.Delay(150);
        }

        await Eventually.TrueAsync(() => alicesView.Frames > alicesFrames, "Alice's frames going on", Budget);
        await Task.Delay(500);
        Assert.Equal(framesAtRevocation, bobsView.Frames);
        await Assert.ThrowsAsync<HubException>(() => bobsView.ClickAsync(100, 100));
        await AssertStatusAsync(asBob, HttpMethod.Get, $"/api/sessions/{id}", HttpStatusCode.NotFound);
        await Assert.ThrowsAsync<HubException>(() => bobsView.JoinAsync(id));
        await Eventually.TrueAsync(
            () => alicesView.LastPresence.Count == 1 && alicesView.Seen(alice)?.HasControl == true, "control back with Alice, alone", Budget,
            alicesView.DescribePresence);

        await asAlice.DeleteAsync($"/api/sessions/{id}");
    }

    [Fact]
    public async Task ShareLinks_MakeTheAcceptorAMember_UntilTheyExpireOrAreRevoked_AndBadInputIs400()
    {
        var (alice, carol, dave) = (Name("alice"), Name("carol"), Name("dave"));
        using var asAlice = TestIdentity.ClientFor(service.BaseAddress, alice);
        using var asCarol = TestIdentity.ClientFor(service.BaseAddress, carol);
        using var asDave = TestIdentity.ClientFor(service.BaseAddress, dave);
        var id = (await CreateAsync(asAlice, "/sharing/links")).Id;

        using var made = await asAlice.PostAsJsonAsync($"/api/sessions/{id}/links", new { role = "controller", expiresInMinutes = 60 });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var link = (await made.Content.ReadFromJsonAsync<CreatedShareLinkDto>())!;
        Assert.Equal("controller", link.Role);
        Assert.InRange(link.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        var listed = Assert.Single((await asAlice.GetFromJsonAsync<List<ShareLinkDto>>($"/api/sessions/{id}/links"))!);
        Assert.Equal(link.Id, listed.Id);
        Assert.DoesNotContain(link.Token, await asAlice.GetStringAsync($"/api/sessions/{id}/links"), StringComparison.Ordinal);
        await using (var db = await service.Services.GetRequiredService<IDbContextFactory<OperaDbContext>>().CreateDbContextAsync())
        {
            Assert.DoesNotContain(await db.ShareLinks.Select(l => l.Hash).ToListAsync(), h => h == link.Token);
        }

        await AssertStatusAsync(asCarol, HttpMethod.Get, $"/api/sessions/{id}", HttpStatusCode.NotFound);
        using (var accepted = await asCarol.PostAsync($"/api/share-links/{link.Token}/accept", null))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            Assert.Equal(new AcceptedShareLinkDto(id, "controller"), await accepted.Content.ReadFromJsonAsync<AcceptedShareLinkDto>());
        }

        await AssertStatusAsync(asCarol, HttpMethod.Get, $"/api/sessions/{id}", HttpStatusCode.OK);
        var members = (await asAlice.GetFromJsonAsync<SessionMembersDto>($"/api/sessions/{id}/members"))!;
        Assert.Equal(("controller", alice), (Assert.Single(members.Members, m => m.User == carol).Role, members.Controller));

        // A member may not share further (403); a stranger does not learn the session exists (404).
        await AssertStatusAsync(asCarol, HttpMethod.Put, $"/api/sessions/{id}/members/{dave}", HttpStatusCode.Forbidden, new { role = "viewer" });
        await AssertStatusAsync(asCarol, HttpMethod.Post, $"/api/sessions/{id}/links", HttpStatusCode.Forbidden, new { role = "viewer", expiresInMinutes = 5 });
        await AssertStatusAsync(asDave, HttpMethod.Put, $"/api/sessions/{id}/members/{dave}", HttpStatusCode.NotFound, new { role = "viewer" });
        await AssertStatusAsync(asDave, HttpMethod.Get, $"/api/sessions/{id}/links", HttpStatusCode.NotFound);

        // Expired, revoked and unknown links all answer 404 with a detail.
        using var second = await asAlice.PostAsJsonAsync($"/api/sessions/{id}/links", new { role = "viewer", expiresInMinutes = 1 });
        var expiring = (await second.Content.ReadFromJsonAsync<CreatedShareLinkDto>())!;
        await using (var db = await service.Services.GetRequiredService<IDbContextFactory<OperaDbContext>>().CreateDbContextAsync())
        {
            await db.ShareLinks.Where(l => l.Id == expiring.Id).ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
        }

        Assert.Contains("expired", await AssertStatusAsync(asDave, HttpMethod.Post, $"/api/share-links/{expiring.Token}/accept", HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.True((await asAlice.GetFromJsonAsync<List<ShareLinkDto>>($"/api/sessions/{id}/links"))!.Single(l => l.Id == expiring.Id).Expired);
        await AssertStatusAsync(asAlice, HttpMethod.Delete, $"/api/sessions/{id}/links/{link.Id}", HttpStatusCode.NoContent);
        await AssertStatusAsync(asDave, HttpMethod.Post, $"/api/share-links/{link.Token}/accept", HttpStatusCode.NotFound);
        await AssertStatusAsync(asDave, HttpMethod.Post, "/api/share-links/opera_share_nothing/accept", HttpStatusCode.NotFound);
        await AssertStatusAsync(asDave, HttpMethod.Get, $"/api/sessions/{id}", HttpStatusCode.NotFound);

        // Bad input is 400 with a reason.
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Put, $"/api/sessions/{id}/members/{dave}", new { role = "owner" }),
                     (HttpMethod.Put, $"/api/sessions/{id}/members/{dave}", new { }),
                     (HttpMethod.Put, $"/api/sessions/{id}/members/{alice}", new { role = "viewer" }),
                     (HttpMethod.Put, $"/api/sessions/{id}/members/%20", new { role = "viewer" }),
                     (HttpMethod.Post, $"/api/sessions/{id}/links", new { role = "admin", expiresInMinutes = 5 }),
                     (HttpMethod.Post, $"/api/sessions/{id}/links", new { role = "viewer", expiresInMinutes = 0 }),
                     (HttpMethod.Post, $"/api/sessions/{id}/links", new { role = "viewer", expiresInMinutes = 10081 }),
                     (HttpMethod.Post, $"/api/sessions/{id}/links", new { role = "viewer" }),
                 })
        {
            await AssertStatusAsync(asAlice, method, path, HttpStatusCode.BadRequest, body);
        }

        await AssertStatusAsync(asAlice, HttpMethod.Delete, $"/api/sessions/{id}/members/{dave}", HttpStatusCode.NotFound);
        await asAlice.DeleteAsync($"/api/sessions/{id}");
    }

    [Fact]
    public async Task ARequest_IsGrantedByItself_OnceTheHolderHasBeenIdleForControlIdleSeconds()
    {
        await using var host = BrowserServiceHost.Start(
            stores.RedisConnectionString, await stores.CreateDatabaseAsync("sharing_idle"), pages.HostAndPort,
            new Dictionary<string, string> { ["Sessions:ControlIdleSeconds"] = "3" });
        var (alice, bob) = (Name("alice"), Name("bob"));
        using var asAlice = TestIdentity.ClientFor(host.BaseAddress, alice);
        var id = (await CreateAsync(asAlice, "/sharing/idle")).Id;
        using (var shared = await asAlice.PutAsJsonAsync($"/api/sessions/{id}/members/{bob}", new { role = "controller" }))
        {
            Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        }

        await using var alicesView = await SharedViewer.ConnectAsync(host.BaseAddress, alice);
        await using var bobsView = await SharedViewer.ConnectAsync(host.BaseAddress, bob);
        await alicesView.JoinAsync(id);
        await bobsView.JoinAsync(id);

        // Alice has just acted: Bob's request waits, then passes to him once she has been idle for 3 s.
        await alicesView.ClickAsync(10, 10);
        await bobsView.Connection.InvokeAsync("RequestControl", id);
        var asked = DateTime.UtcNow;
        Assert.Equal(alice, (await asAlice.GetFromJsonAsync<SessionMembersDto>($"/api/sessions/{id}/members"))!.Controller);
        await Eventually.TrueAsync(() => bobsView.Seen(bob)?.HasControl == true, "control passed to Bob", Budget, bobsView.DescribePresence);
        Assert.True(DateTime.UtcNow - asked > TimeSpan.FromSeconds(1.5), "control passed before the holder was idle");
        await bobsView.ClickAsync(100, 100);
        await Eventually.TrueAsync(
            async () => await host.Sessions.Find(id)!.ActiveTab.Page.EvaluateAsync<int>("() => window.clicks | 0") == 1, "Bob's click on the page", Budget);
    }

    private async Task<SessionDto> CreateAsync(HttpClient client, string path)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { url = pages.Page(path, CounterPage).ToString() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<SessionDto>())!;
    }

    private Task<int> ClicksAsync(string sessionId) =>
        service.Sessions.Find(sessionId)!.ActiveTab.Page.EvaluateAsync<int>("() => window.clicks | 0");

    /// <summary>Sends the request, asserts its status, and returns the problem's detail (or the body).</summary>
    private static async Task<string> AssertStatusAsync(HttpClient client, HttpMethod method, string path, HttpStatusCode expected, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path} answered {(int)response.StatusCode}, not {(int)expected}: {text}");
        return text;
    }

    private static string Name(string who) => $"{who}-{Guid.NewGuid().ToString("N")[..8]}";
}
