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
    bool Draining = false);

/// <summary>The answer to a drain or resume: whether the node is draining now, and how many sessions it still holds.</summary>
public sealed record DrainDto(bool Draining, int SessionsLive);
