using System.Diagnostics;
using OperaStudio.AppHost.Hosting.Processes;

namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// A service project run from its build output with Aspire's environment conventions; it counts as started once
/// its <c>/health</c> endpoint answers 200.
/// </summary>
public sealed class ProjectResource(string name, IProjectMetadata project) : Resource(name), IResourceWithServiceDiscovery
{
    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(5) };

    private ChildProcess? _process;
    private int _port;

    public IProjectMetadata Project { get; } = project;

    /// <summary>A fixed HTTP port (the web app's documented one); null picks a free port.</summary>
    public int? FixedPort { get; set; }

    /// <summary>What to tell the user when <see cref="FixedPort"/> is taken.</summary>
    public string PortHint { get; set; } = "";

    public List<IResource> References { get; } = [];

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public Uri? HttpEndpoint => _port == 0 ? null : new Uri($"http://127.0.0.1:{_port}");

    public override string Kind { get; } = "project";

    public override string Endpoint => HttpEndpoint?.ToString() ?? "";

    internal override async Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        if (!File.Exists(Project.TargetPath))
        {
            throw new AppHostException($"{Name}: {Project.TargetPath} does not exist. Build the solution first (dotnet build).");
        }

        if (_port == 0)
        {
            _port = FixedPort ?? Ports.GetFreePort();
            if (FixedPort is { } port)
            {
                Ports.EnsureFree(port, $"{Name} HTTP endpoint", PortHint);
            }
        }

        var startInfo = new ProcessStartInfo(DotnetHost.Path)
        {
            ArgumentList = { Project.TargetPath },
            WorkingDirectory = Path.GetDirectoryName(Project.ProjectPath)!,
        };
        foreach (var (key, value) in BuildEnvironment())
        {
            startInfo.Environment[key] = value;
        }

        _process = ChildProcess.Start(startInfo, context.Log.For(Name));
        context.Ledger.Record(Name, _process.Id);
        await WaitUntilHealthyAsync(context.Options.StartupTimeout, cancellationToken);
    }

    internal override Task<int> WaitForExitAsync(CancellationToken cancellationToken) =>
        (_process?.Exited ?? NeverExitsAsync(cancellationToken)).WaitAsync(cancellationToken);

    internal override Task StopAsync() =>
        _process?.StopAsync(PosixSignals.SigTerm, TimeSpan.FromSeconds(20)) ?? Task.CompletedTask;

    /// <summary>
    /// The AppHost's own environment flows through (so <c>Section__Key=value</c> reaches the services), then
    /// Aspire's conventions: URLs, connection strings, service discovery and OpenTelemetry names.
    /// </summary>
    private Dictionary<string, string> BuildEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = HttpEndpoint!.ToString().TrimEnd('/'),
            ["OTEL_SERVICE_NAME"] = Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={Name}-{_port}",
        };
        SetDefault(env, "ASPNETCORE_ENVIRONMENT", "Development");
        SetDefault(env, "DOTNET_ENVIRONMENT", "Development");
        // One line per log entry, so the AppHost's name prefix stays readable.
        SetDefault(env, "Logging__Console__FormatterName", "simple");
        SetDefault(env, "Logging__Console__FormatterOptions__SingleLine", "true");

        foreach (var reference in References)
        {
            switch (reference)
            {
                case IResourceWithConnectionString { ConnectionString: { } connectionString }:
                    env[$"ConnectionStrings__{reference.Name}"] = connectionString;
                    break;
                case IResourceWithServiceDiscovery { HttpEndpoint: { } endpoint }:
                    env[$"services__{reference.Name}__http__0"] = endpoint.ToString().TrimEnd('/');
                    break;
                default:
                    throw new AppHostException($"{Name} references {reference.Name}, which is not running.");
            }
        }

        foreach (var (key, value) in Environment)
        {
            env[key] = value;
        }

        return env;
    }

    private static void SetDefault(Dictionary<string, string> env, string key, string value)
    {
        if (string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(key)))
        {
            env[key] = value;
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var health = new Uri(HttpEndpoint!, "/health");
        var clock = Stopwatch.StartNew();
        var lastStatus = "no answer";
        while (clock.Elapsed < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process!.HasExited)
            {
                throw new AppHostException(
                    $"{Name} exited with code {await _process.Exited} during start. Its last lines are below; fix the cause and start again.",
                    _process.RecentOutput());
            }

            try
            {
                using var response = await HealthClient.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                lastStatus = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastStatus = "health probe timed out";
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new AppHostException(
            $"{Name} did not become healthy within {timeout.TotalSeconds:0} s (last /health: {lastStatus}).", _process!.RecentOutput());
    }
}
