using Microsoft.Extensions.Configuration;
using System.Security.Cryptography;
using OperaStudio.AppHost.Hosting.Containers;
using OperaStudio.AppHost.Hosting.Processes;

namespace OperaStudio.AppHost.Hosting.Postgres;

/// <summary>
/// A PostgreSQL server, provided in this order: a configured connection string on one of its databases, a
/// container when Docker answers, the native binaries (data folder initialised on first run); otherwise the start
/// fails with a message naming the package to install. Its password is generated once and kept beside the data.
/// </summary>
public sealed class PostgresServerResource(string name) : Resource(name)
{
    private PostgresServer? _native;
    private ContainerInstance? _container;
    private string _password = "";
    private int _port;

    public List<PostgresDatabaseResource> Databases { get; } = [];

    public override string Kind { get; } = "postgres";

    public string Mode { get; private set; } = "";

    public override string Endpoint => Mode == "external" ? "(databases configured directly)" : $"127.0.0.1:{_port} ({Mode})";

    /// <summary>The connection string for one database on this server; null while it is not running.</summary>
    public string? ConnectionStringFor(string database) =>
        _native?.ConnectionString(database)
        ?? (_container is null ? null : $"Host=127.0.0.1;Port={_port};Username={PostgresServer.DefaultUser};Password={_password};Database={database}");

    internal override async Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        if (Databases.Count > 0 && Databases.All(db => context.Options.Configuration.GetConnectionString(db.Name) is { Length: > 0 }))
        {
            Mode = "external";
            return;
        }

        _port = _port == 0 ? Ports.GetFreePort() : _port;
        _password = LoadOrCreatePassword(context.Options.DataDirectory);
        var log = context.Log.For(Name);

        if (context.Options.UseContainers ?? await DockerEngine.IsAvailableAsync())
        {
            Mode = "container";
            _container = await DockerEngine.RunAsync(
                $"opera-studio-{Name}", "postgres:17", 5432, _port, $"opera-studio-{Name}-data", "/var/lib/postgresql/data",
                new Dictionary<string, string> { ["POSTGRES_USER"] = PostgresServer.DefaultUser, ["POSTGRES_PASSWORD"] = _password },
                [], log, cancellationToken);
            await WaitForContainerAsync(context.Options.StartupTimeout, cancellationToken);
            return;
        }

        if (PostgresInstallation.Find() is null)
        {
            throw new AppHostException($"PostgreSQL is not available: its server binaries were not found and no Docker engine answers. {PostgresServer.InstallHint}");
        }

        Mode = "native";
        _native = await PostgresServer.StartAsync(
            DataDirectoryFor(context.Options), _port, _password, log, context.Ledger, cancellationToken);
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

    /// <summary>
    /// ./.data/postgres normally. As root, PostgreSQL runs as an unprivileged account; if that account cannot
    /// reach the repository (a checkout under /root, say), the data goes to a folder it can reach instead.
    /// </summary>
    private string DataDirectoryFor(AppHostOptions options)
    {
        var preferred = Path.Combine(options.DataDirectory, Name);
        var account = PostgresServer.ServiceAccount();
        if (account is null || UnprivilegedUser.IsReachableByOthers(preferred))
        {
            return preferred;
        }

        var key = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(preferred)))[..12].ToLowerInvariant();
        return Path.Combine("/var/tmp/opera-studio", key, Name);
    }

    private string LoadOrCreatePassword(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, $"{Name}.password");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(dataDirectory);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        File.WriteAllText(path, password);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return password;
    }

    private async Task WaitForContainerAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!await PostgresServer.PingAsync(ConnectionStringFor("postgres")!, deadline.Token))
        {
            await Task.Delay(500, deadline.Token);
        }
    }
}
