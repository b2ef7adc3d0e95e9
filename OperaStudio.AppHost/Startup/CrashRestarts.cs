using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace OperaStudio.AppHost.Startup;

/// <summary>
/// After a healthy start, a service that crashes (exits with a non-zero code) is started again, at most three times
/// in ten minutes; past that it stays down and the dashboard shows why. A clean exit (a stop from the dashboard, the
/// AppHost shutting down) is left alone.
/// </summary>
internal sealed class CrashRestarts(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    StartupReport startup,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    private const int MaxRestarts = 3;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await startup.Ready.WaitAsync(stoppingToken);
            var services = model.Resources.OfType<ProjectResource>().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var restarts = new Dictionary<string, Queue<DateTime>>(StringComparer.Ordinal);
            var down = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                var name = update.Resource.Name;
                var state = update.Snapshot.State?.Text;
                if (!services.Contains(name) || lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    continue;
                }

                if (state == KnownResourceStates.Running)
                {
                    if (update.Snapshot.HealthStatus == HealthStatus.Healthy && down.Remove(name))
                    {
                        Console.Out.WriteLine($"{name} is running again");
                    }

                    continue;
                }

                if (state is null || state == KnownResourceStates.FailedToStart || !KnownResourceStates.TerminalStates.Contains(state)
                    || update.Snapshot.ExitCode is null or 0 || !down.Add(name))
                {
                    continue;
                }

                var recent = restarts.TryGetValue(name, out var times) ? times : restarts[name] = new Queue<DateTime>();
                while (recent.Count > 0 && DateTime.UtcNow - recent.Peek() > Window)
                {
                    recent.Dequeue();
                }

                if (recent.Count >= MaxRestarts)
                {
                    await Console.Error.WriteLineAsync(
                        $"error: {name} exited with code {update.Snapshot.ExitCode} and has crashed {MaxRestarts} times in {Window.TotalMinutes:0} minutes; it stays down (the dashboard shows its log).");
                    continue;
                }

                recent.Enqueue(DateTime.UtcNow);
                await Console.Error.WriteLineAsync(
                    $"warning: {name} exited with code {update.Snapshot.ExitCode}; starting it again ({recent.Count} of {MaxRestarts} in {Window.TotalMinutes:0} minutes)");
                _ = commands.ExecuteCommandAsync(update.Resource, KnownResourceCommands.StartCommand, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
