using Microsoft.Extensions.Configuration;
using Npgsql;

namespace OperaStudio.AppHost.Hosting.Postgres;

/// <summary>A database on a <see cref="PostgresServerResource"/>; created on first start if it does not exist.</summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource server) : Resource(name), IResourceWithConnectionString
{
    public PostgresServerResource Server { get; } = server;

    public override string Kind { get; } = "database";

    public string? ConnectionString { get; private set; }

    public override string Endpoint => ConnectionString is null
        ? ""
        : $"{new NpgsqlConnectionStringBuilder(ConnectionString).Database} on {(Server.Mode == "external" ? "external server" : Server.Name)}";

    internal override async Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        ConnectionString = context.Options.Configuration.GetConnectionString(Name) is { Length: > 0 } external
            ? external
            : Server.ConnectionStringFor(Name);
        if (ConnectionString is null)
        {
            throw new AppHostException($"Database {Name} has no server: {Server.Name} is not running.");
        }

        if (Server.Mode != "external")
        {
            await PostgresServer.EnsureDatabaseAsync(Server.ConnectionStringFor("postgres")!, Name, cancellationToken);
        }

        if (!await PostgresServer.PingAsync(ConnectionString, cancellationToken))
        {
            throw new AppHostException($"Database {Name} does not accept connections ({new NpgsqlConnectionStringBuilder(ConnectionString) { Password = null }}).");
        }
    }

    internal override Task<int> WaitForExitAsync(CancellationToken cancellationToken) => NeverExitsAsync(cancellationToken);

    internal override Task StopAsync() => Task.CompletedTask;
}
