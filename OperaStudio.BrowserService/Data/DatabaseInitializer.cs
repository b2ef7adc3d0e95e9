using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OperaStudio.BrowserService.Data;

/// <summary>
/// Applies EF Core migrations at start (through the provider's retrying execution strategy) and reports its state
/// in /health. If PostgreSQL is not there yet it keeps trying, so the service recovers when the database comes back.
/// </summary>
internal sealed partial class DatabaseInitializer(IDbContextFactory<OperaDbContext> factory, ILogger<DatabaseInitializer> logger)
    : BackgroundService, IHealthCheck
{
    private volatile string _state = "pending";
    private volatile string? _error;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the schema is current.</summary>
    public Task Ready => _ready.Task;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_state switch
        {
            "ready" => HealthCheckResult.Healthy("migrations applied"),
            "failed" => HealthCheckResult.Unhealthy($"migrations failed, retrying: {_error}"),
            _ => HealthCheckResult.Unhealthy("applying migrations"),
        });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                _state = "migrating";
                await using var db = await factory.CreateDbContextAsync(stoppingToken);
                var pending = (await db.Database.GetPendingMigrationsAsync(stoppingToken)).ToList();
                await db.Database.CreateExecutionStrategy().ExecuteAsync(() => db.Database.MigrateAsync(stoppingToken));
                _state = "ready";
                _ready.TrySetResult();
                LogMigrated(pending.Count);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _state = "failed";
                _error = ex.GetBaseException().Message;
                LogMigrationFailed(ex, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready ({Count} migration(s) applied)")]
    private partial void LogMigrated(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying database migrations failed (attempt {Attempt}); retrying")]
    private partial void LogMigrationFailed(Exception exception, int attempt);
}
