using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What Aspire's Npgsql EF Core client package would add: a pooled DbContext factory (and a scoped context) on
/// <c>ConnectionStrings:{name}</c> with retries, a health check that opens a connection, and Npgsql tracing/metrics.
/// </summary>
public static class NpgsqlDbContextExtensions
{
    public static IHostApplicationBuilder AddNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<NpgsqlDbContextOptionsBuilder>? configureNpgsql = null)
        where TContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set. Start the system with the AppHost, or set " +
                $"ConnectionStrings__{connectionName}=\"Host=...;Database=...;Username=...;Password=...\".");

        // Fail fast instead of hanging when the server is down; EF retries transient failures.
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        if (csb.Timeout == 15)
        {
            csb.Timeout = 5;
        }

        builder.Services.AddPooledDbContextFactory<TContext>(options => options.UseNpgsql(csb.ConnectionString, npgsql =>
        {
            npgsql.EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(2), errorCodesToAdd: null);
            configureNpgsql?.Invoke(npgsql);
        }));
        builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext());

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            services => new DbContextHealthCheck<TContext>(services.GetRequiredService<IDbContextFactory<TContext>>()),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["ready"],
            timeout: TimeSpan.FromSeconds(5)));

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddNpgsql())
            .WithMetrics(metrics => metrics.AddNpgsqlInstrumentation());
        return builder;
    }

    private sealed class DbContextHealthCheck<TContext>(IDbContextFactory<TContext> factory) : IHealthCheck
        where TContext : DbContext
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                // A real round trip: opening alone hands back an idle pooled connection even when the server is gone.
                await using var db = await factory.CreateDbContextAsync(cancellationToken);
                var connection = db.Database.GetDbConnection();
                await connection.OpenAsync(cancellationToken);
                await using (var command = connection.CreateCommand())
                {
                    command.CommandText = "SELECT 1";
                    await command.ExecuteScalarAsync(cancellationToken);
                }

                await connection.CloseAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"PostgreSQL is not reachable: {ex.Message}");
            }
        }
    }
}
