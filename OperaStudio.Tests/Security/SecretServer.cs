using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OperaStudio.Tests.Security;

/// <summary>
/// A loopback server the remote browser must never reach. It counts every TCP connection, on 127.0.0.1 and on
/// [::1], and every UDP datagram to its IPv4 port, and answers HTTP with <see cref="Marker"/> (readable
/// cross-origin) so a leak would show in the page as well as in the counts.
/// </summary>
public sealed class SecretServer : IAsyncDisposable
{
    public const string Marker = "SECRET-CONTENT-7f3a";

    private static readonly byte[] Response = Encoding.ASCII.GetBytes(
        $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: {Marker.Length + 7}\r\n"
        + $"Connection: close\r\n\r\n<p>{Marker}</p>");

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _firstLines = new();
    private readonly TaskCompletionSource _firstDatagram = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TcpListener _ipv4;
    private readonly TcpListener _ipv6;
    private readonly UdpClient _udp;
    private readonly List<Task> _loops;
    private int _connections;
    private int _datagrams;

    private SecretServer(TcpListener ipv4, TcpListener ipv6, UdpClient udp)
    {
        (_ipv4, _ipv6, _udp) = (ipv4, ipv6, udp);
        _loops = [AcceptLoopAsync(ipv4), AcceptLoopAsync(ipv6), ReceiveLoopAsync()];
    }

    /// <summary>The TCP and UDP port on 127.0.0.1.</summary>
    public int Port => ((IPEndPoint)_ipv4.LocalEndpoint).Port;

    /// <summary>The TCP port on [::1].</summary>
    public int Port6 => ((IPEndPoint)_ipv6.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    public int Datagrams => Volatile.Read(ref _datagrams);

    /// <summary>Completes when the first UDP datagram arrives.</summary>
    public Task FirstDatagram => _firstDatagram.Task;

    /// <summary>The first line each connection sent (a request line, or TLS bytes).</summary>
    public IReadOnlyCollection<string> FirstLines => [.. _firstLines];

    public static SecretServer Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var ipv4 = new TcpListener(IPAddress.Loopback, 0);
            ipv4.Start();
            try
            {
                // UDP on the same port number, for WebRTC and WebTransport attempts at "the same" address.
                var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)ipv4.LocalEndpoint).Port));
                var ipv6 = new TcpListener(IPAddress.IPv6Loopback, 0);
                ipv6.Start();
                return new SecretServer(ipv4, ipv6, udp);
            }
            catch (SocketException) when (attempt < 5)
            {
                ipv4.Stop();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _ipv4.Stop();
        _ipv6.Stop();
        _udp.Dispose();
        await Task.WhenAll(_loops).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = AnswerAsync(client);
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var read = await stream.ReadAsync(buffer, _stop.Token);
            var text = Encoding.Latin1.GetString(buffer, 0, read);
            _firstLines.Enqueue(text.Split("\r\n")[0]);
            await stream.WriteAsync(Response, _stop.Token);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _udp.ReceiveAsync(_stop.Token);
                Interlocked.Increment(ref _datagrams);
                _firstDatagram.TrySetResult();
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP port-unreachable echoes and the like; keep counting.
            }
        }
    }
}
