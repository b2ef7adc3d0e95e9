using System.Diagnostics;

namespace OperaStudio.AppHost.Hosting;

/// <summary>Whether a container runtime answers (a CLI alone is not enough: these machines have docker without a daemon).</summary>
public static class ContainerRuntime
{
    /// <summary>Asks <c>docker info</c> (or the runtime named by ASPIRE_CONTAINER_RUNTIME), for at most five seconds.</summary>
    public static bool Answers(string? runtime = null)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime ?? "docker", ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
