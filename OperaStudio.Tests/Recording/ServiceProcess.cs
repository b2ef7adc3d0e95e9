using System.Diagnostics;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>
/// The browser service as a process of its own (the built <c>OperaStudio.BrowserService.dll</c> under <c>dotnet</c>),
/// configured as <see cref="BrowserServiceHost"/> configures the in-process one, so a test can SIGKILL it. Every process
/// it starts (Chromium) carries a marker in its environment, by which what a kill leaves behind is cleaned up.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _marker;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, Uri baseAddress, string marker)
    {
        _process = process;
        _marker = marker;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public int Pid => _process.Id;

    public static async Task<ServiceProcess> StartAsync(
        string redis, string database, string allowedHost, IReadOnlyDictionary<string, string> settings)
    {
        var port = Signals.FreePort();
        var marker = $"OPERA_TEST_SERVICE={Guid.NewGuid():N}";
        var dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Logging__LogLevel__Default"] = "Warning",
            [$"ConnectionStrings__{ResourceNames.Redis}"] = redis,
            [$"ConnectionStrings__{ResourceNames.Database}"] = database,
            ["UrlPolicy__AllowedHosts__0"] = allowedHost,
            ["Browsers__WarmContexts"] = "1",
            ["Auth__ServiceKey"] = TestIdentity.ServiceKey,
            ["Auth__AdminToken"] = TestIdentity.AdminToken,
        };
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment[marker.Split('=')[0]] = marker.Split('=')[1];
        var process = Process.Start(start)!;
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}/"), marker);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                Assert.Fail($"The service exited ({process.ExitCode}): {service.Output}");
            }

            try
            {
                using var response = await service.Http.GetAsync("/health");
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the service process healthy", TimeSpan.FromSeconds(60));
        return service;
    }

    /// <summary>SIGKILL: no shutdown, nothing flushed; its Chromium processes are killed too (they would outlive it).</summary>
    public async Task KillAsync()
    {
        Signals.Send(_process.Id, Signals.SigKill);
        await _process.WaitForExitAsync();
        KillLeftovers();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.SigTerm);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Signals.Send(_process.Id, Signals.SigKill);
            }
        }

        KillLeftovers();
        _process.Dispose();
    }

    private void KillLeftovers()
    {
        foreach (var leftover in ProcessScan.WithEnvironment(_marker))
        {
            Signals.Send(leftover.Pid, Signals.SigKill);
        }
    }

    /// <summary>The last lines it wrote (for a failure's message).</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 40)
        {
            _output.TryDequeue(out _);
        }

        TestLogs.Write($"service-process-{_process.Id}", line);
    }
}
