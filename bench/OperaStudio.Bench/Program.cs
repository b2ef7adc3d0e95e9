using System.Reflection;
using OperaStudio.AppHost.Hosting;
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

        var repositoryRoot = typeof(DistributedApplication).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "RepositoryRoot").Value!;
        var settings = BenchSettings.Parse(args, repositoryRoot);
        await using var run = new BenchRun(settings, repositoryRoot);
        return await run.RunAsync();
    }
}
