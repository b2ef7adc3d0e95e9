using System.Diagnostics;
using System.Runtime.InteropServices;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench.Machine;

/// <summary>What the report says about the machine and the build it measured.</summary>
public sealed record MachineInfo(
    int Cores, string CpuModel, double MemoryGb, string Kernel, string Os, string Runtime, string GitCommit)
{
    public static MachineInfo Read(string repositoryRoot)
    {
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"') ?? ""
            : "";
        var commit = Run("git", ["-C", repositoryRoot, "rev-parse", "--short=12", "HEAD"]).Trim();
        var dirty = Run("git", ["-C", repositoryRoot, "status", "--porcelain", "--untracked-files=no"]).Trim().Length > 0;
        return new MachineInfo(
            Environment.ProcessorCount, ProcFs.CpuModel(), ProcFs.MemoryTotalKb() / 1024.0 / 1024.0, ProcFs.KernelRelease(),
            os, RuntimeInformation.FrameworkDescription, commit + (dirty ? " (with uncommitted changes)" : ""));
    }

    public static string Run(string file, string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
