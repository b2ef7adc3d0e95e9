using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.AppHost;

/// <summary>Connection strings in the AppHost's configuration use existing servers: the AppHost starts none of its own.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ExistingStoresTests(DataStoresFixture stores)
{
    [Fact]
    public async Task Start_WithConnectionStrings_UsesThoseServers_AndStartsNoRedisOrPostgres()
    {
        var dataDirectory = TestPaths.NewDirectory("apphost-existing");
        await using var host = AppHostProcess.StartBuilt(Signals.FreePort(), dataDirectory, new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = stores.RedisConnectionString,
            ["ConnectionStrings__operadb"] = await stores.CreateDatabaseAsync("existing"),
        });

        await host.WaitForOutputAsync("Opera Studio is ready", TimeSpan.FromMinutes(4));
        using var http = new HttpClient { BaseAddress = host.WebUrl };
        http.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
        using var created = await http.PostAsync("/api/sessions", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var started = host.StartedProcesses();

        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(started, p => p.CommandLine.Contains("redis-server", StringComparison.Ordinal));
        Assert.DoesNotContain(started, p => p.CommandLine.Contains("postgres -D", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(dataDirectory, "postgres")), "no PostgreSQL data folder should be made");
        host.Signal(Signals.SigTerm);
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        TestPaths.TryDelete(dataDirectory);
    }
}
