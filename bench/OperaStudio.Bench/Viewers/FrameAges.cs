using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench.Viewers;

/// <summary>Ages of frames on arrival at a protocol-level viewer (ms), collected between resets.</summary>
public sealed class FrameAges
{
    private readonly List<double> _ages = [];

    /// <summary>
    /// Collects how old each frame <paramref name="viewer"/> receives is: from the service emitting it (its
    /// CapturedAtMs) to its arrival here.
    /// </summary>
    public static FrameAges Of(HubViewer viewer)
    {
        var ages = new FrameAges();
        viewer.FrameReceived += frame => ages.Add(Probe.NowEpochMs() - frame.CapturedAtMs);
        return ages;
    }

    public void Add(double ms)
    {
        lock (_ages)
        {
            _ages.Add(ms);
        }
    }

    /// <summary>The ages since the last call, and forgets them.</summary>
    public List<double> Take()
    {
        lock (_ages)
        {
            var copy = _ages.ToList();
            _ages.Clear();
            return copy;
        }
    }
}
