using OperaStudio.AppHost.Hosting;
using OperaStudio.AppHost.Hosting.Redis;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>A real redis-server for the whole run, started by the AppHost's own code.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private readonly string _directory = TestPaths.NewDirectory("redis");
    private RedisServer? _server;

    public string ConnectionString => Server.ConnectionString;

    public RedisServer Server => _server ?? throw new InvalidOperationException("Redis has not started.");

    public async ValueTask InitializeAsync() =>
        _server = await RedisServer.StartAsync(_directory, Ports.GetFreePort());

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }

        TestPaths.TryDelete(_directory);
    }
}
