using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OperaStudio.AppHost.Startup;

/// <summary>
/// On Ctrl+C or SIGTERM, stops the services before anything else: DCP would stop every resource at once, so the
/// browser service would lose PostgreSQL (its last history and session saves) and the dashboard (its last telemetry)
/// while still shutting down, and be killed after six seconds of retrying. Registered after Aspire's own hosted
/// services, so it is stopped first.
/// </summary>
internal sealed class OrderedShutdown(DistributedApplicationModel model, ResourceNotificationService notifications, ResourceCommandService commands)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var running = model.Resources.OfType<ProjectResource>()
            .Where(p => notifications.TryGetCurrentState(p.Name, out var e) && e.Snapshot.State?.Text == KnownResourceStates.Running)
            .ToList();
        await Task.WhenAll(running.Select(project => commands.ExecuteCommandAsync(project, KnownResourceCommands.StopCommand, cancellationToken)));
    }
}

internal static class OrderedShutdownExtensions
{
    public static IDistributedApplicationBuilder AddOrderedShutdown(this IDistributedApplicationBuilder builder)
    {
        builder.Services.AddHostedService<OrderedShutdown>();
        return builder;
    }
}
