namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// One Redis and one PostgreSQL server for the whole run (starting them is the slow part), started by the AppHost's
/// own native store resources. Tests that write take a database of their own with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class DataStoresFixture : IAsyncLifetime
{
    private readonly string _directory = TestPaths.NewDirectory("stores");
    private NativeStores? _stores;

    public string RedisConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _stores = await NativeStores.StartAsync(_directory, NativeStores.Redis, NativeStores.Postgres);
        RedisConnectionString = await _stores.ConnectionStringAsync(NativeStores.Redis);
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string prefix = "test") =>
        Stores.CreateDatabaseAsync($"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)]);

    public async ValueTask DisposeAsync()
    {
        if (_stores is not null)
        {
            await _stores.DisposeAsync();
        }

        TestPaths.TryDelete(_directory);
    }

    private NativeStores Stores => _stores ?? throw new InvalidOperationException("The data stores have not started.");
}
