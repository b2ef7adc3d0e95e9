using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// A filtering forward proxy on 127.0.0.1 that every Chromium is launched through (<see cref="ChromiumArguments"/>).
/// Navigations, redirects, frames, subresources, fetch, WebSockets and pop-ups all arrive here, and each is checked
/// against the address actually connected to, so no URL encoding and no DNS rebinding gets past the URL policy.
/// </summary>
public sealed class FilteringProxy(UrlPolicy policy, ILogger<FilteringProxy> logger) : IHostedService, IAsyncDisposable, IBrowserLaunchArguments
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly RecentRefusals _refusals = new(TimeProvider.System);
    private Socket? _listener;
    private Task? _acceptLoop;
    private bool _stopped;

    /// <summary>Where the proxy listens; the first use starts it, so a browser launched early still gets it.</summary>
    public IPEndPoint Endpoint => EnsureStarted();

    /// <summary>
    /// For every Chromium launch. <c>&lt;-loopback&gt;</c> removes Chromium's built-in bypass so loopback goes through
    /// the proxy too; QUIC and non-proxied WebRTC UDP would leave the proxy out, so both are turned off.
    /// </summary>
    public IReadOnlyList<string> ChromiumArguments =>
    [
        $"--proxy-server=http://{Endpoint}",
        "--proxy-bypass-list=<-loopback>",
        "--disable-quic",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    ];

    IEnumerable<string> IBrowserLaunchArguments.Arguments => ChromiumArguments;

    /// <summary>The last 200 refusals, newest first, each with when it happened.</summary>
    public IReadOnlyList<ProxyRefusal> RecentRefusals => _refusals.Snapshot();

    /// <summary>
    /// Why the proxy last refused <paramref name="host"/>:<paramref name="port"/>; a refused HTTPS navigation only
    /// shows ERR_TUNNEL_CONNECTION_FAILED in the page, so the session layer asks here to explain it.
    /// </summary>
    public bool TryGetRecentRefusal(string host, int port, [NotNullWhen(true)] out UrlDecision? decision)
    {
        decision = _refusals.TryGet(host, port, out var refusal) ? refusal.Decision : null;
        return decision is not null;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task? acceptLoop;
        lock (_lock)
        {
            acceptLoop = _acceptLoop;
            _listener?.Dispose();
            if (_stopped)
            {
                return;
            }

            _stopped = true;
        }

        await _stopping.CancelAsync();
        try
        {
            // Chromium keeps tunnels open; cancelling ends them, but the stop never waits long or throws for them.
            var drained = Task.WhenAll(_connections.Keys.Append(acceptLoop ?? Task.CompletedTask));
            await drained.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Whatever is still open closes with its sockets when the process ends.
        }
    }

    /// <summary>Stops, once: the host stops it, then the container disposes it (as singleton and hosted service).</summary>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private IPEndPoint EnsureStarted()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_listener is null)
            {
                var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(512);
                _listener = listener;
                _acceptLoop = AcceptLoopAsync(listener);
                logger.Listening((IPEndPoint)listener.LocalEndPoint!);
            }

            return (IPEndPoint)_listener.LocalEndPoint!;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var ownPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                // Out of file descriptors and the like: say so, wait a moment, keep serving.
                logger.AcceptFailed(exception);
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                continue;
            }

            client.NoDelay = true;
            var task = Task.Run(async () =>
            {
                await using var connection = new ProxyConnection(client, policy, _refusals, ownPort, logger);
                await connection.RunAsync(_stopping.Token);
            });
            _connections.TryAdd(task, 0);
            _ = task.ContinueWith(finished => _connections.TryRemove(finished, out _), TaskScheduler.Default);
        }
    }
}
