using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Identity;

namespace OperaStudio.BrowserService.Operations;

/// <summary>
/// The node's state for operators: pool, sessions, viewers, traffic, history backlog and health, as one snapshot
/// (<c>GET /api/operations</c>); the same figures go out as OpenTelemetry metrics.
/// </summary>
public static class OperationsApi
{
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;

    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        // A node's figures and its drain switch are the operator's.
        var operations = app.MapGroup("/api/operations").WithTags("Operations").RequireAuthorization(Callers.AdminRole);
        operations.MapGet("", GetAsync);
        // Drain: no new sessions here (health not ready); with other nodes (Nodes:MigrateOnDrain) the sessions are
        // handed over to them, else they go on here. DELETE resumes.
        operations.MapPost("/drain", async (SessionManager sessions, Nodes.NodeMigration migration) =>
        {
            sessions.Drain(true);
            await migration.HandOverAsync();
            return TypedResults.Ok(new DrainDto(sessions.IsDraining, sessions.Count));
        });
        operations.MapDelete("/drain", (SessionManager sessions) => SetDraining(sessions, false));
        return app;
    }

    private static async Task<OperationsDto> GetAsync(
        BrowserPool pool, SessionManager sessions, BrowserServiceMetrics metrics, HistoryRecorder history,
        IOptions<Sessions.SessionOptions> options, HealthCheckService health, Streaming.Budget.FrameBudget budget, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var live = sessions.All;
        return new OperationsDto(
            options.Value.ResolveNodeId(),
            StartedAt,
            pool.ConnectedBrowsers,
            pool.Options.BrowserCount,
            pool.WarmCount,
            pool.TotalContexts,
            live.Count,
            live.Count(s => s.ViewerCount == 0),
            options.Value.MaxSessions,
            live.Sum(s => s.ViewerCount),
            metrics.FramesSent,
            metrics.FrameBytes,
            metrics.FrameRate.PerSecond(),
            metrics.InputEvents,
            metrics.AgentSteps,
            metrics.SessionsCreated,
            metrics.SessionsRestored,
            metrics.SessionsReleased,
            history.Written,
            history.Pending,
            GC.GetTotalMemory(forceFullCollection: false),
            Process.GetCurrentProcess().WorkingSet64,
            report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
            sessions.IsDraining,
            budget.ToDto());
    }

    private static Ok<DrainDto> SetDraining(SessionManager sessions, bool draining)
    {
        sessions.Drain(draining);
        return TypedResults.Ok(new DrainDto(sessions.IsDraining, sessions.Count));
    }
}
