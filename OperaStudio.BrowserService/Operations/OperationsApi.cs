using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Operations;

/// <summary>
/// The node's state for operators: pool, sessions, viewers, traffic, history backlog and health, as one snapshot
/// (<c>GET /api/operations</c>); the same figures go out as OpenTelemetry metrics.
/// </summary>
public static class OperationsApi
{
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;
    private static readonly Lock RateGate = new();
    private static (long Frames, long Ticks) s_lastSample;
    private static double s_lastRate;

    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/operations", GetAsync).WithTags("Operations");
        return app;
    }

    private static async Task<OperationsDto> GetAsync(
        BrowserPool pool, SessionManager sessions, BrowserServiceMetrics metrics, HistoryRecorder history,
        IOptions<Sessions.SessionOptions> options, HealthCheckService health, CancellationToken cancellationToken)
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
            FrameRate(metrics.FramesSent),
            metrics.InputEvents,
            metrics.AgentSteps,
            metrics.SessionsCreated,
            metrics.SessionsRestored,
            metrics.SessionsReleased,
            history.Written,
            history.Pending,
            GC.GetTotalMemory(forceFullCollection: false),
            Process.GetCurrentProcess().WorkingSet64,
            report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()));
    }

    /// <summary>Frames per second since the previous snapshot (the view polls every couple of seconds).</summary>
    private static double FrameRate(long frames)
    {
        lock (RateGate)
        {
            var now = Stopwatch.GetTimestamp();
            var (lastFrames, lastTicks) = s_lastSample;
            if (lastTicks != 0)
            {
                var seconds = Stopwatch.GetElapsedTime(lastTicks, now).TotalSeconds;
                if (seconds >= 0.5)
                {
                    s_lastRate = Math.Round((frames - lastFrames) / seconds, 1);
                    s_lastSample = (frames, now);
                }
            }
            else
            {
                s_lastSample = (frames, now);
            }

            return s_lastRate;
        }
    }
}
