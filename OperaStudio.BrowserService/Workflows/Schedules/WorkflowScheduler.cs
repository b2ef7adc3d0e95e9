using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;

namespace OperaStudio.BrowserService.Workflows.Schedules;

/// <summary>
/// Starts the runs of scheduled workflows (trigger <c>schedule</c>) when their cron expression comes due, every
/// <c>Workflows:ScheduleIntervalSeconds</c>. Each due time is claimed in PostgreSQL before its run starts, so with several
/// nodes (or after a restart) a time is run once. The run closes its session when it completes; the runner flags a run
/// whose outputs differ from the previous one with the same inputs (<c>Changed</c>).
/// </summary>
public sealed partial class WorkflowScheduler(
    IWorkflowCatalog catalog,
    IWorkflowRuns runs,
    IDbContextFactory<OperaDbContext> database,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<WorkflowScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SchedulesEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ScheduleIntervalSeconds), time);
        do
        {
            try
            {
                await TickAsync(time.GetUtcNow(), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The store may be down for a while: the next tick tries again.
                LogTickFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Starts a run of every scheduled workflow due at <paramref name="now"/>; returns the runs started.</summary>
    public async Task<IReadOnlyList<WorkflowRunDto>> TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var started = new List<WorkflowRunDto>();
        foreach (var workflow in await catalog.ScheduledAsync(cancellationToken))
        {
            if (workflow.Definition.Schedule is not { } schedule || ScheduleTimes.Problem(schedule) is not null)
            {
                continue;
            }

            await using var db = await database.CreateDbContextAsync(cancellationToken);
            var last = await db.Workflows.AsNoTracking().Where(w => w.Id == workflow.Id).Select(w => w.LastScheduledAt).FirstOrDefaultAsync(cancellationToken);

            // From the last run it started, or from the schedule's last edit: editing a workflow does not run its backlog.
            var since = last is { } previous && previous > workflow.UpdatedAt ? previous : workflow.UpdatedAt;
            if (ScheduleTimes.LatestDue(schedule, since, now) is not { } due)
            {
                continue;
            }

            // Claim the time: only the node whose update finds the old value starts the run.
            var claimed = await db.Workflows
                .Where(w => w.Id == workflow.Id && w.LastScheduledAt == last)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.LastScheduledAt, due), cancellationToken);
            if (claimed != 1)
            {
                continue;
            }

            try
            {
                var inputs = workflow.Definition.ScheduleInputs is { ValueKind: JsonValueKind.Object } given ? JsonNode.Parse(given.GetRawText())!.AsObject() : [];
                var run = await runs.StartAsync(
                    new WorkflowStart(workflow.Id, workflow.Owner, inputs, null, WorkflowActions.ScheduleTrigger, CloseSessionWhenCompleted: true),
                    cancellationToken);
                LogStarted(workflow.Id, run.Id, due);
                started.Add(run);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // This time is spent; the next one tries again.
                LogStartFailed(workflow.Id, due, ex);
            }
        }

        return started;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled run {RunId} of workflow {WorkflowId} started (due {Due})")]
    private partial void LogStarted(string workflowId, string runId, DateTimeOffset due);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scheduled run of workflow {WorkflowId} due {Due} could not start")]
    private partial void LogStartFailed(string workflowId, DateTimeOffset due, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the workflow schedules failed")]
    private partial void LogTickFailed(Exception error);
}
