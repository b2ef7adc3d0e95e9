using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.BrowserService.Data;

/// <summary>
/// Applies EF Core migrations at start (through the provider's retrying execution strategy) and reports its state
/// in /health. If PostgreSQL is not there yet it keeps trying, so the service recovers when the database comes back.
/// </summary>
public sealed partial class DatabaseInitializer(IDbContextFactory<OperaDbContext> factory, ILogger<DatabaseInitializer> logger)
    : RetryingStartup, IHealthCheck
{
    private volatile string _state = "pending";
    private volatile string? _error;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits (at most 30 s) until the schema is current; throws with the migration error otherwise.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"The database is not ready: {_error ?? "migrations are still running"}.");
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_state switch
        {
            "ready" => HealthCheckResult.Healthy("migrations applied"),
            "failed" => HealthCheckResult.Unhealthy($"migrations failed, retrying: {_error}"),
            _ => HealthCheckResult.Unhealthy("applying migrations"),
        });

    /// <summary>The first attempt runs before Data Protection loads its key ring from these tables (see DataExtensions).</summary>
    protected override async Task<bool> TryOnceAsync(int attempt, CancellationToken cancellationToken)
    {
        try
        {
            _state = "migrating";
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await db.Database.CreateExecutionStrategy().ExecuteAsync(() => db.Database.MigrateAsync(cancellationToken));
            _state = "ready";
            _ready.TrySetResult();
            LogMigrated(pending.Count);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _state = "pending";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _state = "failed";
            _error = ex.GetBaseException().Message;
            LogMigrationFailed(ex, attempt);
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready ({Count} migration(s) applied)")]
    private partial void LogMigrated(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying database migrations failed (attempt {Attempt}); retrying")]
    private partial void LogMigrationFailed(Exception exception, int attempt);
}
