using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Workflows.Definitions;

namespace OperaStudio.BrowserService.Workflows.Storage;

/// <summary>
/// Stored workflows in PostgreSQL: each edit adds a version (versions are never changed), deleting hides the workflow
/// but keeps its row and versions, so its past runs stay readable and resumable.
/// </summary>
public sealed class WorkflowCatalog(IDbContextFactory<OperaDbContext> database, IOptions<WorkflowOptions> options, TimeProvider time) : IWorkflowCatalog
{
    public async Task<WorkflowDto> CreateAsync(string owner, WorkflowDefinitionDto definition, CancellationToken cancellationToken)
    {
        var clean = Normalize(definition);
        var now = time.GetUtcNow();
        var record = new WorkflowRecord
        {
            Id = Ids.New(12),
            Owner = owner,
            Name = clean.Name!,
            Description = clean.Description,
            Version = 1,
            StepCount = clean.Steps!.Count,
            Schedule = clean.Schedule,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        db.Workflows.Add(record);
        db.WorkflowVersions.Add(new WorkflowVersionRecord
        {
            WorkflowId = record.Id, Version = 1, Definition = WorkflowJson.Serialize(clean), CreatedAt = now, CreatedBy = owner,
        });
        await db.SaveChangesAsync(cancellationToken);
        return new WorkflowDto(record.Id, owner, 1, clean, now, now, null);
    }

    public async Task<WorkflowDto?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var record = await db.Workflows.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id && w.DeletedAt == null, cancellationToken);
        return record is null ? null : await ToDtoAsync(db, record, cancellationToken);
    }

    public async Task<IReadOnlyList<WorkflowDto>> ScheduledAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var records = await db.Workflows.AsNoTracking().Where(w => w.DeletedAt == null && w.Schedule != null).ToListAsync(cancellationToken);
        var found = new List<WorkflowDto>();
        foreach (var record in records)
        {
            found.Add(await ToDtoAsync(db, record, cancellationToken));
        }

        return found;
    }

    /// <summary>The workflow's row, deleted or not (a run's reader needs its name and owner either way).</summary>
    public async Task<WorkflowRecord?> RecordAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        return await db.Workflows.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
    }

    /// <summary>The live workflows of <paramref name="owner"/> (every owner's when null), newest edit first.</summary>
    public async Task<IReadOnlyList<WorkflowSummaryDto>> ListAsync(string? owner, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var query = db.Workflows.AsNoTracking().Where(w => w.DeletedAt == null);
        if (owner is not null)
        {
            query = query.Where(w => w.Owner == owner);
        }

        var records = await query.OrderByDescending(w => w.UpdatedAt).Take(1000).ToListAsync(cancellationToken);
        var ids = records.Select(r => r.Id).ToList();
        // The latest run of each, in one query.
        var lastRuns = await db.WorkflowRuns.AsNoTracking()
            .Where(r => ids.Contains(r.WorkflowId))
            .GroupBy(r => r.WorkflowId)
            .Select(g => g.OrderByDescending(r => r.StartedAt).First())
            .ToListAsync(cancellationToken);
        var byWorkflow = lastRuns.ToDictionary(r => r.WorkflowId, RunMapping.ToSummary);
        return [.. records.Select(r => new WorkflowSummaryDto(
            r.Id, r.Name, r.Description, r.Owner, r.Version, r.StepCount, r.Schedule, r.UpdatedAt, byWorkflow.GetValueOrDefault(r.Id)))];
    }

    /// <summary>Stores <paramref name="definition"/> as the next version; null when there is no such workflow.</summary>
    public async Task<WorkflowDto?> UpdateAsync(string id, WorkflowDefinitionDto definition, string by, CancellationToken cancellationToken)
    {
        var clean = Normalize(definition);
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var record = await db.Workflows.FirstOrDefaultAsync(w => w.Id == id && w.DeletedAt == null, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        record.Version++;
        record.Name = clean.Name!;
        record.Description = clean.Description;
        record.StepCount = clean.Steps!.Count;
        record.Schedule = clean.Schedule;
        record.UpdatedAt = now;
        db.WorkflowVersions.Add(new WorkflowVersionRecord
        {
            WorkflowId = id, Version = record.Version, Definition = WorkflowJson.Serialize(clean), CreatedAt = now, CreatedBy = by,
        });
        // Two edits at once both read the same version: the second's insert of that version fails on the key.
        await db.SaveChangesAsync(cancellationToken);
        return await ToDtoAsync(db, record, cancellationToken);
    }

    /// <summary>Hides the workflow (its versions and runs stay); false when there is none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        return await db.Workflows.Where(w => w.Id == id && w.DeletedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(w => w.DeletedAt, now), cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<WorkflowVersionDto>> VersionsAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var versions = await db.WorkflowVersions.AsNoTracking().Where(v => v.WorkflowId == id).OrderByDescending(v => v.Version).ToListAsync(cancellationToken);
        return [.. versions.Select(v => new WorkflowVersionDto(v.Version, WorkflowJson.Deserialize<WorkflowDefinitionDto>(v.Definition), v.CreatedAt, v.CreatedBy))];
    }

    /// <summary>One version's definition (the current one when <paramref name="version"/> is null); null when there is none.</summary>
    public async Task<WorkflowDefinitionDto?> DefinitionAsync(string id, int? version, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var number = version ?? await db.Workflows.Where(w => w.Id == id).Select(w => (int?)w.Version).FirstOrDefaultAsync(cancellationToken);
        var stored = number is null ? null : await db.WorkflowVersions.AsNoTracking()
            .Where(v => v.WorkflowId == id && v.Version == number).Select(v => v.Definition).FirstOrDefaultAsync(cancellationToken);
        return stored is null ? null : WorkflowJson.Deserialize<WorkflowDefinitionDto>(stored);
    }

    /// <summary>Checked (every problem listed) and tidied: names trimmed, absent lists empty.</summary>
    private WorkflowDefinitionDto Normalize(WorkflowDefinitionDto definition)
    {
        DefinitionValidator.Check(definition, options.Value);
        return definition with
        {
            Name = definition.Name!.Trim(),
            Description = string.IsNullOrWhiteSpace(definition.Description) ? null : definition.Description.Trim(),
            Parameters = definition.Parameters ?? [],
            Steps = definition.Steps ?? [],
            Schedule = string.IsNullOrWhiteSpace(definition.Schedule) ? null : definition.Schedule.Trim(),
            ScheduleInputs = definition.ScheduleInputs is { ValueKind: JsonValueKind.Object } inputs ? inputs : null,
        };
    }

    private static async Task<WorkflowDto> ToDtoAsync(OperaDbContext db, WorkflowRecord record, CancellationToken cancellationToken)
    {
        var definition = await db.WorkflowVersions.AsNoTracking()
            .Where(v => v.WorkflowId == record.Id && v.Version == record.Version).Select(v => v.Definition).FirstAsync(cancellationToken);
        var lastRun = await db.WorkflowRuns.AsNoTracking().Where(r => r.WorkflowId == record.Id)
            .OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(cancellationToken);
        return new WorkflowDto(
            record.Id, record.Owner, record.Version, WorkflowJson.Deserialize<WorkflowDefinitionDto>(definition), record.CreatedAt, record.UpdatedAt,
            lastRun is null ? null : RunMapping.ToSummary(lastRun));
    }
}
