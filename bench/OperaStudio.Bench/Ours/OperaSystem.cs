using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OperaStudio.AppHost.Hosting;
using OperaStudio.AppHost.Hosting.Processes;
using OperaStudio.Bench.Machine;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Bench.Ours;

/// <summary>
/// Opera Studio as users start it: the AppHost in its own process (its build in the bench's configuration, which
/// runs the services from the same configuration), a free web port, a data folder of the bench's. The figures are
/// taken through the web app's origin (its reverse proxy), except where the report says "direct".
/// </summary>
public sealed partial class OperaSystem : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly List<string> _recent = [];

    private OperaSystem(Process process, StreamWriter log, Uri web)
    {
        _process = process;
        _log = log;
        Web = web;
        WebHttp = new HttpClient { BaseAddress = web, Timeout = TimeSpan.FromSeconds(60) };
    }

    public int AppHostPid => _process.Id;

    /// <summary>The web app's origin: what a user's browser talks to (pages, /api and /hubs through its proxy).</summary>
    public Uri Web { get; }

    /// <summary>The browser service itself (for its /health and the figures measured without the proxy).</summary>
    public Uri Service { get; private set; } = null!;

    public HttpClient WebHttp { get; }

    public HttpClient ServiceHttp { get; private set; } = null!;

    public int ServicePid { get; private set; }

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    public static async Task<OperaSystem> StartAsync(
        string repositoryRoot, string dataDirectory, string logPath, IReadOnlyDictionary<string, string> settings, int expectedWarm)
    {
        var webPort = Ports.GetFreePort();
        var appHost = Path.Combine(repositoryRoot, "OperaStudio.AppHost", "bin", BenchRun.BuildConfiguration, "net10.0", "OperaStudio.AppHost.dll");
        if (!File.Exists(appHost))
        {
            throw new InvalidOperationException($"{appHost} does not exist; build first (./bench.sh does).");
        }

        var start = new ProcessStartInfo(DotnetHost.Path)
        {
            ArgumentList = { appHost },
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OPERA_WEB_PORT"] = webPort.ToString();
        start.Environment["OPERA_DATA_DIR"] = dataDirectory;
        start.Environment["OPERA_USE_CONTAINERS"] = "false";
        start.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        var system = new OperaSystem(process, log, new Uri($"http://127.0.0.1:{webPort}/")) { Settings = settings };
        process.OutputDataReceived += (_, e) => system.Append(e.Data);
        process.ErrorDataReceived += (_, e) => system.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await system.WaitUntilReadyAsync(expectedWarm, TimeSpan.FromMinutes(3));
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>Warm contexts the pool holds now (from the service's /health description).</summary>
    public async Task<int> WarmCountAsync()
    {
        try
        {
            using var response = await ServiceHttp.GetAsync("/health");
            var text = await response.Content.ReadAsStringAsync();
            var match = WarmPattern().Match(text);
            return match.Success ? int.Parse(match.Groups[1].Value) : -1;
        }
        catch (HttpRequestException)
        {
            return -1;
        }
    }

    /// <summary>Waits until the warm pool holds <paramref name="count"/> contexts again (after an acquire or a close).</summary>
    public async Task WaitForWarmAsync(int count, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(30)))
        {
            if (await WarmCountAsync() >= count)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The warm pool did not refill to {count} within {clock.Elapsed.TotalSeconds:0} s.");
    }

    /// <summary>POST /api/sessions (through the web app's proxy, or straight to the service).</summary>
    public async Task<SessionDto> CreateSessionAsync(Uri? url = null, bool direct = false)
    {
        var http = direct ? ServiceHttp : WebHttp;
        using var response = await http.PostAsJsonAsync("/api/sessions", new { url = url?.ToString() });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/sessions answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.Content.ReadFromJsonAsync<SessionDto>(JsonOptions))!;
    }

    public async Task CloseSessionAsync(string id)
    {
        using var response = await ServiceHttp.DeleteAsync($"/api/sessions/{id}");
    }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            PosixSignals.Send(_process.Id, PosixSignals.SigTerm);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        WebHttp.Dispose();
        ServiceHttp?.Dispose();
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private async Task WaitUntilReadyAsync(int expectedWarm, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited ({_process.ExitCode}) during start:\n{RecentOutput()}");
            }

            if (ServiceHttp is null && Proc.Tree(_process.Id).FirstOrDefault(p => p.Role == Roles.Service) is { } service
                && ServiceUrl(service.Pid) is { } url)
            {
                ServicePid = service.Pid;
                Service = url;
                ServiceHttp = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
            }

            try
            {
                using var web = await probe.GetAsync(new Uri(Web, "/health"));
                if (web.IsSuccessStatusCode && ServiceHttp is not null && await WarmCountAsync() >= expectedWarm)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not up yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Opera Studio did not become ready within {timeout.TotalSeconds:0} s:\n{RecentOutput()}");
    }

    /// <summary>The service's address, from the ASPNETCORE_URLS the AppHost gave it.</summary>
    private static Uri? ServiceUrl(int pid)
    {
        try
        {
            var entry = File.ReadAllText($"/proc/{pid}/environ").Split('\0')
                .FirstOrDefault(e => e.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal));
            return entry is null ? null : new Uri(entry["ASPNETCORE_URLS=".Length..].Split(';')[0].TrimEnd('/') + "/");
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_recent)
        {
            _log.WriteLine(line);
            _recent.Add(line);
            if (_recent.Count > 200)
            {
                _recent.RemoveAt(0);
            }
        }
    }

    private string RecentOutput()
    {
        lock (_recent)
        {
            return string.Join('\n', _recent.TakeLast(40));
        }
    }

    [GeneratedRegex(@"(\d+) warm context")]
    private static partial Regex WarmPattern();
}
