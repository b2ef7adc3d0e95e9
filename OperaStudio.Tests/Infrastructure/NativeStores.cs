extern alias apphost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using apphost::OperaStudio.AppHost.Hosting;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// Redis and PostgreSQL for tests, started exactly as the AppHost starts them: its native store resources, in a
/// small Aspire application of their own that DCP runs (data in a folder of the test's). Stopping, killing and
/// starting a store goes through Aspire too, as an operator would from the dashboard.
/// </summary>
public sealed class NativeStores : IAsyncDisposable
{
    public const string Redis = "redis";
    public const string Postgres = "postgres";

    private readonly DistributedApplication _app;
    private bool _disposed;

    private NativeStores(DistributedApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    /// <summary>Starts the stores named (<see cref="Redis"/>, <see cref="Postgres"/>) and waits until each is healthy.</summary>
    public static async Task<NativeStores> StartAsync(string dataDirectory, params string[] stores)
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        // The stores' console lines (PostgreSQL logs to stderr, read as errors) would land in every failing test's output.
        builder.Services.AddLogging(logging => logging
            .AddFilter($"{typeof(NativeStores).Assembly.GetName().Name}.Resources", LogLevel.None)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));
        if (stores.Contains(Redis))
        {
            builder.AddNativeRedis(Redis, dataDirectory);
        }

        if (stores.Contains(Postgres))
        {
            builder.AddNativePostgres(Postgres, dataDirectory);
        }

        var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await app.StartAsync(timeout.Token);
        foreach (var store in stores)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(store, timeout.Token);
        }

        return new NativeStores(app, dataDirectory);
    }

    public async Task<string> ConnectionStringAsync(string store) =>
        await _app.GetConnectionStringAsync(store) ?? throw new InvalidOperationException($"{store} has no connection string.");

    /// <summary>A new, empty database on the PostgreSQL server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        var server = await ConnectionStringAsync(Postgres);
        await using (var connection = new NpgsqlConnection(server + ";Database=postgres;Pooling=false"))
        {
            await connection.OpenAsync();
            await NativePostgresExtensions.CreateDatabaseIfMissingAsync(connection, name, CancellationToken.None);
        }

        return $"{server};Database={name}";
    }

    /// <summary>The store's process id, as the dashboard shows it.</summary>
    public int ProcessId(string store) =>
        _app.ResourceNotifications.TryGetCurrentState(store, out var state)
        && state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"{store} has no process.");

    /// <summary>Kills the store outright (a crash) and waits until Aspire sees it gone.</summary>
    public async Task KillAsync(string store)
    {
        Signals.Send(ProcessId(store), Signals.SigKill);
        await WaitForStateAsync(store, KnownResourceStates.TerminalStates);
    }

    /// <summary>Starts a stopped or crashed store again (the dashboard's Start) and waits until it is healthy.</summary>
    public async Task RestartAsync(string store)
    {
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(store, KnownResourceCommands.StartCommand);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Starting {store} failed: {result.Message}");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(store, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NpgsqlConnection.ClearAllPools(); // PostgreSQL's default shutdown waits for clients to leave
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task WaitForStateAsync(string store, IEnumerable<string> states)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.ResourceNotifications.WaitForResourceAsync(store, states, timeout.Token);
    }
}
