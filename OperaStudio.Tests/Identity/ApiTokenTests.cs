using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Identity;

/// <summary>
/// Personal API tokens: made by a signed-in person, shown once, stored hashed, acting as that person on REST and the
/// live-view hub until revoked or expired; only their owner (or, all at once, the administrator) revokes them.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class ApiTokenTests(BrowserServiceFixture service)
{
    [Fact]
    public async Task ATokenIsShownOnce_ListedByItsPrefix_AndActsAsItsOwner()
    {
        var alice = NewUser("alice");
        var bob = NewUser("bob");
        using var asAlice = TestIdentity.ClientFor(service.BaseAddress, alice);
        using var asBob = TestIdentity.ClientFor(service.BaseAddress, bob);

        var created = await CreateAsync(asAlice, "ci", expiresInDays: 90);
        Assert.StartsWith(ApiTokenRules.TokenPrefix, created.Token, StringComparison.Ordinal);
        Assert.Equal(49, created.Token.Length);
        Assert.Equal(created.Token[..created.Prefix.Length], created.Prefix);
        Assert.True(created.Prefix.Length is >= 10 and < 16, created.Prefix);
        Assert.Equal(created.CreatedAt.AddDays(90), created.ExpiresAt);

        // The list never carries the token, nor anything to rebuild it from.
        var listing = await asAlice.GetStringAsync("/api/tokens");
        Assert.DoesNotContain(created.Token, listing, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", listing, StringComparison.OrdinalIgnoreCase);
        var listed = Assert.Single(JsonSerializer.Deserialize<List<ApiTokenDto>>(listing, JsonSerializerOptions.Web)!);
        Assert.Equal(new ApiTokenDto(created.Id, "ci", created.Prefix, created.CreatedAt, created.ExpiresAt, null), listed);
        Assert.Empty((await asBob.GetFromJsonAsync<List<ApiTokenDto>>("/api/tokens"))!);

        using var withToken = BearerClient(created.Token);
        using (var list = await withToken.GetAsync("/api/sessions"))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }

        using var opened = await withToken.PostAsJsonAsync("/api/sessions", new { });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var session = (await opened.Content.ReadFromJsonAsync<SessionDto>())!;
        try
        {
            Assert.Equal(alice, service.Sessions.Find(session.Id)?.Owner);
            // The list comes from the cluster registry, whose write trails the create by a moment.
            await Eventually.TrueAsync(
                async () => (await asAlice.GetFromJsonAsync<List<SessionDto>>("/api/sessions") ?? []).Any(s => s.Id == session.Id),
                "Alice's list to show the session her token opened", TimeSpan.FromSeconds(10));
            using var bobsLook = await asBob.GetAsync($"/api/sessions/{session.Id}");
            Assert.Equal(HttpStatusCode.NotFound, bobsLook.StatusCode);

            // Alice is no administrator, with a token or without.
            using var operations = await withToken.GetAsync("/api/operations");
            Assert.Equal(HttpStatusCode.Forbidden, operations.StatusCode);
        }
        finally
        {
            using var closed = await withToken.DeleteAsync($"/api/sessions/{session.Id}");
            Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        }

        Assert.NotNull(Assert.Single((await asAlice.GetFromJsonAsync<List<ApiTokenDto>>("/api/tokens"))!).LastUsedAt);

        // A leaked token must not be able to make itself a successor that outlives its revocation.
        using var minted = await withToken.PostAsJsonAsync("/api/tokens", new { name = "successor" });
        Assert.Equal(HttpStatusCode.Forbidden, minted.StatusCode);
        Assert.Equal("token-cannot-create-tokens", (await ProblemAsync(minted)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task RevokedExpiredUnknownAndMissingTokens_Get401()
    {
        var carol = NewUser("carol");
        using var asCarol = TestIdentity.ClientFor(service.BaseAddress, carol);
        var revoked = await CreateAsync(asCarol, "to revoke");
        var expired = await CreateAsync(asCarol, "to expire", expiresInDays: 1);
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(revoked.Token));
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(expired.Token));

        using (var revoke = await asCarol.DeleteAsync($"/api/tokens/{revoked.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using (var again = await asCarol.DeleteAsync($"/api/tokens/{revoked.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        // A day is long for a test: the expiry is moved into the past where it is kept.
        var database = service.Services.GetRequiredService<IDbContextFactory<OperaDbContext>>();
        await using (var db = await database.CreateDbContextAsync())
        {
            var moved = await db.ApiTokens.Where(t => t.Id == expired.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)));
            Assert.Equal(1, moved);
        }

        var guessed = ApiTokenRules.TokenPrefix + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        foreach (var token in new[] { revoked.Token, expired.Token, guessed, "opera_", revoked.Token[..^1] })
        {
            using var http = BearerClient(token);
            using var response = await http.GetAsync("/api/sessions");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{token} got {(int)response.StatusCode}, not 401.");
            Assert.Contains("The token is not valid, has expired or was revoked.", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var anonymous = new HttpClient { BaseAddress = service.BaseAddress };
        using (var tokens = await anonymous.GetAsync("/api/tokens"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, tokens.StatusCode);
        }

        // The expired token stays listed (its owner sees it expired) until deleted; the revoked one is gone.
        var left = Assert.Single((await asCarol.GetFromJsonAsync<List<ApiTokenDto>>("/api/tokens"))!);
        Assert.Equal(expired.Id, left.Id);
    }

    [Fact]
    public async Task OnlyTheOwnerRevokesAToken_AndOnlyTheAdministratorRevokesAllOfAUsers()
    {
        var dave = NewUser("dave");
        var erin = NewUser("erin");
        using var asDave = TestIdentity.ClientFor(service.BaseAddress, dave);
        using var asErin = TestIdentity.ClientFor(service.BaseAddress, erin);
        var first = await CreateAsync(asDave, "laptop");
        var second = await CreateAsync(asDave, "ci");
        var erins = await CreateAsync(asErin, "erin's");

        using (var stranger = await asErin.DeleteAsync($"/api/tokens/{first.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
            Assert.Equal("Token not found", (await ProblemAsync(stranger)).GetProperty("title").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(first.Token));

        using (var notAdmin = await asErin.DeleteAsync($"/api/users/{dave}/tokens"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        using (var withOwnToken = BearerClient(first.Token))
        using (var selfService = await withOwnToken.DeleteAsync($"/api/users/{dave}/tokens"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, selfService.StatusCode);
        }

        Assert.Equal(2, (await asDave.GetFromJsonAsync<List<ApiTokenDto>>("/api/tokens"))!.Count);

        // The web app, for an administrator deleting or disabling Dave.
        using (var admin = await service.Http.DeleteAsync($"/api/users/{Uri.EscapeDataString(dave)}/tokens"))
        {
            Assert.Equal(HttpStatusCode.NoContent, admin.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(first.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(second.Token));
        Assert.Empty((await asDave.GetFromJsonAsync<List<ApiTokenDto>>("/api/tokens"))!);
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(erins.Token));
    }

    [Theory]
    [InlineData("{}", "name")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"   "}""", "name")]
    [InlineData("""{"name":"LONG"}""", "name")]
    [InlineData("""{"name":"ci","expiresInDays":0}""", "expiresInDays")]
    [InlineData("""{"name":"ci","expiresInDays":-5}""", "expiresInDays")]
    [InlineData("""{"name":"ci","expiresInDays":5000}""", "expiresInDays")]
    public async Task BadCreateInput_Is400_SayingWhichField(string body, string field)
    {
        using var asFrank = TestIdentity.ClientFor(service.BaseAddress, NewUser("frank"));
        using var content = new StringContent(body.Replace("LONG", new string('x', ApiTokenRules.MaxNameLength + 1), StringComparison.Ordinal),
            new MediaTypeHeaderValue("application/json"));
        using var response = await asFrank.PostAsync("/api/tokens", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"'{field}'", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await asFrank.GetFromJsonAsync<List<ApiTokenDto>>("/api/tokens"))!);
    }

    [Fact]
    public async Task AUserHoldsAtMostFiftyTokens_TheLongestNameAndExpiryAreAccepted()
    {
        using var asGrace = TestIdentity.ClientFor(service.BaseAddress, NewUser("grace"));
        var longest = await CreateAsync(asGrace, new string('n', ApiTokenRules.MaxNameLength), ApiTokenRules.MaxExpiresInDays);
        Assert.Equal(longest.CreatedAt.AddDays(ApiTokenRules.MaxExpiresInDays), longest.ExpiresAt);
        for (var i = 1; i < ApiTokenRules.MaxPerUser; i++)
        {
            await CreateAsync(asGrace, $"token {i}");
        }

        using var over = await asGrace.PostAsJsonAsync("/api/tokens", new { name = "one too many" });
        Assert.Equal(HttpStatusCode.Conflict, over.StatusCode);
        Assert.Equal("token-limit", (await ProblemAsync(over)).GetProperty("code").GetString());

        using (var revoke = await asGrace.DeleteAsync($"/api/tokens/{longest.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        await CreateAsync(asGrace, "room again");
    }

    [Fact]
    public async Task ATokenOpensTheLiveViewHub_AsItsOwner_InTheQueryToo()
    {
        var heidi = NewUser("heidi");
        using var asHeidi = TestIdentity.ClientFor(service.BaseAddress, heidi);
        var token = await CreateAsync(asHeidi, "viewer");
        using var withToken = BearerClient(token.Token);
        using var opened = await withToken.PostAsJsonAsync("/api/sessions", new { });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var mine = (await opened.Content.ReadFromJsonAsync<SessionDto>())!;
        using var othersCreated = await service.Http.PostAsJsonAsync("/api/sessions", new { });
        var others = (await othersCreated.Content.ReadFromJsonAsync<SessionDto>())!;
        try
        {
            await using (var hub = await HubViewer.OpenConnectionWithTokenAsync(service.BaseAddress, token.Token))
            {
                Assert.Equal(mine.Id, (await hub.InvokeAsync<SessionDto>("Join", mine.Id)).Id);
                var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<SessionDto>("Join", others.Id));
                Assert.Contains("no live session", refused.Message, StringComparison.Ordinal);
            }

            // A browser cannot set headers on a WebSocket: the token comes as access_token, for the hub's paths only.
            using var anonymous = new HttpClient { BaseAddress = service.BaseAddress };
            var query = $"access_token={Uri.EscapeDataString(token.Token)}";
            using (var negotiate = await anonymous.PostAsync($"{HubViewer.Path}/negotiate?negotiateVersion=1&{query}", null))
            {
                Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
            }

            using (var rest = await anonymous.GetAsync($"/api/sessions?{query}"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, rest.StatusCode);
            }

            using (var revoke = await asHeidi.DeleteAsync($"/api/tokens/{token.Id}"))
            {
                Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
            }

            using (var negotiate = await anonymous.PostAsync($"{HubViewer.Path}/negotiate?negotiateVersion=1&{query}", null))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
            }

            var closedHub = await Assert.ThrowsAsync<HttpRequestException>(() => HubViewer.OpenConnectionWithTokenAsync(service.BaseAddress, token.Token));
            Assert.Equal(HttpStatusCode.Unauthorized, closedHub.StatusCode);
        }
        finally
        {
            using var closeMine = await asHeidi.DeleteAsync($"/api/sessions/{mine.Id}");
            using var closeOthers = await service.Http.DeleteAsync($"/api/sessions/{others.Id}");
        }
    }

    [Fact]
    public async Task RevokingAToken_EndsTheLiveViewsOpenWithIt_SayingWhy()
    {
        // Before: a hub connection was authenticated once, when it opened, and watched (and typed into) the session
        // for as long as it stayed open, whatever became of its token.
        var ivan = NewUser("ivan");
        using var asIvan = TestIdentity.ClientFor(service.BaseAddress, ivan);
        var token = await CreateAsync(asIvan, "watcher");
        var other = await CreateAsync(asIvan, "kept");
        using var withToken = BearerClient(token.Token);
        using var opened = await withToken.PostAsJsonAsync("/api/sessions", new { });
        var session = (await opened.Content.ReadFromJsonAsync<SessionDto>())!;
        try
        {
            await using var revokedHub = await HubViewer.OpenConnectionWithTokenAsync(service.BaseAddress, token.Token);
            await using var keptHub = await HubViewer.OpenConnectionWithTokenAsync(service.BaseAddress, other.Token);
            var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            revokedHub.On<string, string>("AccessEnded", (_, reason) => ended.TrySetResult(reason));
            revokedHub.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };
            await revokedHub.InvokeAsync<SessionDto>("Join", session.Id);
            await keptHub.InvokeAsync<SessionDto>("Join", session.Id);

            using (var revoke = await asIvan.DeleteAsync($"/api/tokens/{token.Id}"))
            {
                Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
            }

            Assert.Contains("revoked", await ended.Task.WaitAsync(TimeSpan.FromSeconds(20)), StringComparison.Ordinal);
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(HubConnectionState.Disconnected, revokedHub.State);
            // The view opened with the other token goes on.
            Assert.Equal(session.Id, (await keptHub.InvokeAsync<SessionDto>("Join", session.Id)).Id);
        }
        finally
        {
            using var close = await asIvan.DeleteAsync($"/api/sessions/{session.Id}");
        }
    }

    private static string NewUser(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];

    private static async Task<CreatedApiTokenDto> CreateAsync(HttpClient client, string name, int? expiresInDays = null)
    {
        using var response = await client.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest(name, expiresInDays));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Creating token '{name}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CreatedApiTokenDto>())!;
    }

    private HttpClient BearerClient(string token)
    {
        var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private async Task<HttpStatusCode> StatusWithTokenAsync(string token)
    {
        using var http = BearerClient(token);
        using var response = await http.GetAsync("/api/tokens");
        return response.StatusCode;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
