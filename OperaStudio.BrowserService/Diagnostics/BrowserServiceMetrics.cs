using System.Diagnostics.Metrics;

namespace OperaStudio.BrowserService.Diagnostics;

/// <summary>
/// The browser service's own metrics (meter <c>OperaStudio.BrowserService</c>, exported over OTLP with the rest):
/// counters for what happens on the hot paths, and the totals the operations view reads.
/// </summary>
public sealed class BrowserServiceMetrics : IDisposable
{
    public const string MeterName = "OperaStudio.BrowserService";

    private readonly Meter _meter;
    private readonly Counter<long> _framesSent;
    private readonly Counter<long> _frameBytes;
    private readonly Counter<long> _inputEvents;
    private readonly Counter<long> _agentSteps;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _framesDropped;
    private readonly Histogram<double> _inputToFrame;
    private readonly Counter<long> _historyDropped;
    private readonly Counter<long> _savesRefused;
    private readonly Counter<long> _framesRecorded;
    private readonly Counter<long> _bytesRecorded;
    private long _framesRecordedTotal;
    private long _bytesRecordedTotal;
    private long _recordingsActive;
    private long _framesSentTotal;
    private long _frameBytesTotal;
    private long _inputEventsTotal;
    private long _agentStepsTotal;
    private long _created;
    private long _restored;
    private long _released;
    private long _framesDroppedTotal;
    private long _historyDroppedTotal;
    private long _savesRefusedTotal;

    public BrowserServiceMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _framesSent = _meter.CreateCounter<long>("opera.frames.sent", "{frame}", "Screencast frames sent to viewers");
        _frameBytes = _meter.CreateCounter<long>("opera.frames.bytes", "By", "JPEG bytes of the frames sent to viewers");
        _inputEvents = _meter.CreateCounter<long>("opera.input.events", "{event}", "Pointer, wheel, key and paste events from viewers");
        _agentSteps = _meter.CreateCounter<long>("opera.agent.steps", "{step}", "Agent and actions-API tool steps finished");
        _sessions = _meter.CreateCounter<long>("opera.sessions.lifecycle", "{session}", "Sessions created, restored and released");
        _framesDropped = _meter.CreateCounter<long>(
            "opera.frames.dropped", "{frame}", "Frames replaced by a newer one before a viewer could take them (latest frame wins)");
        _inputToFrame = _meter.CreateHistogram(
            "opera.input_to_frame.duration", "ms",
            "From a click, key, wheel or paste reaching the service to the next frame Chromium paints (the server's share of input to pixel)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 20, 35, 50, 75, 100, 150, 250, 400, 700, 1000] });
        _historyDropped = _meter.CreateCounter<long>(
            "opera.history.dropped", "{record}",
            "History records not written: refused by PostgreSQL for their data (reason=invalid), or pushed out of a full queue (reason=queue-full)");
        _savesRefused = _meter.CreateCounter<long>(
            "opera.sessions.saves_refused", "{save}", "Session saves PostgreSQL refused for their data (not retried until the session changes)");
        _framesRecorded = _meter.CreateCounter<long>("opera.recording.frames", "{frame}", "Frames written to recordings");
        _bytesRecorded = _meter.CreateCounter<long>("opera.recording.bytes", "By", "JPEG bytes written to recordings");
        _meter.CreateObservableUpDownCounter("opera.recordings.active", () => RecordingsActive, "{recording}", "Recordings being written on this node");
        FrameRate = new RateMeter(() => FramesSent);
        _meter.CreateObservableGauge("opera.frames.rate", FrameRate.PerSecond, "{frame}/s", "Frames sent to viewers per second");
    }

    /// <summary>Frames sent per second, over the last couple of seconds.</summary>
    public RateMeter FrameRate { get; }

    public long FramesDropped => Interlocked.Read(ref _framesDroppedTotal);

    public Meter Meter => _meter;

    public long FramesSent => Interlocked.Read(ref _framesSentTotal);

    public long FrameBytes => Interlocked.Read(ref _frameBytesTotal);

    public long InputEvents => Interlocked.Read(ref _inputEventsTotal);

    public long AgentSteps => Interlocked.Read(ref _agentStepsTotal);

    public long SessionsCreated => Interlocked.Read(ref _created);

    public long SessionsRestored => Interlocked.Read(ref _restored);

    public long SessionsReleased => Interlocked.Read(ref _released);

    public long HistoryDropped => Interlocked.Read(ref _historyDroppedTotal);

    public long SessionSavesRefused => Interlocked.Read(ref _savesRefusedTotal);

    public long FramesRecorded => Interlocked.Read(ref _framesRecordedTotal);

    public long BytesRecorded => Interlocked.Read(ref _bytesRecordedTotal);

    public long RecordingsActive => Interlocked.Read(ref _recordingsActive);

    public void FrameRecorded(int bytes)
    {
        Interlocked.Increment(ref _framesRecordedTotal);
        Interlocked.Add(ref _bytesRecordedTotal, bytes);
        _framesRecorded.Add(1);
        _bytesRecorded.Add(bytes);
    }

    public void RecordingStarted() => Interlocked.Increment(ref _recordingsActive);

    public void RecordingStopped() => Interlocked.Decrement(ref _recordingsActive);

    /// <summary>A history record given up: <c>invalid</c> (its data was refused) or <c>queue-full</c>.</summary>
    public void HistoryRecordDropped(string reason)
    {
        Interlocked.Increment(ref _historyDroppedTotal);
        _historyDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void SessionSaveRefused()
    {
        Interlocked.Increment(ref _savesRefusedTotal);
        _savesRefused.Add(1);
    }

    public void FrameSent(int bytes)
    {
        Interlocked.Increment(ref _framesSentTotal);
        Interlocked.Add(ref _frameBytesTotal, bytes);
        _framesSent.Add(1);
        _frameBytes.Add(bytes);
    }

    public void FrameDropped()
    {
        Interlocked.Increment(ref _framesDroppedTotal);
        _framesDropped.Add(1);
    }

    public void InputToFrame(TimeSpan elapsed) => _inputToFrame.Record(elapsed.TotalMilliseconds);

    public void InputEvent()
    {
        Interlocked.Increment(ref _inputEventsTotal);
        _inputEvents.Add(1);
    }

    public void AgentStep(string outcome)
    {
        Interlocked.Increment(ref _agentStepsTotal);
        _agentSteps.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void SessionCreated() => Lifecycle(ref _created, "created");

    public void SessionRestored() => Lifecycle(ref _restored, "restored");

    public void SessionReleased() => Lifecycle(ref _released, "released");

    public void Dispose() => _meter.Dispose();

    private void Lifecycle(ref long total, string what)
    {
        Interlocked.Increment(ref total);
        _sessions.Add(1, new KeyValuePair<string, object?>("event", what));
    }
}
