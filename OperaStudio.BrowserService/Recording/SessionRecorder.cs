using System.Collections.Concurrent;
using System.Threading.Channels;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// One recording in progress. Frames arrive on the screencast's thread and only go into a bounded queue; a writer task
/// appends them to the frame files and flushes every <see cref="RecordingOptions.FlushIntervalMilliseconds"/>. Events go
/// to the history writer's queue. Nothing here ever makes the session or its viewers wait.
/// </summary>
internal sealed partial class SessionRecorder
{
    private readonly RecordingRecord _record;
    private readonly Channel<FrameMessage> _frames;
    private readonly HistoryRecorder _history;
    private readonly BrowserServiceMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _flushInterval;
    private readonly double _startedAtUnixMs;
    private readonly Lock _tabsGate = new();
    private readonly BrowserSession _session;
    private readonly ConcurrentDictionary<string, Task<string?>> _refNames = new(StringComparer.Ordinal);
    private Task _writing = Task.CompletedTask;
    private SessionDto? _lastTabs;
    private long _dropped;
    private int _frameCount;
    private long _bytes;
    private int _width;
    private int _height;

    public SessionRecorder(
        RecordingRecord record, string directory, BrowserSession session, RecordingOptions options, HistoryRecorder history,
        BrowserServiceMetrics metrics, TimeProvider time, ILogger logger)
    {
        _session = session;
        _record = record;
        _history = history;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _lastTabs = session.ToDto();
        _flushInterval = TimeSpan.FromMilliseconds(options.FlushIntervalMilliseconds);
        _startedAtUnixMs = record.StartedAt.ToUnixTimeMilliseconds();
        Directory = directory;
        _frames = Channel.CreateBounded<FrameMessage>(
            new BoundedChannelOptions(options.MaxPendingFrames) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    public string Id => _record.Id;

    public string SessionId => _record.SessionId;

    public string? Owner => _record.Owner;

    public DateTimeOffset StartedAt => _record.StartedAt;

    public string Directory { get; }

    /// <summary>When it stopped (events dated before it still belong to it: a click is described after it happened).</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>
    /// The frame sink the session's stream calls; it only queues. Frames well narrower than the viewport are not the
    /// page at its size (measured: a 320×180 frame comes through the screencast while a step's thumbnail is taken) and
    /// are left out: the player would show them stretched.
    /// </summary>
    public void OnFrame(FrameMessage frame)
    {
        var viewport = _session.Viewport;
        if (frame.Width >= viewport.Width * viewport.DeviceScaleFactor * 0.75)
        {
            _frames.Writer.TryWrite(frame);
        }
    }

    /// <summary>Creates the frame files and starts writing.</summary>
    public void Start()
    {
        var writer = new FrameWriter(Directory);
        _writing = Task.Run(() => WriteFramesAsync(writer));
    }

    /// <summary>Writes the frames still queued, flushes, closes the files.</summary>
    public async Task StopAsync()
    {
        EndedAt ??= _time.GetUtcNow();
        _frames.Writer.TryComplete();
        await _writing;
    }

    public void OnHistory(HistoryItem item)
    {
        if (MomentMapper.From(item) is { } moment)
        {
            Add(moment);
        }
    }

    public void OnSessionEvent(SessionEvent e)
    {
        if (e is TabsChanged changed)
        {
            foreach (var tab in TabMoments(changed.Session))
            {
                Add(tab);
            }

            return;
        }

        if (e is AgentStepChanged { IsFinal: false, Step: { Status: "running" } started } && RefNames.RefOf(started.Arguments) is { } reference)
        {
            _refNames.TryAdd(started.Id, RefNames.DescribeAsync(_session, reference));
            return;
        }

        if (MomentMapper.From(e, _time.GetUtcNow()) is not { } moment)
        {
            return;
        }

        if (e is AgentStepChanged { Step.Id: var stepId } && _refNames.TryRemove(stepId, out var naming))
        {
            _ = AddNamedAsync(moment, naming);
            return;
        }

        Add(moment);
    }

    /// <summary>A step that named its element by ref, once the element's description is known (or could not be).</summary>
    private async Task AddNamedAsync(RecordedMoment moment, Task<string?> naming)
    {
        var description = await naming;
        Add(description is null || moment.Detail is null ? moment : moment with { Detail = RefNames.WithDescription(moment.Detail, description) });
    }

    /// <summary>Opened, closed and switched tabs, from the difference to the tabs seen last.</summary>
    private List<RecordedMoment> TabMoments(SessionDto now)
    {
        var at = _time.GetUtcNow();
        var moments = new List<RecordedMoment>();
        lock (_tabsGate)
        {
            var before = _lastTabs;
            _lastTabs = now;
            var had = before?.Tabs.Select(t => t.Id).ToHashSet(StringComparer.Ordinal) ?? [];
            var has = now.Tabs.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            moments.AddRange(now.Tabs.Where(t => !had.Contains(t.Id)).Select(t =>
                new RecordedMoment(at, MomentKinds.Tab, MomentKinds.Page, t.Id, "tab opened", t.Url)));
            moments.AddRange(had.Where(id => !has.Contains(id)).Select(id =>
                new RecordedMoment(at, MomentKinds.Tab, MomentKinds.Page, id, "tab closed")));
            if (before is not null && before.ActiveTabId != now.ActiveTabId && now.Tabs.FirstOrDefault(t => t.Id == now.ActiveTabId) is { } active)
            {
                moments.Add(new RecordedMoment(at, MomentKinds.Tab, MomentKinds.Page, active.Id, "tab switched", active.Title.Length > 0 ? active.Title : active.Url));
            }
        }

        return moments;
    }

    private void Add(RecordedMoment moment)
    {
        // Late moments (a click described after the stop) still count when they happened while recording.
        if (moment.At < StartedAt.AddMilliseconds(-500) || (EndedAt is { } end && moment.At > end))
        {
            return;
        }

        _history.Write(SessionId, new RecordingEventRecord
        {
            RecordingId = Id, AtMs = Math.Max(0, (moment.At - StartedAt).TotalMilliseconds), Kind = moment.Kind, Actor = moment.Actor,
            TabId = moment.TabId, Title = moment.Title, Detail = moment.Detail, Outcome = moment.Outcome, User = moment.User,
            Tool = moment.Tool, ThumbnailUrl = moment.ThumbnailUrl,
        });
    }

    private async Task WriteFramesAsync(FrameWriter writer)
    {
        var reader = _frames.Reader;
        var nextFlush = _time.GetTimestamp();
        var more = true;
        try
        {
            while (more)
            {
                using (var wait = new CancellationTokenSource(_flushInterval, _time))
                {
                    try
                    {
                        more = await reader.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // A second without frames: flush (the clock moves on for a static page).
                    }
                }

                while (reader.TryRead(out var frame))
                {
                    Append(writer, frame);
                }

                if (!more || _time.GetElapsedTime(nextFlush) >= _flushInterval)
                {
                    writer.Flush(ElapsedMs());
                    nextFlush = _time.GetTimestamp();
                }
            }
        }
        catch (IOException ex)
        {
            // A full or failing disk ends this recording's frames; the session goes on, and so do its events.
            LogWriteFailed(ex, Id);
        }
        finally
        {
            writer.Dispose();
            if (Interlocked.Exchange(ref _dropped, 0) is var dropped and > 0)
            {
                LogFramesDropped(Id, dropped);
            }
        }
    }

    private void Append(FrameWriter writer, FrameMessage frame)
    {
        writer.Append(frame.CapturedAtMs - _startedAtUnixMs, frame.Data, frame.Width, frame.Height);
        Volatile.Write(ref _frameCount, writer.Frames);
        Interlocked.Exchange(ref _bytes, writer.Bytes);
        (_width, _height) = (frame.Width, frame.Height);
        _metrics.FrameRecorded(frame.Data.Length);
    }

    private double ElapsedMs() => Math.Max(0, ((EndedAt ?? _time.GetUtcNow()) - StartedAt).TotalMilliseconds);

    /// <summary>The recording as it stands (live figures while recording).</summary>
    public RecordingDto ToDto(string state) => new(
        Id, SessionId, Owner, _record.StartedBy, state, StartedAt, EndedAt, ElapsedMs(), Interlocked.Read(ref _bytes), Volatile.Read(ref _frameCount),
        _width, _height, _record.Title);

    /// <summary>The row as it is stored once the recording stopped.</summary>
    public RecordingRecord Final(string state)
    {
        var dto = ToDto(state);
        _record.State = state;
        _record.EndedAt = EndedAt;
        _record.DurationMs = dto.DurationMs;
        _record.Bytes = dto.Bytes;
        _record.Frames = dto.Frames;
        _record.Width = dto.Width;
        _record.Height = dto.Height;
        return _record;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording {RecordingId}: writing frames failed; the recording keeps what was written")]
    private partial void LogWriteFailed(Exception exception, string recordingId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {RecordingId}: the disk fell behind; {Dropped} frame(s) were dropped")]
    private partial void LogFramesDropped(string recordingId, long dropped);
}
