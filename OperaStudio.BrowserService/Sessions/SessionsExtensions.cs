using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Sessions.Persistence;
using OperaStudio.BrowserService.Sessions.Registry;

namespace OperaStudio.BrowserService.Sessions;

public static class SessionsExtensions
{
    public static WebApplicationBuilder AddSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SessionOptions>()
            .BindConfiguration(SessionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UrlGuard>();
        builder.Services.AddSingleton<SessionStateStore>();
        // Registry and saver are hosted before the manager, so the manager stops (saving every session) first.
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SessionRegistry>());
        builder.Services.AddSingleton<ClusterSlots>();
        builder.Services.AddSingleton<SessionSaver>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SessionSaver>());
        builder.Services.AddSingleton<SessionManager>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SessionManager>());
        builder.Services.AddHealthChecks().AddCheck<CapacityHealthCheck>("capacity", tags: ["ready"]);
        return builder;
    }

    /// <summary>Ready means this node takes new sessions: not at its limit, not drained, and not shutting down.</summary>
    private sealed class CapacityHealthCheck(SessionManager sessions, IOptions<SessionOptions> options) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(
                sessions.IsStopping ? HealthCheckResult.Unhealthy("shutting down: no new sessions")
                : sessions.IsDraining ? HealthCheckResult.Unhealthy($"draining: no new sessions ({sessions.Count} still running)")
                : sessions.IsAtCapacity ? HealthCheckResult.Unhealthy($"at capacity: {sessions.Count} of {options.Value.MaxSessions} sessions")
                : HealthCheckResult.Healthy($"{sessions.Count} of {options.Value.MaxSessions} sessions"));
    }
}
