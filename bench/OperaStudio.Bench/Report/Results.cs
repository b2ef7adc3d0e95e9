using OperaStudio.Bench.Machine;

namespace OperaStudio.Bench.Report;

/// <summary>Everything one run measured, for the report.</summary>
public sealed class Results
{
    public required BenchSettings Settings { get; init; }

    public required MachineInfo Machine { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required string LoadBefore { get; init; }

    public string LoadAfter { get; set; } = "";

    public TimeSpan Duration { get; set; }

    public string ChromiumVersion { get; set; } = "";

    public IReadOnlyDictionary<string, string> OursSettings { get; set; } = new Dictionary<string, string>();

    /// <summary>How long the first start took, from creating the testing builder to the warm pool being full.</summary>
    public TimeSpan OursStartup { get; set; }

    /// <summary>What ran for ours after the first start, per role: how many processes and one command line.</summary>
    public List<(string Role, int Count, string Command)> OursProcesses { get; } = [];

    // 1. Input to pixel
    public Stat? InputOurs { get; set; }

    public Stat? InputBaseline { get; set; }

    public CpuWindow? InputCpuOurs { get; set; }

    public CpuWindow? InputCpuBaseline { get; set; }

    // 2. Frame rate
    public List<FpsResult> Fps { get; } = [];

    // 3. Sessions
    public Stat? AcquireWarmProxy { get; set; }

    public Stat? AcquireWarmDirect { get; set; }

    public Stat? AcquireCold { get; set; }

    public Stat? BaselineAcquire { get; set; }

    public Stat? BaselineAcquireCold { get; set; }

    /// <summary>The browser calls of a warm acquire, replayed and timed one by one (see BenchRun.ReplayAcquirePathAsync).</summary>
    public IReadOnlyDictionary<string, Stat> AcquireReplay { get; set; } = new Dictionary<string, Stat>();

    public Stat? FirstFrameWarm { get; set; }

    public Stat? FirstFrameWarmClient { get; set; }

    public Stat? FirstFrameCold { get; set; }

    public Stat? FirstFrameColdClient { get; set; }

    public Stat? BaselineFirstFrame { get; set; }

    public Stat? BaselineFirstFrameCold { get; set; }

    // 4 and 5. Memory and idle cost
    public List<ResourceLevel> ResourcesOurs { get; } = [];

    public List<ResourceLevel> ResourcesBaseline { get; } = [];

    public BytesResult? BytesOurs { get; set; }

    public BytesResult? BytesBaseline { get; set; }

    // 6. Agent step
    public Stat? AgentSnapshot { get; set; }

    public Stat? AgentClick { get; set; }

    public Stat? AgentStep { get; set; }

    public Stat? AgentType { get; set; }

    public int AgentSnapshotChars { get; set; }

    public Stat? BaselineScreenshot { get; set; }

    // 7. MCP (issue 15): get_content through /mcp and through the actions API, both via the web origin
    public Stat? McpCall { get; set; }

    public Stat? McpActionsCall { get; set; }

    public int McpContentChars { get; set; }

    // 8. CDP (issue 15): Runtime.evaluate through /cdp/{id} (web origin) and over a direct DevTools connection
    public Stat? CdpCommand { get; set; }

    public Stat? CdpDirectCommand { get; set; }

    public Stat? BaselineClick { get; set; }

    public Stat? BaselineStep { get; set; }

    public int BaselineScreenshotChars { get; set; }

    // Scaling
    public List<ScaleLevel> ScaleOurs { get; } = [];

    public List<ScaleLevel> ScaleBaseline { get; } = [];

    // Recording (issue 12)
    public List<RecordingCpuRound> RecordingCpu { get; } = [];

    /// <summary>The busy page's recordings made during the CPU windows with a recording.</summary>
    public List<RecordingStorage> RecordingBusy { get; } = [];

    /// <summary>The mostly static page (a clock) and the static page, recorded with nobody watching.</summary>
    public List<RecordingStorage> RecordingStorage { get; } = [];

    public RecordingSeek? RecordingSeek { get; set; }

    /// <summary>What could not be measured, and anything odd seen during the run.</summary>
    public List<string> Notes { get; } = [];
}

public sealed record FpsResult(int Width, int Height, double Ours, double Baseline, CpuWindow OursCpu, CpuWindow BaselineCpu, long OursDroppedUnseen);

/// <summary>N live sessions, each with a viewer attached, on a static page: memory, then CPU over a window.</summary>
public sealed record ResourceLevel(int Sessions, MemorySample Memory, CpuWindow Cpu);

public sealed record BytesResult(long Frames, long Bytes, long JpegBytes, double Seconds)
{
    public double Fps => Frames / Seconds;

    public double BytesPerFrame => Frames == 0 ? 0 : (double)Bytes / Frames;

    public double JpegBytesPerFrame => Frames == 0 ? 0 : (double)JpegBytes / Frames;

    public double MegabitsPerSecond => Bytes * 8 / Seconds / 1_000_000;
}

/// <summary>
/// N concurrent sessions on the busy page: one watched through the real viewer (fps, input to pixel), the others
/// through protocol-level viewers (their fps, and how old frames are when they arrive), and where the CPU went.
/// </summary>
public sealed record ScaleLevel(int Sessions, double ViewerFps, double ProtocolFpsMean, double ProtocolFpsMin, Stat Input, CpuWindow Cpu, Stat FrameAge);

/// <summary>One pair of CPU windows on the busy page with one viewer: without a recording, then with one; frames per second the viewer got in each.</summary>
public sealed record RecordingCpuRound(CpuWindow Off, CpuWindow On, double FpsOff, double FpsOn);

/// <summary>
/// One recording as <c>GET /api/recordings/{id}</c> reported it after its stop, with what came after its first frame
/// (from the frames endpoint), and the service side's CPU without and with it (no viewer in either window);
/// <see cref="Detail"/> lists the first frames' times and sizes.
/// </summary>
public sealed record RecordingStorage(
    string Page, int Frames, long Bytes, double DurationMs, int FramesAfterFirst, long BytesAfterFirst, CpuWindow? Off, CpuWindow? On, string Detail)
{
    public double MegabytesPerMinute => DurationMs <= 0 ? double.NaN : Bytes / 1_000_000.0 / (DurationMs / 60_000);

    public double MegabytesPerMinuteAfterFirst => DurationMs <= 0 ? double.NaN : BytesAfterFirst / 1_000_000.0 / (DurationMs / 60_000);

    public double BytesPerFrame => Frames == 0 ? double.NaN : (double)Bytes / Frames;
}

/// <summary>
/// Seeks in a one-hour recording the bench wrote with the service's own frame files (<see cref="HourMs"/> of
/// <see cref="Frames"/> real screencast JPEGs at <see cref="Fps"/>), timed through the reader the frames endpoint uses
/// and through the endpoint itself, with the page cache warm and cold; and the endpoint on a real recording.
/// </summary>
public sealed record RecordingSeek(
    double HourMs, int Frames, long Bytes, double Fps, int PoolFrames, double WriteSeconds, double WindowMs,
    Stat ReaderWarm, Stat ReaderCold, Stat HttpWarm, Stat HttpCold, Stat? HttpReal, double RealDurationMs,
    double FramesPerSeek, double BytesPerSeek, bool ColdEvicted);
