using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions.Persistence;
using OperaStudio.Tests.Infrastructure;
using StackExchange.Redis;

namespace OperaStudio.Tests.Operations;

/// <summary>
/// Redis or PostgreSQL dying while the service runs: health says which, the API says what it cannot do, live sessions
/// keep working, and everything catches up when the server is started again (through Aspire, as from the dashboard).
/// Each test runs its own server so it can kill it.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class DataStoreOutageTests(DataStoresFixture stores, TestPageServer pages)
{
    // A store restarts and the service reconnects with growing pauses: a minute at most.
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RedisDiesAndReturns_HealthAndListingSaySo_SessionsKeepWorking_RegistryCatchesUp()
    {
        var directory = TestPaths.NewDirectory("outage-redis");
        await using var redis = await NativeStores.StartAsync(directory, NativeStores.Redis);
        var redisAddress = await redis.ConnectionStringAsync(NativeStores.Redis);
        await using var host = BrowserServiceHost.Start(redisAddress, await stores.CreateDatabaseAsync("outage_redis"), pages.HostAndPort);
        await WaitForHealthAsync(host, HttpStatusCode.OK);

        await redis.KillAsync(NativeStores.Redis);
        var down = await WaitForHealthAsync(host, HttpStatusCode.ServiceUnavailable);
        using var created = await host.Http.PostAsJsonAsync("/api/sessions", new { });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        using var listing = await host.Http.GetAsync("/api/sessions");
        var listed = (await listing.Content.ReadFromJsonAsync<List<SessionDto>>())!;

        Assert.Equal("Unhealthy", down.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("Redis", string.Join(' ', listing.Headers.Warning.Select(w => w.Text)), StringComparison.Ordinal);
        Assert.Contains(listed, s => s.Id == session.Id);

        await redis.RestartAsync(NativeStores.Redis);
        await WaitForHealthAsync(host, HttpStatusCode.OK);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redisAddress);
        await Eventually.TrueAsync(async () => await connection.GetDatabase().KeyExistsAsync($"opera:session:{session.Id}"), "the registry to catch up", Budget);
        await host.DisposeAsync();
        await redis.DisposeAsync();
        TestPaths.TryDelete(directory);
    }

    /// <summary>One outage for all that PostgreSQL's absence touches (each start of a server and a service costs ~40 s).</summary>
    [Fact]
    public async Task PostgresDiesAndReturns_HealthHistoryAndTokenChecksSaySo_SessionsKeepWorking_HistoryAndACloseCatchUp()
    {
        var directory = TestPaths.NewDirectory("outage-pg");
        await using var postgres = await NativeStores.StartAsync(directory, NativeStores.Postgres);
        await using var host = BrowserServiceHost.Start(stores.RedisConnectionString, await postgres.CreateDatabaseAsync("outage"), pages.HostAndPort);
        await WaitForHealthAsync(host, HttpStatusCode.OK);
        using var madeToken = await host.Http.PostAsJsonAsync("/api/tokens", new { name = "outage" });
        var token = (await madeToken.Content.ReadFromJsonAsync<CreatedApiTokenDto>())!.Token;
        using var withToken = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        withToken.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        // A session saved while PostgreSQL is up (its record says live), to be closed during the outage.
        using var before = await host.Http.PostAsJsonAsync("/api/sessions", new { url = pages.Page("/outage/close", "<title>Closed during the outage</title>").ToString() });
        var closing = (await before.Content.ReadFromJsonAsync<SessionDto>())!;
        var store = host.Services.GetRequiredService<SessionStateStore>();
        await Eventually.TrueAsync(async () => await store.LoadRestorableAsync(closing.Id) is not null, "the session's first save", TimeSpan.FromSeconds(30));

        await postgres.KillAsync(NativeStores.Postgres);
        var down = await WaitForHealthAsync(host, HttpStatusCode.ServiceUnavailable);
        // A token that cannot be checked may well be valid: 503, not 401, so its holder retries instead of giving it up.
        using var duringOutage = await withToken.GetAsync("/api/sessions");
        var outageProblem = await duringOutage.Content.ReadFromJsonAsync<JsonElement>();
        using var history = await host.Http.GetAsync("/api/history/sessions");
        var problem = await history.Content.ReadFromJsonAsync<JsonElement>();
        using var created = await host.Http.PostAsJsonAsync("/api/sessions", new { url = pages.Page("/outage/pg", "<title>During the outage</title>").ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        using var closed = await host.Http.DeleteAsync($"/api/sessions/{closing.Id}");
        using var closedWhileDown = await host.Http.GetAsync($"/api/sessions/{closing.Id}");

        Assert.Equal("Unhealthy", down.GetProperty("checks").GetProperty("operadb").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, history.StatusCode);
        Assert.StartsWith("History is unavailable: PostgreSQL is not reachable", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, duringOutage.StatusCode);
        Assert.StartsWith("The token could not be checked: PostgreSQL is not reachable", outageProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, closedWhileDown.StatusCode);

        await postgres.RestartAsync(NativeStores.Postgres);
        await WaitForHealthAsync(host, HttpStatusCode.OK);
        using (var checkedAgain = await withToken.GetAsync("/api/sessions"))
        {
            Assert.Equal(HttpStatusCode.OK, checkedAgain.StatusCode);
        }

        await Eventually.TrueAsync(async () =>
        {
            using var response = await host.Http.GetAsync($"/api/history/sessions/{session.Id}");
            return response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<SessionTimelineDto>())!.Entries.Any(e => e.Title == "During the outage");
        }, "the session and its history to be saved once PostgreSQL returned", Budget);
        // The close made while PostgreSQL was down is stored, and the session stays closed (not restored as live).
        PastSessionDto? past = null;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await host.Http.GetAsync($"/api/history/sessions/{closing.Id}");
            past = response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<SessionTimelineDto>())!.Session : null;
            return past?.State == "closed";
        }, "the close to be stored once PostgreSQL returned", Budget);
        using (var afterwards = await host.Http.GetAsync($"/api/sessions/{closing.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, afterwards.StatusCode);
        }

        Assert.Null(host.Sessions.Find(closing.Id));
        await host.Http.DeleteAsync($"/api/sessions/{session.Id}");
        await host.DisposeAsync();
        await postgres.DisposeAsync();
        TestPaths.TryDelete(directory);
    }

    private static async Task<JsonElement> WaitForHealthAsync(BrowserServiceHost host, HttpStatusCode expected)
    {
        JsonElement body = default;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await host.Http.GetAsync("/health");
            body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.StatusCode == expected;
        }, $"/health to answer {(int)expected}", Budget);
        return body;
    }
}
