using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Identity;

/// <summary>
/// The browser service answers only the web app's signed identities and the administrator's token, and a person only
/// about their own sessions: someone else's answers as if it did not exist, on every route and in the hub.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class ServiceTrustTests(BrowserServiceFixture service)
{
    [Fact]
    public async Task Anonymous_ClaimedOrForgedCallers_Get401_WhileHealthAnswersAnyone()
    {
        using var anonymous = new HttpClient { BaseAddress = service.BaseAddress };
        using (var list = await anonymous.GetAsync("/api/sessions"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
            Assert.Contains("Bearer", list.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
        }

        using (var create = await anonymous.PostAsJsonAsync("/api/sessions", new { }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        }

        using (var health = await anonymous.GetAsync("/health"))
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, health.StatusCode);
        }

        // Before: X-Opera-User named whoever the caller liked.
        await AssertRefusedAsync(("X-Opera-User", "admin"));
        await AssertRefusedAsync((CallerSignature.Header, CallerSignature.Sign("admin", DateTimeOffset.UtcNow.AddMinutes(5), "another-key-0123456789abcdefghijklmnopqrstuv")));
        await AssertRefusedAsync((CallerSignature.Header, TestIdentity.SignedFor("admin", TimeSpan.FromMinutes(-1))));
        await AssertRefusedAsync((CallerSignature.Header, "YWRtaW4.99999999999.not-a-mac"));
        await AssertRefusedAsync(("Authorization", "Bearer not-the-admin-token-0123456789"));

        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(service.BaseAddress, "/hubs/live")).Build();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task SomeoneElsesSession_IsNotFound_OnEveryRoute_AndInTheHub_ButTheOwnerAndTheAdministratorSeeIt()
    {
        var alice = "alice-" + Guid.NewGuid().ToString("N")[..8];
        var bob = "bob-" + Guid.NewGuid().ToString("N")[..8];
        using var asAlice = TestIdentity.ClientFor(service.BaseAddress, alice);
        using var asBob = TestIdentity.ClientFor(service.BaseAddress, bob);
        using var created = await asAlice.PostAsJsonAsync("/api/sessions", new { url = service.Pages.Page("/trust/alice", "<title>Alice's page</title>").ToString() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var id = session.Id;
        var tab = session.ActiveTabId;

        Assert.DoesNotContain(await asBob.GetFromJsonAsync<List<SessionDto>>("/api/sessions") ?? [], s => s.Id == id);
        Assert.Contains(await asAlice.GetFromJsonAsync<List<SessionDto>>("/api/sessions") ?? [], s => s.Id == id);
        Assert.DoesNotContain((await asBob.GetFromJsonAsync<PastSessionsPageDto>("/api/history/sessions"))!.Sessions, s => s.Id == id);

        (HttpMethod Method, string Path, object? Body)[] routes =
        [
            (HttpMethod.Get, $"/api/sessions/{id}", null),
            (HttpMethod.Delete, $"/api/sessions/{id}", null),
            (HttpMethod.Post, $"/api/sessions/{id}/tabs", new { }),
            (HttpMethod.Post, $"/api/sessions/{id}/tabs/{tab}/navigate", new { url = "https://example.com/" }),
            (HttpMethod.Get, $"/api/sessions/{id}/tabs/{tab}/screenshot", null),
            (HttpMethod.Get, $"/api/sessions/{id}/downloads", null),
            (HttpMethod.Post, $"/api/sessions/{id}/actions", new { tool = "snapshot" }),
            (HttpMethod.Get, $"/api/sessions/{id}/agent", null),
            (HttpMethod.Post, $"/api/sessions/{id}/agent/messages", new { text = "hello" }),
            (HttpMethod.Post, $"/api/sessions/{id}/agent/control", new { holder = "agent" }),
            (HttpMethod.Get, $"/api/sessions/{id}/approvals", null),
            (HttpMethod.Get, $"/api/sessions/{id}/secrets", null),
            (HttpMethod.Put, $"/api/sessions/{id}/secrets/pin", new { value = "1234", origins = new[] { "https://example.com" } }),
            (HttpMethod.Get, $"/api/history/sessions/{id}", null),
        ];
        foreach (var (method, path, body) in routes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await asBob.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered Bob {(int)response.StatusCode}, not 404.");
        }

        await using var bobsView = await HubViewer.OpenConnectionAsync(service.BaseAddress, TestIdentity.SignedFor(bob));
        var join = await Assert.ThrowsAsync<HubException>(() => bobsView.InvokeAsync<SessionDto>("Join", id));
        Assert.Contains("no live session", join.Message, StringComparison.Ordinal);

        // Nothing Bob did reached it: it is still Alice's, still open, still without a secret.
        using (var still = await asAlice.GetAsync($"/api/sessions/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
            Assert.Single((await still.Content.ReadFromJsonAsync<SessionDto>())!.Tabs);
        }

        Assert.Empty((await asAlice.GetFromJsonAsync<List<SecretDto>>($"/api/sessions/{id}/secrets"))!);
        await using var alicesView = await HubViewer.OpenConnectionAsync(service.BaseAddress, TestIdentity.SignedFor(alice));
        Assert.Equal(id, (await alicesView.InvokeAsync<SessionDto>("Join", id)).Id);
        using (var asAdmin = await service.Http.GetAsync($"/api/sessions/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        }

        using (var operations = await asAlice.GetAsync("/api/operations"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, operations.StatusCode);
        }

        using var closed = await asAlice.DeleteAsync($"/api/sessions/{id}");
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
    }

    [Fact]
    public void WithoutAServiceKey_TheServiceDoesNotStart_AndSaysWhy()
    {
        // Anyone who reaches its port could act as anyone otherwise; the AppHost always gives it one.
        var deadPort = Signals.FreePort();
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("Browsers:WarmContexts", "0")
            .UseSetting("Auth:ServiceKey", "too-short")
            .UseSetting($"ConnectionStrings:{ResourceNames.Redis}", $"127.0.0.1:{deadPort}")
            .UseSetting($"ConnectionStrings:{ResourceNames.Database}", $"Host=127.0.0.1;Port={deadPort};Database=none;Username=opera;Password=x"));

        var refused = Assert.ThrowsAny<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("Auth:ServiceKey must be at least 32 characters", refused.Message, StringComparison.Ordinal);
    }

    private async Task AssertRefusedAsync((string Name, string Value) header)
    {
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sessions");
        request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{header.Name}: {header.Value} got {(int)response.StatusCode}, not 401.");
    }
}
