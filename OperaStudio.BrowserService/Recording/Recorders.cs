using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// The recordings of this node: starts and stops them (a session that ends stops its own; with
/// <c>Recording:Mode=Always</c> every session that starts, or is restored, gets a new one), tells the session's viewers,
/// and at start repairs recordings a dead process left in state <c>recording</c>: they become <c>interrupted</c>, cut
/// back to their last whole frame.
/// </summary>
internal sealed partial class Recorders(
    SessionManager sessions,
    LiveViews views,
    HistoryRecorder history,
    IDbContextFactory<OperaDbContext> factory,
    DatabaseInitializer database,
    IHubContext<LiveViewHub, ILiveViewClient> hub,
    IOptions<RecordingOptions> options,
    BrowserServiceMetrics metrics,
    TimeProvider time,
    ILogger<Recorders> logger) : IHostedService, IDisposable
{
    /// <summary>A click is written once the page has described it, up to seconds later: a stopped recording still takes it.</summary>
    private static readonly TimeSpan LateEvents = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, Active> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SessionRecorder> _late = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _repair = Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    private sealed record Active(SessionRecorder Recorder, BrowserSession Session, Action<SessionEvent> Handler);

    public RecordingOptions Options => options.Value;

    public string Root => options.Value.ResolvePath();

    /// <summary>The recording a session has running on this node.</summary>
    public SessionRecorder? ForSession(string sessionId) => _active.GetValueOrDefault(sessionId)?.Recorder;

    /// <summary>A recording running on this node, by its id.</summary>
    public SessionRecorder? Find(string recordingId) => _active.Values.FirstOrDefault(a => a.Recorder.Id == recordingId)?.Recorder;

    public IEnumerable<SessionRecorder> All => _active.Values.Select(a => a.Recorder);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        history.Queued += OnHistory;
        sessions.SessionStarted += OnSessionStarted;
        _repair = RepairInterruptedAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Recordings stop before the sessions are suspended: everything queued is written, they end as finished.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        sessions.SessionStarted -= OnSessionStarted;
        await _stopping.CancelAsync();
        await Task.WhenAll(_active.Keys.Select(id => StopAsync(id, RecordingStates.Finished)));
        await Task.WhenAll(_pending.Keys);
        history.Queued -= OnHistory;
        try
        {
            await _repair;
        }
        catch (OperationCanceledException)
        {
            // Stopped before PostgreSQL was there: the next start repairs them.
        }
    }

    /// <summary>Starts recording the session, or answers the recording it already has.</summary>
    /// <exception cref="RecordingOffException">With <c>Recording:Mode=Off</c>.</exception>
    public async Task<RecordingDto> StartAsync(BrowserSession session, string? startedBy, CancellationToken cancellationToken)
    {
        if (options.Value.Mode == RecordingMode.Off)
        {
            throw new RecordingOffException();
        }

        var gate = _gates.GetOrAdd(session.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_active.TryGetValue(session.Id, out var running))
            {
                return running.Recorder.ToDto(RecordingStates.Recording);
            }

            var stream = views.Find(session.Id);
            if (session.IsClosed || stream is null)
            {
                throw new InvalidOperationException($"Session {session.Id} has ended.");
            }

            var record = new RecordingRecord
            {
                Id = Ids.New(), SessionId = session.Id, Owner = session.Owner, StartedBy = startedBy, State = RecordingStates.Recording,
                StartedAt = time.GetUtcNow(), Width = session.Viewport.Width, Height = session.Viewport.Height,
                Title = session.ActiveTab.ToDto().Title,
            };
            var directory = FrameStore.DirectoryOf(Root, record.Id);
            var recorder = new SessionRecorder(record, directory, session, options.Value, history, metrics, time, logger);
            try
            {
                await database.WaitUntilReadyAsync(cancellationToken);
                await using var db = await factory.CreateDbContextAsync(cancellationToken);
                db.Recordings.Add(record);
                await db.SaveChangesAsync(cancellationToken);
            }
            catch
            {
                TryDeleteDirectory(directory);
                throw;
            }

            recorder.Start();
            var active = new Active(recorder, session, e => OnSessionEvent(session.Id, recorder, e));
            _active[session.Id] = active;
            session.Events += active.Handler;
            metrics.RecordingStarted();
            LogStarted(record.Id, session.Id, startedBy ?? "Recording:Mode=Always");
            await stream.AddSinkAsync(recorder.OnFrame);
            var dto = recorder.ToDto(RecordingStates.Recording);
            await TellViewersAsync(session.Id, dto);
            if (session.IsClosed)
            {
                // It ended while this started: its end event may have come before the handler was there.
                Track(StopAsync(session.Id, RecordingStates.Finished));
            }

            return dto;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops the session's recording; null when it had none.</summary>
    public async Task<RecordingDto?> StopAsync(string sessionId, string state = RecordingStates.Finished)
    {
        var gate = _gates.GetOrAdd(sessionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            if (!_active.TryRemove(sessionId, out var active))
            {
                return null;
            }

            var recorder = active.Recorder;
            active.Session.Events -= active.Handler;
            if (views.Find(sessionId) is { } stream)
            {
                await stream.RemoveSinkAsync(recorder.OnFrame);
            }

            await recorder.StopAsync();
            metrics.RecordingStopped();
            _late[recorder.Id] = recorder;
            Track(ForgetLaterAsync(recorder.Id));
            var final = recorder.Final(state);
            await SaveFinalAsync(final);
            LogStopped(recorder.Id, sessionId, final.Frames, final.Bytes);
            await TellViewersAsync(sessionId, null);
            return recorder.ToDto(state);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Deletes a recording: its files, events and row (a running one is stopped first). False when there was no such row.
    /// </summary>
    public async Task<bool> DeleteAsync(RecordingRecord record, CancellationToken cancellationToken)
    {
        if (ForSession(record.SessionId) is { } running && running.Id == record.Id)
        {
            await StopAsync(record.SessionId);
        }

        _late.TryRemove(record.Id, out _);
        TryDeleteDirectory(FrameStore.DirectoryOf(Root, record.Id));
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.RecordingEvents.Where(e => e.RecordingId == record.Id).ExecuteDeleteAsync(cancellationToken);
        var deleted = await db.Recordings.Where(r => r.Id == record.Id).ExecuteDeleteAsync(cancellationToken) > 0;
        // Events still queued in the history writer may land after this; they are removed with the next retention pass.
        LogDeleted(record.Id, record.SessionId);
        return deleted;
    }

    /// <summary>The row as lists show it: a running recording's live figures over the stored ones.</summary>
    public RecordingDto ToDto(RecordingRecord r) =>
        Find(r.Id)?.ToDto(RecordingStates.Recording)
        ?? new RecordingDto(r.Id, r.SessionId, r.Owner, r.StartedBy, r.State, r.StartedAt, r.EndedAt, r.DurationMs, r.Bytes, r.Frames, r.Width, r.Height, r.Title);

    private void OnSessionStarted(BrowserSession session)
    {
        if (options.Value.Mode == RecordingMode.Always)
        {
            Track(StartAlwaysAsync(session));
        }
    }

    private async Task StartAlwaysAsync(BrowserSession session)
    {
        // The live view subscribes to the same event: let it create the session's stream first.
        await Task.Yield();
        try
        {
            await StartAsync(session, null, _stopping.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAlwaysFailed(ex, session.Id);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private void OnSessionEvent(string sessionId, SessionRecorder recorder, SessionEvent e)
    {
        if (e is SessionEnded)
        {
            Track(StopAsync(sessionId, RecordingStates.Finished));
            return;
        }

        recorder.OnSessionEvent(e);
    }

    private void OnHistory(HistoryItem item)
    {
        if (item is HistoryItem.RecordingEvent)
        {
            return;
        }

        if (_active.TryGetValue(item.SessionId, out var active))
        {
            active.Recorder.OnHistory(item);
        }

        if (!_late.IsEmpty)
        {
            foreach (var late in _late.Values.Where(l => l.SessionId == item.SessionId))
            {
                late.OnHistory(item);
            }
        }
    }

    private async Task ForgetLaterAsync(string recordingId)
    {
        try
        {
            await Task.Delay(LateEvents, time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _late.TryRemove(recordingId, out _);
    }

    private async Task SaveFinalAsync(RecordingRecord final)
    {
        try
        {
            await database.WaitUntilReadyAsync();
            await using var db = await factory.CreateDbContextAsync();
            await db.Recordings.Where(r => r.Id == final.Id).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.State, final.State)
                .SetProperty(r => r.EndedAt, final.EndedAt)
                .SetProperty(r => r.DurationMs, final.DurationMs)
                .SetProperty(r => r.Bytes, final.Bytes)
                .SetProperty(r => r.Frames, final.Frames)
                .SetProperty(r => r.Width, final.Width)
                .SetProperty(r => r.Height, final.Height));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The files are complete; the next start finds the row still recording and repairs it from them.
            LogSaveFailed(ex, final.Id);
        }
    }

    private async Task RepairInterruptedAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await database.WaitUntilReadyAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // Migrations have not finished in 30 s: wait for them as long as this runs.
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken);
                try
                {
                    await database.WaitUntilReadyAsync(cancellationToken);
                    break;
                }
                catch (InvalidOperationException)
                {
                }
            }
        }

        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var left = await db.Recordings.Where(r => r.State == RecordingStates.Recording).ToListAsync(cancellationToken);
            foreach (var record in left)
            {
                var directory = FrameStore.DirectoryOf(Root, record.Id);
                // Another node's (its files are elsewhere), or one this process runs.
                if (!Directory.Exists(directory) || Find(record.Id) is not null || _late.ContainsKey(record.Id))
                {
                    continue;
                }

                var summary = FrameStore.Repair(directory);
                await db.Recordings.Where(r => r.Id == record.Id && r.State == RecordingStates.Recording).ExecuteUpdateAsync(set => set
                    .SetProperty(r => r.State, RecordingStates.Interrupted)
                    .SetProperty(r => r.EndedAt, record.StartedAt.AddMilliseconds(summary.DurationMs))
                    .SetProperty(r => r.DurationMs, summary.DurationMs)
                    .SetProperty(r => r.Bytes, summary.Bytes)
                    .SetProperty(r => r.Frames, summary.Frames)
                    .SetProperty(r => r.Width, summary.Frames > 0 ? summary.Width : record.Width)
                    .SetProperty(r => r.Height, summary.Frames > 0 ? summary.Height : record.Height), cancellationToken);
                LogRepaired(record.Id, summary.Frames, summary.DurationMs);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRepairFailed(ex);
        }
    }

    private async Task TellViewersAsync(string sessionId, RecordingDto? recording)
    {
        try
        {
            await hub.Clients.Group(SessionStream.GroupName(sessionId)).RecordingChanged(sessionId, recording);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            LogTellFailed(ex, sessionId);
        }
    }

    private void Track(Task task)
    {
        _pending[task] = 0;
        _ = task.ContinueWith(t => _pending.TryRemove(t, out _), TaskScheduler.Default);
    }

    private void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(ex, directory);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingId} of session {SessionId} started by {StartedBy}")]
    private partial void LogStarted(string recordingId, string sessionId, string startedBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingId} of session {SessionId} stopped: {Frames} frame(s), {Bytes} bytes")]
    private partial void LogStopped(string recordingId, string sessionId, int frames, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingId} of session {SessionId} deleted")]
    private partial void LogDeleted(string recordingId, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {RecordingId} was left recording by a process that died: kept {Frames} frame(s), {DurationMs} ms, as interrupted")]
    private partial void LogRepaired(string recordingId, int frames, double durationMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Repairing interrupted recordings failed")]
    private partial void LogRepairFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {RecordingId}: saving its final figures failed; the next start repairs it from its files")]
    private partial void LogSaveFailed(Exception exception, string recordingId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: Recording:Mode=Always could not start its recording")]
    private partial void LogAlwaysFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: telling viewers about its recording failed")]
    private partial void LogTellFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting the recording files in {Directory} failed")]
    private partial void LogDeleteFailed(Exception exception, string directory);
}
