using Microsoft.Extensions.Hosting;

namespace OperaStudio.ServiceDefaults;

/// <summary>
/// Work a service must do once before it is ready (migrating its database, say) against something that may not be
/// there yet: the first attempt runs before the host starts the hosted services registered after it, later ones in
/// the background with a growing pause (2 s, 4 s, … at most 30 s) until one succeeds or the host stops.
/// </summary>
public abstract class RetryingStartup : BackgroundService
{
    /// <summary>One attempt; true when the work is done. Failures are the implementation's to log and report.</summary>
    protected abstract Task<bool> TryOnceAsync(int attempt, CancellationToken cancellationToken);

    private volatile bool _done;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _done = await TryOnceAsync(attempt: 1, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 2; !_done && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _done = await TryOnceAsync(attempt, stoppingToken);
        }
    }
}
