using System.Diagnostics;
using System.Text.RegularExpressions;
using OperaStudio.AppHost.Hosting;
using OperaStudio.AppHost.Hosting.Processes;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The AppHost as a user runs it: its own process (through ./run.sh, or its built dll), a free web port, a data
/// folder of the test's. Collects the output and knows every process it started through an environment marker.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process, string dataDirectory, int webPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        WebPort = webPort;
    }

    public string DataDirectory { get; }

    public int WebPort { get; }

    public Uri WebUrl => new($"http://127.0.0.1:{WebPort}/");

    public int Pid => _process.Id;

    /// <summary>Every process that inherited this run's data-folder variable: the AppHost and all it started.</summary>
    public string Marker => $"OPERA_DATA_DIR={DataDirectory}";

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    public string OutputText => string.Join('\n', Output);

    /// <summary>Runs ./run.sh, exactly the README's start command.</summary>
    public static AppHostProcess StartRunScript(int webPort, string dataDirectory, IDictionary<string, string>? environment = null) =>
        Start(Path.Combine(TestPaths.RepositoryRoot, "run.sh"), [], webPort, dataDirectory, environment);

    /// <summary>Runs the built AppHost directly (no build step), for the fault tests.</summary>
    public static AppHostProcess StartBuilt(int webPort, string dataDirectory, IDictionary<string, string>? environment = null) =>
        Start(DotnetHost.Path, [Path.Combine(TestPaths.RepositoryRoot, "OperaStudio.AppHost", "bin", BuildConfiguration, "net10.0", "OperaStudio.AppHost.dll")],
            webPort, dataDirectory, environment);

    public Task<string> WaitForOutputAsync(string text, TimeSpan timeout) =>
        WaitForOutputAsync(line => line.Contains(text, StringComparison.Ordinal), timeout);

    public async Task<string> WaitForOutputAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Output.FirstOrDefault(predicate) is { } line)
            {
                return line;
            }

            if (_exited.Task.IsCompleted)
            {
                throw new InvalidOperationException($"The AppHost exited ({_exited.Task.Result}) before the expected output:\n{OutputText}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The expected AppHost output did not come within {timeout.TotalSeconds:0} s:\n{OutputText}");
    }

    /// <summary>The endpoint column of a resource in the printed resource table.</summary>
    public string ResourceEndpoint(string resource)
    {
        var row = Output.Last(line => Regex.IsMatch(line, $@"^\s+{Regex.Escape(resource)}\s+\S+\s+Running\s+"));
        return TableRow().Match(row).Groups["endpoint"].Value.Trim();
    }

    public void Signal(int signal) => PosixSignals.Send(_process.Id, signal);

    public async Task<int> WaitForExitAsync(TimeSpan timeout) => await _exited.Task.WaitAsync(timeout);

    /// <summary>Live processes this AppHost started: its descendants, and anything (even orphaned) carrying its marker.</summary>
    public IReadOnlyList<ProcessScan.Info> StartedProcesses() =>
        ProcessScan.Descendants(_process.Id)
            .Concat(ProcessScan.WithEnvironment(Marker))
            .Where(p => p.Pid != _process.Id)
            .DistinctBy(p => p.Pid)
            .ToList();

    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            Signal(PosixSignals.SigTerm);
            try
            {
                await _exited.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        foreach (var leftover in ProcessScan.WithEnvironment(Marker))
        {
            PosixSignals.Send(leftover.Pid, PosixSignals.SigKill);
        }

        _process.Dispose();
    }

    private static AppHostProcess Start(string fileName, string[] args, int webPort, string dataDirectory, IDictionary<string, string>? environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = TestPaths.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["OPERA_WEB_PORT"] = webPort.ToString();
        startInfo.Environment["OPERA_DATA_DIR"] = dataDirectory;
        startInfo.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var host = new AppHostProcess(process, dataDirectory, webPort);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Exited += (_, _) => _ = host.OnExitedAsync();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Lets the output pipes drain (bounded) so the last lines are there when the exit is observed.</summary>
    private async Task OnExitedAsync()
    {
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _exited.TrySetResult(_process.ExitCode);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    [GeneratedRegex(@"^\s+\S+\s+\S+\s+\S+\s+(?<endpoint>.+)$")]
    private static partial Regex TableRow();
}
