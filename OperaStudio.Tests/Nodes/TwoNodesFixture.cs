using OperaStudio.BrowserService.Nodes;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;
using StackExchange.Redis;

namespace OperaStudio.Tests.Nodes;

/// <summary>
/// Two browser-service nodes, <c>browser</c> and <c>browser-2</c> (the AppHost's names), on one PostgreSQL database
/// and a Redis of their own: the cluster's limits and its node directory then count only these nodes, whatever the
/// other tests run meanwhile on the shared Redis. Started once for the class: launching Chromium twice is the slow part.
/// </summary>
public sealed class TwoNodesFixture(DataStoresFixture stores, TestPageServer pages) : IAsyncLifetime
{
    /// <summary>The cluster's cap on live sessions, small enough for fifty creates at once to pass it easily.</summary>
    public const int ClusterCap = 6;

    private readonly string _redisDirectory = TestPaths.NewDirectory("nodes-redis");
    private NativeStores? _redis;
    private BrowserServiceHost? _a;
    private BrowserServiceHost? _b;

    public BrowserServiceHost A => _a ?? throw new InvalidOperationException("Not started.");

    public BrowserServiceHost B => _b ?? throw new InvalidOperationException("Not started.");

    public string RedisConnectionString { get; private set; } = "";

    public string DatabaseConnectionString { get; private set; } = "";

    public IConnectionMultiplexer Redis { get; private set; } = null!;

    public TestPageServer Pages => pages;

    public async ValueTask InitializeAsync()
    {
        _redis = await NativeStores.StartAsync(_redisDirectory, NativeStores.Redis);
        RedisConnectionString = await _redis.ConnectionStringAsync(NativeStores.Redis);
        Redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionString);
        DatabaseConnectionString = await stores.CreateDatabaseAsync("nodes");
        _a = BrowserServiceHost.Start(RedisConnectionString, DatabaseConnectionString, pages.HostAndPort, Settings(BrowserNodes.ResourceName(1)));
        _b = BrowserServiceHost.Start(RedisConnectionString, DatabaseConnectionString, pages.HostAndPort, Settings(BrowserNodes.ResourceName(2)));
    }

    /// <summary>A node's settings as the AppHost gives them with more than one node, plus fast saves and the small cap.</summary>
    public static Dictionary<string, string> Settings(string nodeId) => new()
    {
        ["Sessions:NodeId"] = nodeId,
        ["Sessions:SaveDebounceMilliseconds"] = "100",
        ["Sessions:MaxSessionsGlobal"] = ClusterCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"{NodeOptions.SectionName}:MigrateOnDrain"] = "true",
        [$"{NodeOptions.SectionName}:Backplane"] = "true",
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var host in new[] { _a, _b }.OfType<BrowserServiceHost>())
        {
            await host.DisposeAsync();
        }

        Redis?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        TestPaths.TryDelete(_redisDirectory);
    }
}
