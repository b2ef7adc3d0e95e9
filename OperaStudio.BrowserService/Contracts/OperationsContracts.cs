namespace OperaStudio.BrowserService.Contracts;

/// <summary>What the operations view shows about one browser service node, right now and since it started.</summary>
public sealed record OperationsDto(
    string Node,
    DateTimeOffset StartedAt,
    int BrowsersConnected,
    int BrowsersConfigured,
    int WarmContexts,
    int Contexts,
    int SessionsLive,
    int SessionsIdle,
    int SessionsMax,
    int Viewers,
    long FramesSent,
    long FrameBytes,
    double FramesPerSecond,
    long InputEvents,
    long AgentSteps,
    long SessionsCreated,
    long SessionsRestored,
    long SessionsReleased,
    long HistoryWritten,
    int HistoryPending,
    long ManagedMemoryBytes,
    long ProcessMemoryBytes,
    IReadOnlyDictionary<string, string> Health,
    bool Draining = false,
    FrameBudgetDto? FrameBudget = null);

/// <summary>
/// The node's frame budget now: frames per second it may send in total, how many it has given out and how many its
/// screencasts actually sent (the last couple of seconds), frames held back to keep streams to their rate, and per tier
/// (interactive, watched, recorded, unwatched) the sessions in it and the frames per second they were given.
/// </summary>
public sealed record FrameBudgetDto(double Total, double Allocated, double Used, long Throttled, IReadOnlyList<FrameTierDto> Tiers);

/// <summary>One tier of the frame budget: its sessions and the frames per second given to them together.</summary>
public sealed record FrameTierDto(string Tier, int Sessions, double Fps);

/// <summary>The answer to a drain or resume: whether the node is draining now, and how many sessions it still holds.</summary>
public sealed record DrainDto(bool Draining, int SessionsLive);
