extern alias apphost;

using OperaStudio.Bench.Baseline;

namespace OperaStudio.Bench;

/// <summary>
/// <c>OperaStudio.Bench [--quick] [--out path]</c> measures the system end to end and writes docs/benchmarks.md;
/// <c>OperaStudio.Bench baseline-server</c> is the original design's streamer, which the bench starts as a child.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [BaselineServer.Command, ..])
        {
            return await BaselineServer.RunAsync();
        }

        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine("usage: ./bench.sh [--quick] [--out path]   (writes docs/benchmarks.md by default)");
            return 0;
        }

        // The AppHost's project folder, as its build recorded it; the repository is the folder above.
        var repositoryRoot = Path.GetDirectoryName(apphost::Projects.OperaStudio_AppHost.ProjectPath.TrimEnd('/'))!;
        var settings = BenchSettings.Parse(args, repositoryRoot);
        await using var run = new BenchRun(settings, repositoryRoot);
        return await run.RunAsync();
    }
}
