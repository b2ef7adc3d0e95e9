namespace OperaStudio.BrowserService.Streaming.Budget;

/// <summary>
/// The frame budget divided: frames per second per session (0: none), and per tier how many sessions and how many
/// frames per second they were given. <see cref="Allocated"/> exceeds <see cref="Total"/> only when the floors alone do.
/// </summary>
public sealed record FrameAllocation(double Total, IReadOnlyDictionary<string, double> PerSession, IReadOnlyDictionary<StreamTier, TierAllocation> Tiers)
{
    public static readonly FrameAllocation Empty = new(0, new Dictionary<string, double>(), new Dictionary<StreamTier, TierAllocation>());

    public double Allocated => PerSession.Values.Sum();

    public double For(string sessionId) => PerSession.GetValueOrDefault(sessionId);

    public TierAllocation Tier(StreamTier tier) => Tiers.GetValueOrDefault(tier) ?? new TierAllocation(0, 0);
}

/// <summary>How many sessions a tier holds and the frames per second given to them together.</summary>
public sealed record TierAllocation(int Sessions, double Fps);
