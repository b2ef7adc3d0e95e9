using System.Diagnostics;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The AppHost as a user runs it: its own process (through ./run.sh, or its built executable), a free web port and
/// dashboard ports, a data folder of the test's. Collects the output, and finds every process it started through an
/// environment marker that they all inherit (DCP, the stores, the services, Chromium).
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process, string dataDirectory, int webPort, int dashboardPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        WebPort = webPort;
        DashboardPort = dashboardPort;
    }

    public string DataDirectory { get; }

    public int WebPort { get; }

    public int DashboardPort { get; }

    public Uri WebUrl => new($"http://localhost:{WebPort}/");

    public int Pid => _process.Id;

    /// <summary>Every process that inherited this run's data-folder variable: the AppHost and all it started.</summary>
    public string Marker => MarkerFor(DataDirectory);

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

    public static string MarkerFor(string dataDirectory) => $"OPERA_DATA_DIR={dataDirectory}";

    /// <summary>Runs ./run.sh, exactly the README's start command.</summary>
    public static AppHostProcess StartRunScript(int webPort, string dataDirectory, IDictionary<string, string>? environment = null) =>
        Start(Path.Combine(TestPaths.RepositoryRoot, "run.sh"), TestPaths.RepositoryRoot, webPort, dataDirectory, environment);

    /// <summary>Runs the built AppHost directly (no build step), from its project folder as run.sh does.</summary>
    public static AppHostProcess StartBuilt(int webPort, string dataDirectory, IDictionary<string, string>? environment = null)
    {
        var project = Path.Combine(TestPaths.RepositoryRoot, "OperaStudio.AppHost");
        return Start(Path.Combine(project, "bin", BuildConfiguration, "net10.0", "OperaStudio.AppHost"), project, webPort, dataDirectory, environment);
    }

    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Output.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (_exited.Task.IsCompleted)
            {
                throw new InvalidOperationException($"The AppHost exited ({_exited.Task.Result}) before printing '{text}':\n{OutputText}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The AppHost did not print '{text}' within {timeout.TotalSeconds:0} s:\n{OutputText}");
    }

    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>The exit code; on a timeout, fails with the AppHost's last output and what it still runs.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            return await _exited.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            var running = string.Join('\n', StartedProcesses().Select(p => $"  {p.Pid} {p.CommandLine[..Math.Min(160, p.CommandLine.Length)]}"));
            throw new TimeoutException(
                $"The AppHost did not exit within {timeout.TotalSeconds:0} s. Still running:\n{running}\nIts last output:\n{string.Join('\n', Output.TakeLast(80))}");
        }
    }

    /// <summary>Live processes this AppHost started (even orphaned ones), found by the marker they inherit.</summary>
    public IReadOnlyList<ProcFs.Process> StartedProcesses() =>
        ProcessScan.WithEnvironment(Marker).Where(p => p.Pid != _process.Id).ToList();

    /// <summary>Polls until nothing this AppHost started is left; returns what is left when the time is up.</summary>
    public async Task<IReadOnlyList<ProcFs.Process>> WaitUntilAllGoneAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ProcFs.Process> left;
        while ((left = StartedProcesses()).Count > 0 && clock.Elapsed < timeout)
        {
            await Task.Delay(250);
        }

        return left;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            Signal(Signals.SigTerm);
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
            Signals.Send(leftover.Pid, Signals.SigKill);
        }

        _process.Dispose();
    }

    private static AppHostProcess Start(
        string fileName, string workingDirectory, int webPort, string dataDirectory, IDictionary<string, string>? environment)
    {
        Signals.RestoreDefaultInterrupt(); // so the test's Ctrl+C reaches the AppHost as a terminal's would
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The dashboard's three ports must not collide with a developer's running AppHost or another test.
        var dashboardPort = Signals.FreePort();
        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{dashboardPort}";
        startInfo.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{Signals.FreePort()}";
        startInfo.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{Signals.FreePort()}";
        startInfo.Environment["OPERA_WEB_PORT"] = webPort.ToString();
        startInfo.Environment["OPERA_DATA_DIR"] = dataDirectory;
        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Development"; // as run.sh sets it
        // The tests' clients call the web app's /api with the administrator's token and sign in as the administrator.
        startInfo.Environment["Auth__AdminToken"] = TestIdentity.AdminToken;
        startInfo.Environment["Auth__Admin__Password"] = TestIdentity.AdminPassword;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var host = new AppHostProcess(process, dataDirectory, webPort, dashboardPort);
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
    internal const string BuildConfiguration = "Debug";
#else
    internal const string BuildConfiguration = "Release";
#endif
}
