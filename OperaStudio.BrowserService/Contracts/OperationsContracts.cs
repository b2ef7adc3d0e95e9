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
    IReadOnlyDictionary<string, string> Health);
