namespace OperaStudio.BrowserService.Streaming.Budget;

/// <summary>What one session asks of the frame budget: whether anyone watches, interacts, or records it.</summary>
public sealed record StreamDemand(string SessionId, bool Watched, bool Interacting, bool Recording)
{
    public StreamTier Tier => (Watched, Interacting, Recording) switch
    {
        (true, true, _) => StreamTier.Interactive,
        (true, false, _) => StreamTier.Watched,
        (false, _, true) => StreamTier.Recorded,
        _ => StreamTier.Unwatched,
    };
}
