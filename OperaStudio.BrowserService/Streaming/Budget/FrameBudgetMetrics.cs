using System.Diagnostics.Metrics;
using OperaStudio.BrowserService.Diagnostics;

namespace OperaStudio.BrowserService.Streaming.Budget;

/// <summary>
/// The frame budget on the service's meter: the budget, what is allocated and to how many sessions per tier, the frames
/// per second the screencasts actually send, and how many frames had their ack held back to keep a stream to its rate.
/// </summary>
internal sealed class FrameBudgetMetrics
{
    private readonly Counter<long> _throttled;
    private readonly Counter<long> _encoded;
    private long _throttledTotal;
    private long _encodedTotal;

    public FrameBudgetMetrics(Meter meter, FrameBudget budget)
    {
        _throttled = meter.CreateCounter<long>(
            "opera.streaming.frames.throttled", "{frame}", "Screencast frames whose ack was held back to keep the stream to its share of the frame budget");
        _encoded = meter.CreateCounter<long>("opera.streaming.frames.encoded", "{frame}", "Screencast frames Chromium encoded and sent, over all sessions");
        Used = new RateMeter(() => Encoded);
        meter.CreateObservableGauge("opera.streaming.budget.fps", () => budget.Total, "{frame}/s", "Frames per second this node may encode and send in total");
        meter.CreateObservableGauge("opera.streaming.budget.used", Used.PerSecond, "{frame}/s", "Frames per second the screencasts sent, over all sessions");
        meter.CreateObservableGauge(
            "opera.streaming.budget.allocated",
            () => PerTier(budget, t => t.Fps), "{frame}/s", "Frames per second of the budget given to each tier (interactive, watched, recorded, unwatched)");
        meter.CreateObservableGauge(
            "opera.streaming.budget.sessions",
            () => PerTier(budget, t => t.Sessions), "{session}", "Sessions in each tier of the frame budget");
    }

    /// <summary>Frames sent per second by all screencasts, over the last couple of seconds.</summary>
    public RateMeter Used { get; }

    public long Throttled => Interlocked.Read(ref _throttledTotal);

    public long Encoded => Interlocked.Read(ref _encodedTotal);

    public void FrameThrottled()
    {
        Interlocked.Increment(ref _throttledTotal);
        _throttled.Add(1);
    }

    public void FrameEncoded()
    {
        Interlocked.Increment(ref _encodedTotal);
        _encoded.Add(1);
    }

    private static IEnumerable<Measurement<T>> PerTier<T>(FrameBudget budget, Func<TierAllocation, T> value) where T : struct
    {
        var allocation = budget.Current;
        return Enum.GetValues<StreamTier>().Select(t =>
            new Measurement<T>(value(allocation.Tier(t)), new KeyValuePair<string, object?>("tier", t.ToString().ToLowerInvariant())));
    }
}
