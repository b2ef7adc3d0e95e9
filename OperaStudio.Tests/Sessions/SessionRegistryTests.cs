using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using StackExchange.Redis;

namespace OperaStudio.Tests.Sessions;

/// <summary>The live-session registry in real Redis: written on change, expiring on its own, read by the list.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class SessionRegistryTests(BrowserServiceFixture service, DataStoresFixture stores)
{
    [Fact]
    public async Task Session_IsRegisteredWithNodeAndTtl_ListedFromRedis_AndRemovedOnClose()
    {
        using var created = await service.Http.PostAsJsonAsync("/api/sessions", new { });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(stores.RedisConnectionString);
        var db = connection.GetDatabase();
        var key = $"opera:session:{session.Id}";

        await Eventually.TrueAsync(async () => await db.KeyExistsAsync(key), "the session's registry entry", TimeSpan.FromSeconds(10));
        var node = (string?)await db.HashGetAsync(key, "node");
        var ttl = await db.KeyTimeToLiveAsync(key);
        var listed = (await service.Http.GetFromJsonAsync<List<SessionDto>>("/api/sessions"))!;
        await service.Http.DeleteAsync($"/api/sessions/{session.Id}");
        await Eventually.TrueAsync(async () => !await db.KeyExistsAsync(key), "the registry entry to go", TimeSpan.FromSeconds(10));

        Assert.False(string.IsNullOrEmpty(node));
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Assert.Contains(listed, s => s.Id == session.Id && s.Tabs.Count == 1);
        Assert.Null(await db.SortedSetScoreAsync("opera:sessions", session.Id));
    }

    [Fact]
    public async Task List_DropsEntriesWhoseNodeStoppedRenewingThem()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(stores.RedisConnectionString);
        var db = connection.GetDatabase();
        await db.SortedSetAddAsync("opera:sessions", "ghost-session", 1);

        var listed = (await service.Http.GetFromJsonAsync<List<SessionDto>>("/api/sessions"))!;

        Assert.DoesNotContain(listed, s => s.Id == "ghost-session");
        Assert.Null(await db.SortedSetScoreAsync("opera:sessions", "ghost-session"));
    }
}
