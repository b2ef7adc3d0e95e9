using Microsoft.Extensions.Configuration;
using OperaStudio.AppHost.Hosting.Containers;

namespace OperaStudio.AppHost.Hosting.Redis;

/// <summary>
/// Redis, provided in this order: a configured connection string, a container when Docker answers, the native
/// redis-server; otherwise the start fails with a message naming the package to install.
/// </summary>
public sealed class RedisResource(string name) : Resource(name), IResourceWithConnectionString
{
    private RedisServer? _native;
    private ContainerInstance? _container;
    private int _port;

    public override string Kind { get; } = "redis";

    public string Mode { get; private set; } = "";

    public string? ConnectionString { get; private set; }

    public override string Endpoint => $"{ConnectionString} ({Mode})";

    internal override async Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        if (context.Options.Configuration.GetConnectionString(Name) is { Length: > 0 } external)
        {
            Mode = "external";
            ConnectionString = external;
            if (!await RedisServer.PingAsync(external, cancellationToken))
            {
                throw new AppHostException($"The configured Redis (ConnectionStrings__{Name}={external}) does not answer PING.");
            }

            return;
        }

        _port = _port == 0 ? Ports.GetFreePort() : _port;
        ConnectionString = $"127.0.0.1:{_port}";
        var log = context.Log.For(Name);

        if (context.Options.UseContainers ?? await DockerEngine.IsAvailableAsync())
        {
            Mode = "container";
            _container = await DockerEngine.RunAsync(
                $"opera-studio-{Name}", "redis:7-alpine", 6379, _port, $"opera-studio-{Name}-data", "/data",
                new Dictionary<string, string>(), ["redis-server", "--save", "30", "1"], log, cancellationToken);
            await WaitForPingAsync(context.Options.StartupTimeout, cancellationToken);
            return;
        }

        if (RedisServer.FindExecutable() is null)
        {
            throw new AppHostException($"Redis is not available: redis-server was not found and no Docker engine answers. {RedisServer.InstallHint}");
        }

        Mode = "native";
        _native = await RedisServer.StartAsync(
            Path.Combine(context.Options.DataDirectory, Name), _port, log, context.Ledger, cancellationToken);
    }

    internal override Task<int> WaitForExitAsync(CancellationToken cancellationToken) =>
        (_native?.Exited ?? _container?.Exited ?? NeverExitsAsync(cancellationToken)).WaitAsync(cancellationToken);

    internal override async Task StopAsync()
    {
        if (_native is not null)
        {
            await _native.StopAsync();
        }

        if (_container is not null)
        {
            await _container.StopAsync();
        }
    }

    private async Task WaitForPingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!await RedisServer.PingAsync(ConnectionString!, deadline.Token))
        {
            await Task.Delay(250, deadline.Token);
        }
    }
}
