extern alias apphost;

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OperaStudio.Bench.Machine;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench.Ours;

/// <summary>
/// Opera Studio started the way the tests start it: the AppHost's own code in this process through
/// Aspire.Hosting.Testing (as `./run.sh` runs it: Development, the dashboard on), so DCP runs Redis, PostgreSQL and the
/// services' builds in the bench's configuration as processes of their own. The bench's settings reach the services as
/// environment variables that DCP and everything it starts inherit, with the data folder's <see cref="Marker"/> that
/// tells those processes apart from the bench's own. The figures are taken through the web app's origin (its reverse
/// proxy), except where the report says "direct".
/// </summary>
public sealed partial class OperaSystem : IAsyncDisposable
{
    private readonly IDistributedApplicationTestingBuilder _builder;
    private readonly DistributedApplication _app;
    private readonly SystemLog _log;
    private readonly CancellationTokenSource _stopping = new();

    private OperaSystem(IDistributedApplicationTestingBuilder builder, DistributedApplication app, SystemLog log, string marker)
    {
        _builder = builder;
        _app = app;
        _log = log;
        Marker = marker;
    }

    /// <summary><c>OPERA_DATA_DIR=…</c>: in the environment of DCP and of every process it started, and of no other.</summary>
    public string Marker { get; }

    /// <summary>The web app's origin: what a user's browser talks to (pages, /api and /hubs through its proxy).</summary>
    public Uri Web { get; private set; } = null!;

    /// <summary>The browser service itself (for its /health and the figures measured without the proxy).</summary>
    public Uri Service { get; private set; } = null!;

    public HttpClient WebHttp { get; private set; } = null!;

    public HttpClient ServiceHttp { get; private set; } = null!;

    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    public static string MarkerFor(string dataDirectory) => $"OPERA_DATA_DIR={dataDirectory}";

    /// <summary>
    /// The tests' administrator token: the protocol-level viewers (the tests' <see cref="HubViewer"/>, linked) present it,
    /// so with a token of its own the bench's viewers were refused (401) through the web origin. The system listens on
    /// loopback only, for the run.
    /// </summary>
    private const string AdminToken = TestIdentity.AdminToken;

    /// <summary>The web app's administrator, whom the bench's viewers sign in as.</summary>
    public const string AdminUserName = "admin";

    public static readonly string AdminPassword = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    /// <summary>
    /// Starts the system with the bench's <paramref name="settings"/> (as <c>Section__Key</c> variables) and data folder,
    /// logs into <paramref name="logPath"/>, and returns once both services are healthy and the warm pool holds
    /// <paramref name="expectedWarm"/> contexts. <paramref name="incident"/> is told when a store or service exits while
    /// the system should be running.
    /// </summary>
    public static async Task<OperaSystem> StartAsync(
        string dataDirectory, string logPath, IReadOnlyDictionary<string, string> settings, int expectedWarm, Action<string> incident)
    {
        var log = new SystemLog(logPath);
        var environment = new Dictionary<string, string>(settings)
        {
            ["OPERA_DATA_DIR"] = dataDirectory,
            ["OPERA_WEB_PORT"] = Signals.FreePort().ToString(),
            ["OPERA_USE_CONTAINERS"] = "false",
            ["NO_COLOR"] = "1",
            // The bench calls the service directly too (no web app in the way): as the administrator, with its token.
            ["Auth__AdminToken"] = AdminToken,
            ["Auth__Admin__UserName"] = AdminUserName,
            ["Auth__Admin__Password"] = AdminPassword,
        };

        // The dashboard's three ports, free ones (not a developer's running AppHost's): configuration of the AppHost alone.
        string[] args =
        [
            $"--ASPNETCORE_URLS=http://127.0.0.1:{Signals.FreePort()}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{Signals.FreePort()}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{Signals.FreePort()}",
        ];

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var marker = MarkerFor(dataDirectory);
        IDistributedApplicationTestingBuilder? builder = null;
        DistributedApplication? app = null;
        OperaSystem? system = null;
        try
        {
            // The whole start, until both services are healthy, inside the scope: DCP, and so the stores, `dotnet run`, the
            // services, their Playwright driver and Chromium, inherit the settings and the marker. The bench starts no
            // process of its own meanwhile (its viewer browser and the baseline start outside this window).
            using (new EnvironmentScope(environment))
            {
                builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.OperaStudio_AppHost>(
                    args,
                    (options, host) =>
                    {
                        options.DisableDashboard = false; // the testing builder's default is off; ./run.sh runs it
                        host.EnvironmentName = "Development"; // as run.sh runs it
                    },
                    timeout.Token);
                builder.Services.AddLogging(logging => logging.ClearProviders().AddProvider(log));
                app = await builder.BuildAsync(timeout.Token);
                await app.StartAsync(timeout.Token);
                foreach (var resource in (string[])[ResourceNames.BrowserService, ResourceNames.Web])
                {
                    await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                }
            }

            system = new OperaSystem(builder, app, log, marker) { Settings = settings };
            _ = system.WatchResourcesAsync(incident);
            system.Web = app.GetEndpoint(ResourceNames.Web, "http");
            system.Service = app.GetEndpoint(ResourceNames.BrowserService, "http");
            system.WebHttp = new HttpClient { BaseAddress = system.Web, Timeout = TimeSpan.FromSeconds(60) };
            system.WebHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
            system.ServiceHttp = new HttpClient { BaseAddress = system.Service, Timeout = TimeSpan.FromSeconds(60) };
            system.ServiceHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
            await system.WaitForWarmAsync(expectedWarm, TimeSpan.FromMinutes(2));
            return system;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (system is not null)
            {
                await system.DisposeAsync();
            }
            else
            {
                await StopAsync(builder, app, log, marker);
            }

            throw new InvalidOperationException($"Opera Studio did not start: {ex.GetType().Name}: {ex.Message}\n{log.Recent()}", ex);
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
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
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

    /// <summary>
    /// Stops everything: the AppHost stops the services first, then DCP the stores (and waits for their cleanup). Returns
    /// once no process carries the marker, so a second start on the same data folder finds it free.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        WebHttp?.Dispose();
        ServiceHttp?.Dispose();
        await StopAsync(_builder, _app, _log, Marker);
    }

    private static async Task StopAsync(IDistributedApplicationTestingBuilder? builder, DistributedApplication? app, SystemLog log, string marker)
    {
        try
        {
            if (app is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                try
                {
                    await app.StopAsync(timeout.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
                {
                    log.Write($"bench: stopping the AppHost: {ex.GetType().Name}: {ex.Message}");
                }

                await app.DisposeAsync();
            }

            if (builder is not null)
            {
                await builder.DisposeAsync();
            }
        }
        finally
        {
            var left = Proc.Marked(marker);
            for (var i = 0; i < 120 && left.Count > 0; i++)
            {
                await Task.Delay(250);
                left = Proc.Marked(marker);
            }

            foreach (var process in left)
            {
                log.Write($"bench: still running after the stop, killed: {process.Pid} {process.CommandLine}");
                Signals.Send(process.Pid, Signals.SigKill);
            }

            log.Dispose();
        }
    }

    /// <summary>
    /// Writes every resource's state changes (with exit codes) to the log, and reports a store or service that exits
    /// while the system should be running: nothing in the resources' own logs says so when a process is killed.
    /// </summary>
    private async Task WatchResourcesAsync(Action<string> incident)
    {
        var states = new Dictionary<string, string?>(StringComparer.Ordinal);
        try
        {
            await foreach (var update in _app.ResourceNotifications.WatchAsync(_stopping.Token))
            {
                var name = update.Resource.Name;
                var state = update.Snapshot.State?.Text;
                if (states.TryGetValue(name, out var previous) && previous == state)
                {
                    continue;
                }

                states[name] = state;
                var exit = update.Snapshot.ExitCode is { } code ? $" (exit code {code})" : "";
                _log.Write($"bench: {name} is {(string.IsNullOrEmpty(state) ? "?" : state)}{exit}");
                if (!_stopping.IsCancellationRequested && update.Resource is ProjectResource or ExecutableResource
                    && state is not null && KnownResourceStates.TerminalStates.Contains(state))
                {
                    incident($"{name} became {state}{exit} at {DateTime.Now:HH:mm:ss} while the system should have been running");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [GeneratedRegex(@"(\d+) warm context")]
    private static partial Regex WarmPattern();

    /// <summary>Colour codes (Aspire lets the services colour their redirected console).</summary>
    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex Colours();

    /// <summary>
    /// The AppHost's log and every resource's console (Aspire.Hosting.Testing forwards them to the logger) into
    /// bench/out/apphost.log instead of the bench's console; keeps the last lines for a failed start.
    /// </summary>
    private sealed class SystemLog(string path) : ILoggerProvider
    {
        private readonly StreamWriter _writer = OpenAppend(path);
        private readonly Queue<string> _recent = new();
        private bool _disposed;

        /// <summary>A resource's console (forwarded under <c>{AppHost}.Resources.{name}</c>) or the AppHost's own log.</summary>
        public ILogger CreateLogger(string categoryName) =>
            categoryName.LastIndexOf(".Resources.", StringComparison.Ordinal) is var at and >= 0
                ? new Logger(this, categoryName[(at + ".Resources.".Length)..], IsResource: true)
                : new Logger(this, categoryName, IsResource: false);

        public void Write(string line)
        {
            lock (_recent)
            {
                if (_disposed)
                {
                    return;
                }

                _writer.WriteLine(line);
                _recent.Enqueue(line);
                if (_recent.Count > 40)
                {
                    _recent.Dequeue();
                }
            }
        }

        public string Recent()
        {
            lock (_recent)
            {
                return string.Join('\n', _recent);
            }
        }

        public void Dispose()
        {
            lock (_recent)
            {
                if (!_disposed)
                {
                    _disposed = true;
                    _writer.Dispose();
                }
            }
        }

        private static StreamWriter OpenAppend(string path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return new StreamWriter(path, append: true) { AutoFlush = true };
        }

        /// <summary>A resource's lines carry their own levels (stderr is forwarded as Error); the AppHost's get theirs.</summary>
        private sealed record Logger(SystemLog Sink, string Name, bool IsResource) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            void ILogger.Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    var level = IsResource || logLevel < LogLevel.Warning ? "" : logLevel + ": ";
                    var text = Colours().Replace(formatter(state, exception), "");
                    Sink.Write($"[{Name}] {level}{text}{(exception is null ? "" : "\n" + exception)}");
                }
            }
        }
    }
}
