using OperaStudio.AppHost.Hosting;
using OperaStudio.AppHost.Hosting.Postgres;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the whole run, initialised and started by the AppHost's own code.
/// Tests that write take a database of their own with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly string _directory = TestPaths.NewDirectory("postgres");
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL has not started.");

    public async ValueTask InitializeAsync() =>
        _server = await PostgresServer.StartAsync(
            Path.Combine(_directory, "data"), Ports.GetFreePort(), Guid.NewGuid().ToString("N"));

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
        await Server.EnsureDatabaseAsync(name);
        return Server.ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }

        TestPaths.TryDelete(_directory);
    }
}
