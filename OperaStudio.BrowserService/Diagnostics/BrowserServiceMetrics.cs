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
    private long _framesSentTotal;
    private long _frameBytesTotal;
    private long _inputEventsTotal;
    private long _agentStepsTotal;
    private long _created;
    private long _restored;
    private long _released;

    public BrowserServiceMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _framesSent = _meter.CreateCounter<long>("opera.frames.sent", "{frame}", "Screencast frames sent to viewers");
        _frameBytes = _meter.CreateCounter<long>("opera.frames.bytes", "By", "JPEG bytes of the frames sent to viewers");
        _inputEvents = _meter.CreateCounter<long>("opera.input.events", "{event}", "Pointer, wheel, key and paste events from viewers");
        _agentSteps = _meter.CreateCounter<long>("opera.agent.steps", "{step}", "Agent and actions-API tool steps finished");
        _sessions = _meter.CreateCounter<long>("opera.sessions.lifecycle", "{session}", "Sessions created, restored and released");
    }

    public Meter Meter => _meter;

    public long FramesSent => Interlocked.Read(ref _framesSentTotal);

    public long FrameBytes => Interlocked.Read(ref _frameBytesTotal);

    public long InputEvents => Interlocked.Read(ref _inputEventsTotal);

    public long AgentSteps => Interlocked.Read(ref _agentStepsTotal);

    public long SessionsCreated => Interlocked.Read(ref _created);

    public long SessionsRestored => Interlocked.Read(ref _restored);

    public long SessionsReleased => Interlocked.Read(ref _released);

    public void FrameSent(int bytes)
    {
        Interlocked.Increment(ref _framesSentTotal);
        Interlocked.Add(ref _frameBytesTotal, bytes);
        _framesSent.Add(1);
        _frameBytes.Add(bytes);
    }

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
