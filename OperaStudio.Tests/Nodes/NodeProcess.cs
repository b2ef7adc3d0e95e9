using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Nodes;

/// <summary>
/// A browser-service node in a process of its own (the built service, run as the AppHost runs it), so a test can end
/// it with a real <c>kill -9</c> — the service, its Playwright driver and its Chromium at once, as a lost machine or
/// an OOM-killed pod would: nothing is saved or released on the way out.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private NodeProcess(Process process, Uri baseAddress, string log)
    {
        _process = process;
        BaseAddress = baseAddress;
        _log = log;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
        Http.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public static async Task<NodeProcess> StartAsync(
        string redis, string database, string allowedHost, IReadOnlyDictionary<string, string> settings)
    {
        var output = Path.Combine(TestPaths.RepositoryRoot, "OperaStudio.BrowserService", "bin", AppHostProcess.BuildConfiguration, "net10.0");
        var port = FreePort();
        var log = Path.Combine(TestPaths.NewDirectory("node-process"), "service.log");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(output, "OperaStudio.BrowserService.dll")])
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var environment = new Dictionary<string, string>(settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Logging:LogLevel:Default"] = "Warning",
            [$"ConnectionStrings:{ResourceNames.Redis}"] = redis,
            [$"ConnectionStrings:{ResourceNames.Database}"] = database,
            ["UrlPolicy:AllowedHosts:0"] = allowedHost,
            ["Browsers:WarmContexts"] = "1",
            ["Auth:ServiceKey"] = TestIdentity.ServiceKey,
            ["Auth:AdminToken"] = TestIdentity.AdminToken,
            ["Recording:Path"] = TestPaths.NewDirectory("recordings"),
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The browser service did not start.");
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Write(writer, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new NodeProcess(process, new Uri($"http://127.0.0.1:{port}/"), log);
        await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The browser service exited with {process.ExitCode}; see {log}");
            }

            try
            {
                using var alive = await node.Http.GetAsync("/alive");
                return alive.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the node process to answer /alive", TimeSpan.FromSeconds(180));
        return node;
    }

    /// <summary>SIGKILL to the service and every process it started (its driver, Chromium), all at once.</summary>
    public void Kill()
    {
        var all = ProcessScan.Descendants(_process.Id).Select(p => p.Pid).Prepend(_process.Id).ToList();
        foreach (var pid in all)
        {
            Signals.Send(pid, Signals.SigKill);
        }
    }

    public string Log => File.Exists(_log) ? _log : "(no log)";

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is not null)
        {
            lock (writer)
            {
                writer.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
