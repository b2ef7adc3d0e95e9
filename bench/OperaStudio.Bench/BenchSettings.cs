namespace OperaStudio.Bench;

/// <summary>How much to measure: <c>--quick</c> (a few minutes, small samples) or the full run (the committed report).</summary>
public sealed record BenchSettings
{
    public required bool Quick { get; init; }

    public required string OutputPath { get; init; }

    public required string Command { get; init; }

    public int InputSamples { get; init; }

    public int FpsSeconds { get; init; }

    public int BytesSeconds { get; init; }

    public int AcquireSamples { get; init; }

    public int FirstFrameSamples { get; init; }

    public int ColdSamples { get; init; }

    public int AgentSamples { get; init; }

    public int[] ResourceLevels { get; init; } = [];

    public int IdleSeconds { get; init; }

    public int[] ScaleLevels { get; init; } = [];

    public int ScaleSeconds { get; init; }

    public int ScaleInputSamples { get; init; }

    /// <summary>Recording (issue 12): each CPU window on the busy page, without and then with a recording.</summary>
    public int RecordingCpuSeconds { get; init; }

    /// <summary>How many times the busy page's pair of windows (without, with) is measured, alternating.</summary>
    public int RecordingCpuRounds { get; init; }

    /// <summary>How long the mostly static and the static page are recorded for their bytes per minute.</summary>
    public int RecordingStorageSeconds { get; init; }

    /// <summary>Random seeks per path (reader and HTTP, warm and cold page cache) in the one-hour recording.</summary>
    public int SeekSamples { get; init; }

    /// <summary>With <c>--only input,fps,…</c> (for working on the bench) only those figures run.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    public string Mode => Quick ? "quick" : "full";

    public bool Runs(string figure) => Only is null || Only.Contains(figure);

    public static BenchSettings Parse(string[] args, string repositoryRoot)
    {
        var quick = args.Contains("--quick");
        var onlyIndex = Array.IndexOf(args, "--only");
        var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length
            ? args[onlyIndex + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : null;
        var outIndex = Array.IndexOf(args, "--out");
        var output = outIndex >= 0 && outIndex + 1 < args.Length
            ? Path.GetFullPath(args[outIndex + 1])
            : Path.Combine(repositoryRoot, "docs", "benchmarks.md");
        var command = Environment.GetEnvironmentVariable("OPERA_BENCH_COMMAND") is { Length: > 0 } script
            ? script
            : $"dotnet bench/OperaStudio.Bench/bin/{BenchRun.BuildConfiguration}/net10.0/OperaStudio.Bench.dll {string.Join(' ', args)}".TrimEnd();
        return quick
            ? new BenchSettings
            {
                Quick = true,
                Only = only,
                OutputPath = output,
                Command = command,
                InputSamples = 15,
                FpsSeconds = 4,
                BytesSeconds = 4,
                AcquireSamples = 6,
                FirstFrameSamples = 4,
                ColdSamples = 3,
                AgentSamples = 10,
                ResourceLevels = [1, 5],
                IdleSeconds = 5,
                ScaleLevels = [1, 5],
                ScaleSeconds = 4,
                ScaleInputSamples = 5,
                RecordingCpuSeconds = 4,
                RecordingCpuRounds = 2,
                RecordingStorageSeconds = 20,
                SeekSamples = 20,
            }
            : new BenchSettings
            {
                Quick = false,
                Only = only,
                OutputPath = output,
                Command = command,
                InputSamples = 100,
                FpsSeconds = 10,
                BytesSeconds = 10,
                AcquireSamples = 50,
                FirstFrameSamples = 20,
                ColdSamples = 12,
                AgentSamples = 60,
                ResourceLevels = [1, 10, 30],
                IdleSeconds = 20,
                ScaleLevels = [1, 10, 30],
                ScaleSeconds = 10,
                ScaleInputSamples = 20,
                RecordingCpuSeconds = 10,
                RecordingCpuRounds = 4,
                RecordingStorageSeconds = 60,
                SeekSamples = 200,
            };
    }
}
