using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace OperaStudio.AppHost.Hosting;

public static class NativePostgresExtensions
{
    /// <summary>
    /// PostgreSQL from the machine's server binaries (the newest major version installed), data in
    /// <c>{dataDirectory}/{name}</c>, initialised on the first run and kept across restarts. As root it runs as the
    /// unprivileged <c>postgres</c> account (PostgreSQL refuses root). Without the binaries the resource fails to
    /// start with a message that names the package to install.
    /// </summary>
    public static IResourceBuilder<NativePostgresServerResource> AddNativePostgres(this IDistributedApplicationBuilder builder, string name, string dataDirectory)
    {
        var binaries = NativeBinaries.FindPostgres();
        var account = ServiceAccount.ForServers();
        var folder = PostgresDataFolder.PathFor(dataDirectory, name, account);
        var password = builder.AddParameter($"{name}-password", PostgresDataFolder.LoadOrCreatePassword(dataDirectory, name), secret: true);
        var postgres = binaries?.Postgres ?? "postgres";
        var (command, prefix) = account?.Wrap(postgres) ?? (postgres, []);
        var resource = new NativePostgresServerResource(name, command, "/", password.Resource);

        string? connectionString = null;
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => (connectionString ?? throw new InvalidOperationException("PostgreSQL has no address yet.")) + ";Database=postgres",
            name: healthCheckKey);

        return builder.AddResource(resource)
            .WithEndpoint(name: NativePostgresServerResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                foreach (var arg in prefix.Concat(["-D", folder, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200", "-p"]))
                {
                    context.Args.Add(arg);
                }

                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey)
            .OnConnectionStringAvailable(async (server, _, cancellationToken) =>
                connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken))
            .OnBeforeResourceStarted(async (server, @event, cancellationToken) =>
            {
                if (binaries is null)
                {
                    throw new DistributedApplicationException(
                        $"PostgreSQL is not available: its server binaries were not found and no container runtime answers. {NativeBinaries.PostgresInstallHint}");
                }

                if (Environment.IsPrivilegedProcess && account is null)
                {
                    throw new DistributedApplicationException(
                        "PostgreSQL refuses to run as root and no 'postgres' or 'nobody' account exists. Create one (sudo adduser --system postgres) or run as a normal user.");
                }

                var log = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
                await PostgresDataFolder.EnsureReadyAsync(binaries, folder, await password.Resource.GetValueAsync(cancellationToken) ?? "", account, log, cancellationToken);
            })
            .OnResourceReady(async (server, @event, cancellationToken) =>
            {
                await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
                await connection.OpenAsync(cancellationToken);
                var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                foreach (var database in builder.Resources.OfType<NativePostgresDatabaseResource>().Where(db => db.Parent == server))
                {
                    await CreateDatabaseIfMissingAsync(connection, database.DatabaseName, cancellationToken);
                    await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
                }
            });
    }

    /// <summary>A database on the server, created when the server is ready; its health check connects to it.</summary>
    public static IResourceBuilder<NativePostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<NativePostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new NativePostgresDatabaseResource(name, databaseName ?? name, server.Resource);

        string? connectionString = null;
        var healthCheckKey = $"{name}_check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException("The database has no address yet."), name: healthCheckKey);

        return server.ApplicationBuilder.AddResource(database)
            .WithHealthCheck(healthCheckKey)
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "PostgresDatabase", Properties = [], State = KnownResourceStates.NotStarted })
            .OnConnectionStringAvailable(async (db, _, cancellationToken) =>
                connectionString = await db.ConnectionStringExpression.GetValueAsync(cancellationToken))
            .OnInitializeResource((db, @event, cancellationToken) =>
            {
                _ = FollowServerStateAsync(db, @event.Notifications, cancellationToken);
                return Task.CompletedTask;
            });
    }

    /// <summary>
    /// Aspire passes a container's state on to its databases but not an executable's: the database follows its server
    /// here, except that it becomes Running only once it has been created (see the server's ready handler).
    /// </summary>
    private static async Task FollowServerStateAsync(NativePostgresDatabaseResource database, ResourceNotificationService notifications, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in notifications.WatchAsync(cancellationToken))
            {
                if (update.Resource == database.Parent && update.Snapshot.State?.Text is { } state && state != KnownResourceStates.Running)
                {
                    await notifications.PublishUpdateAsync(database, s => s with { State = state, StopTimeStamp = update.Snapshot.StopTimeStamp });
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>CREATE DATABASE when it is not there yet (an identifier cannot be a parameter: it is quoted).</summary>
    public static async Task CreateDatabaseIfMissingAsync(NpgsqlConnection connection, string database, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
#pragma warning disable CA2100 // the identifier is quoted above
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
#pragma warning restore CA2100
        await create.ExecuteNonQueryAsync(cancellationToken);
    }
}
