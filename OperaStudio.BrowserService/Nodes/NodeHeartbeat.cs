using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;
using StackExchange.Redis;

namespace OperaStudio.BrowserService.Nodes;

/// <summary>
/// Announces this node in the directory every heartbeat: its address, live sessions, capacity and whether it takes
/// new ones. Hosted before the session manager, so it stops after it: the node leaves the directory only once its
/// sessions are saved, and another node restores them from that state rather than an older one.
/// </summary>
public sealed partial class NodeHeartbeat(
    NodeDirectory directory, SessionManager sessions, Microsoft.AspNetCore.Hosting.Server.IServer server, IOptions<NodeOptions> options,
    IOptions<Sessions.SessionOptions> sessionOptions, TimeProvider time, ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private readonly SemaphoreSlim _beating = new(1, 1);
    private bool _failing;

    /// <summary>Announces the node's state now rather than at the next beat (a drain: the router must stop choosing it).</summary>
    public async Task BeatNowAsync()
    {
        try
        {
            await BeatAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogFailed(ex);
        }
    }

    public override void Dispose()
    {
        _beating.Dispose();
        base.Dispose();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await directory.WithdrawAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // It expires by itself within the TTL. (A host that overran its stop timeout disposes the Redis client
            // while hosted stops still run: measured in a restart test.)
            LogFailed(ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.HeartbeatMilliseconds), time);
        do
        {
            try
            {
                await BeatAsync();
                _failing = false;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                if (!_failing)
                {
                    _failing = true;
                    LogFailed(ex);
                }
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private async Task BeatAsync()
    {
        await _beating.WaitAsync();
        try
        {
            await directory.AnnounceAsync(new NodeDto(
                directory.NodeId, Address(), sessions.Count, sessionOptions.Value.MaxSessions,
                sessions.IsDraining || sessions.IsStopping, time.GetUtcNow()));
        }
        finally
        {
            _beating.Release();
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private string Address() =>
        options.Value.Address is { Length: > 0 } configured ? configured
        : server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } bound ? bound.TrimEnd('/')
        : "";

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node could not renew its entry in the node directory; it retries every heartbeat")]
    private partial void LogFailed(Exception exception);
}
