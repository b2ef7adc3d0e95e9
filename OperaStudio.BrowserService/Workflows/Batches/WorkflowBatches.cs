using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Workflows.Definitions;

namespace OperaStudio.BrowserService.Workflows.Batches;

/// <summary>
/// Batches: one run per input, each in a session of its own, at most the batch's concurrency at a time. The inputs are
/// all checked before the first run starts. The batch row keeps, per input, the run made for it (or why none could be
/// started), so its progress and results are read from PostgreSQL by whoever asks.
/// </summary>
public sealed partial class WorkflowBatches(
    IDbContextFactory<OperaDbContext> database,
    IWorkflowRuns runs,
    IOptions<WorkflowOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<WorkflowBatches> logger)
{
    // How often a run that met the session limit is tried again before its input is marked failed.
    private const int MaxSessionLimitWaits = 60;

    private readonly ConcurrentDictionary<string, Task> _going = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks every input against the workflow's parameters (throws <see cref="WorkflowInvalidException"/> listing every
    /// problem; nothing starts) and starts the batch in the background.
    /// </summary>
    public async Task<WorkflowBatchDto> StartAsync(WorkflowDto workflow, string owner, IReadOnlyList<JsonNode?> inputs, int? concurrency, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (concurrency is < 1)
        {
            throw new WorkflowInvalidException([$"concurrency must be at least 1 (at most {limits.MaxBatchConcurrency}, Workflows:MaxBatchConcurrency)."]);
        }

        var resolved = BatchInputs.Resolve(workflow.Definition.Parameters ?? [], inputs, limits.MaxBatchInputs);
        var items = resolved.Select(i => new BatchItem(i)).ToList();
        var record = new WorkflowBatchRecord
        {
            Id = Ids.New(12),
            WorkflowId = workflow.Id,
            Owner = owner,
            Concurrency = Math.Min(concurrency ?? limits.MaxBatchConcurrency, limits.MaxBatchConcurrency),
            Total = items.Count,
            Inputs = WorkflowJson.Serialize(items),
            CreatedAt = time.GetUtcNow(),
        };
        await using (var db = await database.CreateDbContextAsync(cancellationToken))
        {
            db.WorkflowBatches.Add(record);
            await db.SaveChangesAsync(cancellationToken);
        }

        LogBatchStarted(record.Id, workflow.Id, items.Count, record.Concurrency);
        _going[record.Id] = Task.Run(() => RunAsync(record, items, lifetime.ApplicationStopping), CancellationToken.None);
        return ToDto(record, workflow.Definition.Name ?? "", items, new Dictionary<string, WorkflowRunRecord>());
    }

    /// <summary>The batch with its runs as they stand; null when there is none.</summary>
    public async Task<WorkflowBatchDto?> FindAsync(string id, CancellationToken cancellationToken) =>
        await ReadAsync(id, cancellationToken) is { } read ? ToDto(read.Batch, read.WorkflowName, read.Items, read.Runs) : null;

    /// <summary>The batch's row, its items and their runs (by run id); null when there is none.</summary>
    public async Task<BatchState?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var batch = await db.WorkflowBatches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (batch is null)
        {
            return null;
        }

        var name = await db.Workflows.AsNoTracking().Where(w => w.Id == batch.WorkflowId).Select(w => w.Name).FirstOrDefaultAsync(cancellationToken);
        var batchRuns = await db.WorkflowRuns.AsNoTracking().Where(r => r.BatchId == id).ToListAsync(cancellationToken);

        // jsonb keeps no key order: the results' columns follow the workflow's parameters instead.
        var definition = await db.WorkflowVersions.AsNoTracking().Where(v => v.WorkflowId == batch.WorkflowId)
            .OrderByDescending(v => v.Version).Select(v => v.Definition).FirstOrDefaultAsync(cancellationToken);
        var parameters = definition is null ? [] : WorkflowJson.Deserialize<WorkflowDefinitionDto>(definition).Parameters?.Select(p => p.Name).ToList() ?? [];
        return new BatchState(
            batch, name ?? "", WorkflowJson.Deserialize<List<BatchItem>>(batch.Inputs), batchRuns.ToDictionary(r => r.Id, StringComparer.Ordinal), parameters);
    }

    /// <summary>Waits until the batch's background work on this node is over (tests, shutdown).</summary>
    public Task WaitAsync(string id) => _going.TryGetValue(id, out var going) ? going : Task.CompletedTask;

    private async Task RunAsync(WorkflowBatchRecord batch, List<BatchItem> items, CancellationToken stopping)
    {
        using var slots = new SemaphoreSlim(batch.Concurrency);
        var waits = new List<Task>();
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                await slots.WaitAsync(stopping);
                var (runId, error) = await StartRunAsync(batch, items[i], stopping);
                items[i] = items[i] with { RunId = runId, Error = error };
                await SaveAsync(batch, items, stopping);
                if (runId is null)
                {
                    slots.Release();
                    continue;
                }

                waits.Add(WaitThenReleaseAsync(runId, slots, stopping));
            }

            await Task.WhenAll(waits);
            batch.FinishedAt = time.GetUtcNow();
            await SaveAsync(batch, items, stopping);
            LogBatchFinished(batch.Id);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The service is stopping: the batch stays unfinished, its runs as they were left.
        }
        catch (Exception ex)
        {
            LogBatchBroken(batch.Id, ex);
        }
        finally
        {
            _going.TryRemove(batch.Id, out _);
        }
    }

    private async Task<(string? RunId, string? Error)> StartRunAsync(WorkflowBatchRecord batch, BatchItem item, CancellationToken stopping)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var run = await runs.StartAsync(
                    new WorkflowStart(batch.WorkflowId, batch.Owner, (JsonObject)item.Inputs.DeepClone(), null, WorkflowActions.BatchTrigger, batch.Id, CloseSessionWhenCompleted: true),
                    stopping);
                return (run.Id, null);
            }
            catch (SessionLimitException ex) when (attempt < MaxSessionLimitWaits)
            {
                // Other sessions hold the places: this input waits for one rather than failing.
                await Task.Delay(ex.RetryAfter > TimeSpan.Zero ? ex.RetryAfter : TimeSpan.FromSeconds(1), time, stopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                return (null, ex is WorkflowInvalidException invalid ? string.Join(" ", invalid.Problems) : ex.Message);
            }
        }
    }

    private async Task WaitThenReleaseAsync(string runId, SemaphoreSlim slots, CancellationToken stopping)
    {
        try
        {
            await runs.WaitAsync(runId, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The run is the runner's to report; the batch only needs its slot back.
            LogRunWaitFailed(runId, ex);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task SaveAsync(WorkflowBatchRecord batch, List<BatchItem> items, CancellationToken cancellationToken)
    {
        batch.Inputs = WorkflowJson.Serialize(items);
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        db.WorkflowBatches.Update(batch);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static WorkflowBatchDto ToDto(WorkflowBatchRecord batch, string workflowName, List<BatchItem> items, IReadOnlyDictionary<string, WorkflowRunRecord> batchRuns)
    {
        var rows = items.Select(item => BatchRows.Summary(batch, item, batchRuns)).ToList();
        int Count(Func<string, bool> which) => rows.Count(r => which(r.Status));
        return new WorkflowBatchDto(
            batch.Id, batch.WorkflowId, workflowName, batch.Owner, batch.Concurrency, batch.Total,
            Completed: Count(s => s == WorkflowRunStatuses.Completed),
            Failed: Count(s => s is WorkflowRunStatuses.Failed or WorkflowRunStatuses.Cancelled),
            Running: Count(s => !WorkflowRunStatuses.IsFinal(s) && s != WorkflowRunStatuses.Queued),
            Queued: Count(s => s == WorkflowRunStatuses.Queued),
            rows, batch.CreatedAt, batch.FinishedAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow batch {BatchId} of workflow {WorkflowId} started: {Total} input(s), {Concurrency} at a time")]
    private partial void LogBatchStarted(string batchId, string workflowId, int total, int concurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow batch {BatchId} finished")]
    private partial void LogBatchFinished(string batchId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow batch {BatchId} stopped on an error")]
    private partial void LogBatchBroken(string batchId, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow batch: waiting for run {RunId} failed")]
    private partial void LogRunWaitFailed(string runId, Exception error);
}

/// <summary>A batch as stored: its row, its items in input order, the runs made for them by id, and the parameters' names in order.</summary>
public sealed record BatchState(
    WorkflowBatchRecord Batch, string WorkflowName, List<BatchItem> Items, IReadOnlyDictionary<string, WorkflowRunRecord> Runs, IReadOnlyList<string> Parameters);
