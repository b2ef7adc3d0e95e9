using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Data;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// Keeps recordings within <see cref="RecordingOptions.MaxAgeDays"/> and <see cref="RecordingOptions.MaxTotalMegabytes"/>:
/// those past the age go, then the oldest until all of them together fit. A recording being written is never deleted
/// (it counts towards the total, though). Runs shortly after start and then every
/// <see cref="RecordingOptions.RetentionIntervalSeconds"/>.
/// </summary>
internal sealed partial class RecordingRetention(
    Recorders recorders, IDbContextFactory<OperaDbContext> factory, DatabaseInitializer database, IOptions<RecordingOptions> options,
    TimeProvider time, ILogger<RecordingRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await database.WaitUntilReadyAsync(stoppingToken);
                    var o = options.Value;
                    await SweepAsync(
                        o.MaxAgeDays > 0 ? TimeSpan.FromDays(o.MaxAgeDays) : null,
                        o.MaxTotalMegabytes > 0 ? (long)(o.MaxTotalMegabytes * 1024 * 1024) : null,
                        stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(ex);
                }

                await Task.Delay(TimeSpan.FromSeconds(options.Value.RetentionIntervalSeconds), time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass; returns the ids deleted, oldest first.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync(TimeSpan? maxAge, long? maxTotalBytes, CancellationToken cancellationToken)
    {
        List<Data.Records.RecordingRecord> all;
        await using (var db = await factory.CreateDbContextAsync(cancellationToken))
        {
            all = await db.Recordings.AsNoTracking().OrderBy(r => r.StartedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        }

        var deleted = new List<string>();
        var cutoff = maxAge is { } age ? time.GetUtcNow() - age : DateTimeOffset.MinValue;
        var total = all.Sum(r => recorders.ToDto(r).Bytes);
        foreach (var record in all)
        {
            if (recorders.Find(record.Id) is not null || record.State == RecordingStates.Recording)
            {
                continue;
            }

            var tooOld = record.StartedAt < cutoff;
            var overBudget = maxTotalBytes is { } budget && total > budget;
            if (!tooOld && !overBudget)
            {
                // Oldest first: everything after this one is newer, and the total fits.
                if (maxTotalBytes is null || total <= maxTotalBytes)
                {
                    continue;
                }
            }

            await recorders.DeleteAsync(record, cancellationToken);
            total -= record.Bytes;
            deleted.Add(record.Id);
            LogDeleted(record.Id, tooOld ? "age" : "total size");
        }

        await DeleteOrphanEventsAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Events the history queue wrote after their recording was deleted.</summary>
    private async Task DeleteOrphanEventsAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.RecordingEvents.Where(e => !db.Recordings.Any(r => r.Id == e.RecordingId)).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted recording {RecordingId} (its {Reason})")]
    private partial void LogDeleted(string recordingId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A retention pass over the recordings failed; the next one tries again")]
    private partial void LogSweepFailed(Exception exception);
}
