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

    public string Mode => Quick ? "quick" : "full";

    public static BenchSettings Parse(string[] args, string repositoryRoot)
    {
        var quick = args.Contains("--quick");
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
                OutputPath = output,
                Command = command,
                InputSamples = 20,
                FpsSeconds = 5,
                BytesSeconds = 5,
                AcquireSamples = 8,
                FirstFrameSamples = 5,
                ColdSamples = 3,
                AgentSamples = 15,
                ResourceLevels = [1, 10],
                IdleSeconds = 6,
                ScaleLevels = [1, 10],
                ScaleSeconds = 5,
                ScaleInputSamples = 6,
            }
            : new BenchSettings
            {
                Quick = false,
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
            };
    }
}
