using System.Diagnostics;
using System.Globalization;
using OperaStudio.AppHost.Hosting.Processes;

namespace OperaStudio.AppHost.Hosting.Containers;

/// <summary>
/// The Docker CLI, used when a Docker engine answers: runs a server image with a named volume (so data outlives
/// the container), publishes its port on loopback, and streams its logs.
/// </summary>
public static class DockerEngine
{
    private static Task<bool>? s_available;

    public static Task<bool> IsAvailableAsync() => s_available ??= ProbeAsync();

    public static async Task<ContainerInstance> RunAsync(
        string name, string image, int containerPort, int hostPort, string volume, string mountPath,
        IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> command, Action<string> onLine, CancellationToken cancellationToken)
    {
        await RunDockerAsync(["rm", "-f", name], cancellationToken);
        var args = new List<string> { "run", "-d", "--rm", "--name", name, "-p", $"127.0.0.1:{hostPort}:{containerPort}", "-v", $"{volume}:{mountPath}" };
        foreach (var (key, value) in environment)
        {
            args.AddRange(["-e", $"{key}={value}"]);
        }

        args.Add(image);
        args.AddRange(command);
        var (exitCode, output) = await RunDockerAsync(args, cancellationToken);
        if (exitCode != 0)
        {
            throw new AppHostException($"docker run {image} failed (exit {exitCode}): {output.Trim()}");
        }

        var logs = ChildProcess.Start(new ProcessStartInfo("docker", ["logs", "-f", name]), onLine);
        return new ContainerInstance(name, logs);
    }

    private static async Task<bool> ProbeAsync()
    {
        if (Executables.Find("docker") is null)
        {
            return false;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var (exitCode, _) = await RunDockerAsync(["info", "--format", "{{.ServerVersion}}"], timeout.Token);
            return exitCode == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    internal static async Task<(int ExitCode, string Output)> RunDockerAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = new ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true } };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }
}

/// <summary>A running container and the <c>docker logs -f</c> process that ends when it does.</summary>
public sealed class ContainerInstance(string name, ChildProcess logs)
{
    public Task<int> Exited => logs.Exited;

    public async Task StopAsync()
    {
        await DockerEngine.RunDockerAsync(["stop", "-t", "15", name], CancellationToken.None);
        await logs.StopAsync(PosixSignals.SigTerm, TimeSpan.FromSeconds(5));
    }

    public override string ToString() => name.ToString(CultureInfo.InvariantCulture);
}
