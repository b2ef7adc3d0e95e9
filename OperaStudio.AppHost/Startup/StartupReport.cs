using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace OperaStudio.AppHost.Startup;

/// <summary>
/// What a person at the terminal needs from the AppHost: once every service is healthy, where the app and the
/// dashboard are; if a resource fails to start, exits during the start or is not healthy in time, which one and its
/// last log lines, and the AppHost stops with exit code 1 instead of running half a system.
/// </summary>
internal sealed partial class StartupReport(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration)
{
    private const int LinesKept = 25;
    private readonly ConcurrentDictionary<string, Queue<string>> _recentLines = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts watching; called before the orchestrator starts anything (its start waits for every resource).</summary>
    public void Start()
    {
        if (TakenDashboardPort() is { } taken)
        {
            Console.Error.WriteLine(
                $"error: Port {taken.Port} ({taken.Setting}, the dashboard) is already in use by another process, perhaps another AppHost. " +
                $"Stop it, or choose other ports, e.g. {taken.Setting}=http://127.0.0.1:{taken.Port + 100}.");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        _ = WatchAsync(lifetime.ApplicationStopping);
    }

    /// <summary>The dashboard's ports are fixed (its address is printed and bookmarked); a taken one would be a silent dead link.</summary>
    private (int Port, string Setting)? TakenDashboardPort()
    {
        foreach (var setting in (string[])["ASPNETCORE_URLS", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"])
        {
            if (configuration[setting]?.Split(';').FirstOrDefault() is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
                && uri.Port > 0 && !Ports.IsFree(uri.Port))
            {
                return (uri.Port, setting);
            }
        }

        return null;
    }

    /// <summary>Completes once every service is healthy; from then on a crash is the restarter's business.</summary>
    public Task Ready => _ready.Task;

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var resources = model.Resources.Where(r => r is not ParameterResource).ToList();
        // Log lines are kept only while starting: streaming every resource's log for the AppHost's lifetime costs CPU.
        using var startLogs = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        foreach (var resource in resources)
        {
            _ = KeepRecentLinesAsync(resource, startLogs.Token);
        }

        var projects = resources.OfType<ProjectResource>().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var healthy = new HashSet<string>(StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(configuration.GetValue("OPERA_STARTUP_TIMEOUT_SECONDS", 180)));
        var latest = new Dictionary<string, ResourceEvent>(StringComparer.Ordinal);
        try
        {
            await foreach (var update in notifications.WatchAsync(timeout.Token))
            {
                latest[update.Resource.Name] = update;
                var state = update.Snapshot.State?.Text;
                if (HasFailed(update))
                {
                    await ReportFailuresAsync(resources);
                    return;
                }

                if (projects.Contains(update.Resource.Name) && update.Snapshot.HealthStatus == HealthStatus.Healthy)
                {
                    healthy.Add(update.Resource.Name);
                    if (healthy.IsSupersetOf(projects))
                    {
                        PrintReady();
                        _ready.TrySetResult();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            var waiting = resources.FirstOrDefault(r => !latest.TryGetValue(r.Name, out var e) || e.Snapshot.HealthStatus != HealthStatus.Healthy);
            Fail(waiting?.Name ?? "the system", $"{waiting?.Name ?? "The system"} was not healthy within the start timeout (OPERA_STARTUP_TIMEOUT_SECONDS).");
        }
        finally
        {
            await startLogs.CancelAsync();
        }
    }

    private static bool HasFailed(ResourceEvent update) =>
        update.Snapshot.State?.Text is { } state
        && (state == KnownResourceStates.FailedToStart
            || (KnownResourceStates.TerminalStates.Contains(state) && update.Resource is ExecutableResource or ProjectResource));

    /// <summary>
    /// One failure brings down what waits for it (a missing PostgreSQL fails the browser service too), in either order:
    /// after a moment for the rest to settle, every failed resource is reported, the data stores (causes) first.
    /// </summary>
    private async Task ReportFailuresAsync(IReadOnlyList<IResource> resources)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var failed = resources
            .Select(r => notifications.TryGetCurrentState(r.Name, out var e) && HasFailed(e) ? e : null)
            .OfType<ResourceEvent>()
            .OrderBy(e => e.Resource is ProjectResource)
            .ToList();
        foreach (var failure in failed)
        {
            Report(failure.Resource.Name, failure.Snapshot.State?.Text == KnownResourceStates.FailedToStart
                ? $"{failure.Resource.Name} failed to start."
                : $"{failure.Resource.Name} exited with code {failure.Snapshot.ExitCode?.ToString() ?? "?"} during start.");
        }

        Stop();
    }

    private void PrintReady()
    {
        var web = model.Resources.OfType<ProjectResource>().FirstOrDefault(p => p.Name == ServiceDefaults.ResourceNames.Web);
        var app = web?.GetEndpoint("http") is { IsAllocated: true } endpoint ? endpoint.Url + "/" : "(no web endpoint)";
        Console.Out.WriteLine("");
        Console.Out.WriteLine("Opera Studio is ready");
        Console.Out.WriteLine($"  open       {app}");
        if (DashboardLoginUrl() is { } dashboard)
        {
            Console.Out.WriteLine($"  dashboard  {dashboard}   (resources, console logs, traces, metrics)");
        }

        Console.Out.WriteLine("Press Ctrl+C to stop everything.");
        Console.Out.Flush();
    }

    /// <summary>The dashboard's address with its one-time login token (the dashboard asks for it on first visit).</summary>
    private string? DashboardLoginUrl()
    {
        if (configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is not { } url)
        {
            return null;
        }

        return configuration["AppHost:BrowserToken"] is { Length: > 0 } token ? $"{url.TrimEnd('/')}/login?t={token}" : url;
    }

    private void Fail(string resource, string reason)
    {
        Report(resource, reason);
        Stop();
    }

    private void Stop()
    {
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    private void Report(string resource, string reason)
    {
        var error = Console.Error;
        error.WriteLine($"error: {reason} Its last lines are below; the dashboard shows the rest.");
        if (_recentLines.TryGetValue(resource, out var lines))
        {
            lock (lines)
            {
                foreach (var line in lines)
                {
                    error.WriteLine($"    | {line}");
                }
            }
        }

        error.Flush();
    }

    /// <summary>Keeps each resource's last lines (without stack frames) for a failure report.</summary>
    private async Task KeepRecentLinesAsync(IResource resource, CancellationToken cancellationToken)
    {
        var lines = _recentLines.GetOrAdd(resource.Name, _ => new Queue<string>());
        try
        {
            await foreach (var batch in logs.WatchAsync(resource).WithCancellation(cancellationToken))
            {
                lock (lines)
                {
                    foreach (var line in batch.SelectMany(l => l.Content.Split('\n')).Select(l => Decoration().Replace(l, "").TrimEnd()).Where(IsWorthShowing))
                    {
                        lines.Enqueue(line);
                        if (lines.Count > LinesKept)
                        {
                            lines.Dequeue();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stack frames say where, not what: the report keeps the messages.</summary>
    private static bool IsWorthShowing(string line) =>
        line.Length > 0 && !line.TrimStart().StartsWith("at ", StringComparison.Ordinal) && !line.TrimStart().StartsWith("--- End of", StringComparison.Ordinal);

    /// <summary>DCP's timestamp at the start of a line, and colour codes (Aspire lets services colour redirected output).</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT[\d:.]+Z |\x1B\[[0-9;]*m")]
    private static partial Regex Decoration();
}

internal static class StartupReportExtensions
{
    public static IDistributedApplicationBuilder AddStartupReport(this IDistributedApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StartupReport>();
        builder.Services.AddHostedService<CrashRestarts>();
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<StartupReport>().Start();
            return Task.CompletedTask;
        });
        return builder;
    }
}
