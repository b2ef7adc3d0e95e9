using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions.Registry;
using OperaStudio.BrowserService.Workflows.Definitions;
using OperaStudio.BrowserService.Workflows.Storage;

namespace OperaStudio.BrowserService.Workflows.Runs;

/// <summary>
/// Keeps stored runs truthful when the node running them goes away. A stopping node fails its runs before anything
/// else stops (they can be resumed); a node that was killed cannot, so every node sweeps for runs that say they are going
/// while no live session of the cluster is theirs (a run only goes on in a live session) and fails them the same way.
/// </summary>
public sealed partial class WorkflowRunRecovery(
    WorkflowRunner runner,
    WorkflowRunStore store,
    SessionRegistry registry,
    TimeProvider time,
    ILogger<WorkflowRunRecovery> logger) : BackgroundService, IHostedLifecycleService
{
    public const string StoppedMessage = "The browser service stopped during the run; resume it to go on from this step.";

    public const string LostMessage = "The browser service running it went away (it was stopped or killed); resume it to go on from this step.";

    /// <summary>A run this young may be starting on another node whose session the registry does not list yet.</summary>
    internal static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    /// <summary>Fails the runs of sessions no node holds; how many it failed, or null when the registry cannot say.</summary>
    public async Task<int?> SweepAsync(CancellationToken cancellationToken)
    {
        var candidates = await store.UnfinishedAsync(time.GetUtcNow() - Grace, cancellationToken);
        if (candidates.Count == 0)
        {
            return 0;
        }

        if (await registry.ListAsync() is not { } live)
        {
            return null; // Redis is down: nothing is known about the other nodes, so nothing is failed.
        }

        var held = live.Select(s => s.Session.Id).ToHashSet(StringComparer.Ordinal);
        var failed = 0;
        foreach (var run in candidates.Where(r => !runner.IsLive(r.Id) && (r.SessionId is null || !held.Contains(r.SessionId))))
        {
            var steps = RunMapping.Steps(run);
            var at = Math.Max(0, steps.FindIndex(s => s.Status != WorkflowStepStatuses.Ok));
            var now = time.GetUtcNow();
            for (var i = 0; i < steps.Count; i++)
            {
                if (steps[i].Status is WorkflowStepStatuses.Running or WorkflowStepStatuses.WaitingForApproval or WorkflowStepStatuses.WaitingForUser)
                {
                    steps[i] = steps[i] with { Status = WorkflowStepStatuses.Error, Error = LostMessage, FinishedAt = now };
                }
            }

            if (await store.MarkInterruptedAsync(run.Id, run.Status, run.Steps, WorkflowJson.Serialize(steps), at, LostMessage, now, cancellationToken))
            {
                LogRunLost(run.Id, run.SessionId);
                failed++;
            }
        }

        return failed;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Before any service stops (sessions are still up to write their last step): fail this node's runs.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => runner.InterruptAllAsync(StoppedMessage, TimeSpan.FromSeconds(5));

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(ex); // PostgreSQL or Redis away: the next sweep tries again.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow run {RunId} was going in session {SessionId}, which no node holds any more: marked failed (resumable)")]
    private partial void LogRunLost(string runId, string? sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep for workflow runs no node runs failed; it tries again in a minute")]
    private partial void LogSweepFailed(Exception exception);
}
