namespace OperaStudio.BrowserService.Streaming.Budget;

/// <summary>
/// Divides a node's frames per second between its sessions (pure: no clock, no I/O). Every watched session is promised
/// the floor and every recording-only session its recording rate, first, because a viewer below ~2 fps no longer sees
/// a live page; what is left goes to interactive sessions first, each up to <see cref="FullRate"/>, then is shared
/// evenly by the watched ones. Unwatched sessions get nothing. Only when the floors alone exceed the budget does the
/// allocation exceed it (the operations view then shows more allocated than the total).
/// </summary>
public static class FrameAllocator
{
    /// <summary>Chromium's compositor rate: a stream acked at once gets no more than this, so more is never given.</summary>
    public const double FullRate = 60;

    /// <summary>
    /// Frames per second per processor core when no budget is configured. Measured on 2 cores (docs/benchmarks.md,
    /// Scaling): the node stays near saturation at ~77 frames per second in total whatever the session count, so 40 a
    /// core keeps the total just under what the machine can encode.
    /// </summary>
    public const int PerCoreDefault = 40;

    /// <summary>The configured budget, or <see cref="PerCoreDefault"/> per core when none (0) is.</summary>
    public static int ResolveBudget(int configured, int processorCount) =>
        configured > 0 ? configured : PerCoreDefault * Math.Max(1, processorCount);

    public static FrameAllocation Allocate(double total, IReadOnlyList<StreamDemand> demands, double minWatchedFps, double recordingFps)
    {
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var demand in demands)
        {
            rates[demand.SessionId] = demand.Tier switch
            {
                StreamTier.Interactive or StreamTier.Watched => Math.Min(FullRate, demand.Recording ? Math.Max(minWatchedFps, recordingFps) : minWatchedFps),
                StreamTier.Recorded => Math.Min(FullRate, recordingFps),
                _ => 0,
            };
        }

        var left = Math.Max(0, total - rates.Values.Sum());
        left = FillEvenly(rates, demands.Where(d => d.Tier == StreamTier.Interactive).Select(d => d.SessionId).ToList(), left);
        FillEvenly(rates, demands.Where(d => d.Tier == StreamTier.Watched).Select(d => d.SessionId).ToList(), left);

        var tiers = demands
            .GroupBy(d => d.Tier)
            .ToDictionary(g => g.Key, g => new TierAllocation(g.Count(), Math.Round(g.Sum(d => rates[d.SessionId]), 1)));
        return new FrameAllocation(total, rates, tiers);
    }

    /// <summary>
    /// Water-filling: the sessions share <paramref name="available"/> evenly, none above <see cref="FullRate"/>; what a
    /// capped session cannot take goes to the others. Returns what is still left.
    /// </summary>
    private static double FillEvenly(Dictionary<string, double> rates, List<string> sessions, double available)
    {
        var open = sessions.OrderByDescending(id => rates[id]).ToList();
        while (open.Count > 0 && available > 1e-9)
        {
            var share = available / open.Count;
            // The session nearest the cap first: if it cannot take a full share, its rest is shared by the others.
            var id = open[0];
            var take = Math.Min(share, FullRate - rates[id]);
            rates[id] += take;
            available -= take;
            open.RemoveAt(0);
        }

        return available;
    }
}
