using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// One client connection to the <see cref="FilteringProxy"/>: a CONNECT tunnel (HTTPS, ws:, wss:) or a single
/// plain-HTTP request sent on with <c>Connection: close</c>, after which the connection closes. One request per
/// connection is deliberate: on a kept-alive connection a second request for another host could otherwise reach
/// the first host's server unchecked. Chromium simply opens another connection to the proxy.
/// </summary>
internal sealed class ProxyConnection(Socket client, UrlPolicy policy, RecentRefusals refusals, int ownPort, ILogger logger)
    : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;

    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Hop-by-hop fields: about the connection to the proxy, never sent on.</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Upgrade", "Host",
    };

    private readonly NetworkStream _client = new(client, ownsSocket: true);

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            using var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            headTimeout.CancelAfter(HeadTimeout);
            var read = await HttpHead.ReadAsync(_client, default, headTimeout.Token);
            switch (read.Status)
            {
                case HttpHeadStatus.Closed:
                    return;
                case HttpHeadStatus.TooLarge:
                    await RejectAsync(431, "Request Header Fields Too Large", read.Error!, stopping);
                    return;
                case HttpHeadStatus.Malformed:
                    await RejectAsync(400, "Bad Request", read.Error!, stopping);
                    return;
            }

            var head = read.Head!;
            var parts = head.StartLine.Split(' ');
            if (parts.Length != 3 || !HttpHead.IsToken(parts[0]) || parts[1].Length == 0 || parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
            {
                await RejectAsync(400, "Bad Request", "the request line is not 'METHOD target HTTP/1.1'", stopping);
            }
            else if (parts[0] == "CONNECT")
            {
                await TunnelAsync(head, parts[1], stopping);
            }
            else if (parts[1].StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                await ForwardAsync(head, parts[0], parts[1], parts[2], stopping);
            }
            else
            {
                await RejectAsync(400, "Bad Request", "this is a forward proxy: send CONNECT host:port or an absolute http:// URL", stopping);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            logger.ConnectionFailed(exception);
        }
        catch (Exception exception)
        {
            // A bug here must cost one connection, never the listener.
            logger.Unexpected(exception);
        }
    }

    /// <summary>CONNECT host:port: check, connect to an admitted address, then relay bytes both ways untouched.</summary>
    private async Task TunnelAsync(HttpHead head, string target, CancellationToken stopping)
    {
        if (!TrySplitAuthority(target, defaultPort: null, out var host, out var port))
        {
            await RejectAsync(400, "Bad Request", "CONNECT needs host:port with a port from 1 to 65535", stopping);
            return;
        }

        using var upstream = await OpenAsync(host, port, DisplayUrl($"https://{target}/"), tunnel: true, stopping);
        if (upstream is null)
        {
            return;
        }

        await _client.WriteAsync(ProxyResponses.ConnectionEstablished, stopping);
        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        await upstreamStream.WriteAsync(head.Rest, stopping);

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await Task.WhenAll(PumpAsync(_client, client, upstreamStream, upstream, failed), PumpAsync(upstreamStream, upstream, _client, client, failed));
    }

    /// <summary>GET http://host/path: check, connect, send the request in origin form with Connection: close.</summary>
    private async Task ForwardAsync(HttpHead head, string method, string target, string version, CancellationToken stopping)
    {
        var afterScheme = target["http://".Length..];
        var pathStart = afterScheme.IndexOfAny(['/', '?']);
        var authority = pathStart < 0 ? afterScheme : afterScheme[..pathStart];
        var path = pathStart < 0 ? "/" : afterScheme[pathStart] == '?' ? "/" + afterScheme[pathStart..] : afterScheme[pathStart..];
        if (authority.Contains('@', StringComparison.Ordinal) || !TrySplitAuthority(authority, 80, out var host, out var port))
        {
            await RejectAsync(400, "Bad Request", "the URL has no valid host and port", stopping);
            return;
        }

        if (head.Values("Transfer-Encoding").Any())
        {
            // Chromium never streams request bodies over HTTP/1.1; refusing keeps body framing trivially correct.
            await RejectAsync(501, "Not Implemented", "request bodies with Transfer-Encoding are not supported", stopping);
            return;
        }

        var lengths = head.Values("Content-Length").Distinct(StringComparer.Ordinal).ToList();
        long contentLength = 0;
        if (lengths.Count > 1 || (lengths.Count == 1 && !long.TryParse(lengths[0], NumberStyles.None, CultureInfo.InvariantCulture, out contentLength)))
        {
            await RejectAsync(400, "Bad Request", "Content-Length is not one number", stopping);
            return;
        }

        if (InternalPages.IsInternalHost(host))
        {
            // The service's own pages: answered here, never looked up or connected to.
            var page = port == 80 && Uri.TryCreate(target, UriKind.Absolute, out var url) ? InternalPages.Html(url) : null;
            await AnswerAndCloseAsync(page is null ? ProxyResponses.Error(404, "Not Found", "No such Opera Studio page.") : ProxyResponses.Page(page), stopping);
            return;
        }

        using var upstream = await OpenAsync(host, port, DisplayUrl(target), tunnel: false, stopping);
        if (upstream is null)
        {
            return;
        }

        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        var request = new StringBuilder($"{method} {path} {version}\r\nHost: {authority}\r\n");
        AppendEndToEnd(request, head);
        await upstreamStream.WriteAsync(Encoding.Latin1.GetBytes(request.Append("Connection: close\r\n\r\n").ToString()), stopping);

        // The body goes up while the response comes down, so Expect: 100-continue cannot deadlock.
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var body = SendBodyAsync(head.Rest, contentLength, upstreamStream, done.Token);
        await RelayResponseAsync(upstreamStream, stopping);
        await done.CancelAsync();
        await body;
        client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Exactly Content-Length bytes; anything the client sends past them is never forwarded.</summary>
    private async Task SendBodyAsync(ReadOnlyMemory<byte> alreadyRead, long length, Stream upstream, CancellationToken cancellationToken)
    {
        try
        {
            var first = alreadyRead[..(int)Math.Min(alreadyRead.Length, length)];
            await upstream.WriteAsync(first, cancellationToken);
            var remaining = length - first.Length;
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                while (remaining > 0)
                {
                    var read = await _client.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                    if (read == 0)
                    {
                        return;
                    }

                    await upstream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    remaining -= read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
        {
            // The response is what matters now; it carries its own errors.
        }
    }

    /// <summary>Interim 1xx heads pass as they are; the final head gets Connection: close; the body is copied raw.</summary>
    private async Task RelayResponseAsync(Stream upstream, CancellationToken stopping)
    {
        ReadOnlyMemory<byte> carried = default;
        while (true)
        {
            var read = await HttpHead.ReadAsync(upstream, carried, stopping);
            if (read.Status != HttpHeadStatus.Complete)
            {
                await _client.WriteAsync(ProxyResponses.Error(502, "Bad Gateway", $"The server's response was not valid HTTP: {read.Error}."), stopping);
                return;
            }

            var head = read.Head!;
            var status = head.StartLine.Split(' ') is [_, var code, ..] && int.TryParse(code, CultureInfo.InvariantCulture, out var number) ? number : 0;
            var response = new StringBuilder(head.StartLine).Append("\r\n");
            var interim = status is >= 100 and < 200 and not 101;
            if (interim)
            {
                foreach (var field in head.Fields)
                {
                    response.Append(field.Key).Append(": ").Append(field.Value).Append("\r\n");
                }
            }
            else
            {
                AppendEndToEnd(response, head);
                response.Append("Connection: close\r\n");
            }

            await _client.WriteAsync(Encoding.Latin1.GetBytes(response.Append("\r\n").ToString()), stopping);
            if (interim)
            {
                carried = head.Rest;
                continue;
            }

            await _client.WriteAsync(head.Rest, stopping);
            await upstream.CopyToAsync(_client, BufferSize, stopping);
            return;
        }
    }

    /// <summary>Checks the destination and connects to the first admitted address; on refusal answers 403.</summary>
    private async Task<Socket?> OpenAsync(string host, int port, Uri url, bool tunnel, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(ConnectTimeout);
        DestinationCheck check;
        try
        {
            check = await policy.CheckDestinationAsync(host, port, timeout.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            await AnswerAndCloseAsync(ProxyResponses.Error(504, "Gateway Timeout", $"Resolving {host} took too long."), stopping);
            return null;
        }

        var addresses = check.Addresses.Where(address => !IsSelf(address, port)).ToList();
        var decision = check.Decision.Allowed && addresses.Count == 0
            ? UrlDecision.Refuse(UrlDecision.Loopback, $"{host}:{port} is the URL policy proxy itself.")
            : check.Decision;
        if (!decision.Allowed)
        {
            refusals.Record(host, port, decision);
            if (decision.Code == UrlDecision.DnsFailed)
            {
                logger.RefusedUnresolvable(host, port, decision.Code, decision.Reason);
            }
            else
            {
                logger.Refused(host, port, decision.Code, decision.Reason);
            }
            await AnswerAndCloseAsync(ProxyResponses.Blocked(url, decision, tunnel), stopping);
            return null;
        }

        string? error = null;
        foreach (var candidate in addresses)
        {
            var address = candidate.IsIPv4MappedToIPv6 ? candidate.MapToIPv4() : candidate;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
                return socket;
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                error = exception is SocketException socketError ? $"{address}: {socketError.SocketErrorCode}" : "timed out";
                if (timeout.IsCancellationRequested)
                {
                    break;
                }
            }
        }

        logger.UpstreamFailed(host, port, error ?? "no address");
        await AnswerAndCloseAsync(ProxyResponses.Error(502, "Bad Gateway", $"Could not connect to {host}:{port} ({error})."), stopping);
        return null;
    }

    /// <summary>For the blocked page only; a host System.Uri cannot read is still named in the reason.</summary>
    private static Uri DisplayUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) ? url : new Uri("about:blank");

    private bool IsSelf(IPAddress address, int port) =>
        port == ownPort && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>Answers a request the proxy will not handle.</summary>
    private async Task RejectAsync(int status, string reasonPhrase, string error, CancellationToken stopping)
    {
        logger.Malformed(status, error);
        await AnswerAndCloseAsync(ProxyResponses.Error(status, reasonPhrase, $"Opera Studio's proxy: {error}."), stopping);
    }

    /// <summary>
    /// Writes the proxy's own answer, then reads what the client still sends until it closes: closing with unread
    /// input would reset the connection, and the reset can destroy the answer before the client reads it.
    /// </summary>
    private async Task AnswerAndCloseAsync(byte[] response, CancellationToken stopping)
    {
        await _client.WriteAsync(response, stopping);
        client.Shutdown(SocketShutdown.Send);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        drain.CancelAfter(DrainTimeout);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (await _client.ReadAsync(buffer, drain.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies one direction of a tunnel; at its end, half-closes the other side so it sees the end too.</summary>
    private static async Task PumpAsync(Stream from, Socket fromSocket, Stream to, Socket toSocket, CancellationTokenSource failed)
    {
        try
        {
            await from.CopyToAsync(to, BufferSize, failed.Token);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side broke: stop the other direction too rather than leave it waiting forever.
            fromSocket.Close(0);
            await failed.CancelAsync();
        }
    }

    private static void AppendEndToEnd(StringBuilder target, HttpHead head)
    {
        var named = head.Values("Connection").SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        var drop = new HashSet<string>(HopByHop.Concat(named), StringComparer.OrdinalIgnoreCase);
        drop.ExceptWith(["Content-Length", "Transfer-Encoding"]); // framing must survive whatever Connection lists
        foreach (var field in head.Fields.Where(field => !drop.Contains(field.Key)))
        {
            target.Append(field.Key).Append(": ").Append(field.Value).Append("\r\n");
        }
    }

    /// <summary>host:port or [v6]:port; the port is digits only, 1 to 65535, or the default when one is given.</summary>
    private static bool TrySplitAuthority(string authority, int? defaultPort, out string host, out int port)
    {
        var close = authority.StartsWith('[') ? authority.IndexOf(']', StringComparison.Ordinal) : -1;
        var colon = authority.IndexOf(':', close + 1);
        host = colon < 0 ? authority : authority[..colon];
        port = defaultPort ?? 0;
        if (host.Length == 0 || (authority.StartsWith('[') && close != host.Length - 1))
        {
            return false;
        }

        if (colon < 0)
        {
            return defaultPort is not null;
        }

        var portText = authority[(colon + 1)..];
        return portText.Length is > 0 and <= 5 && portText.All(char.IsAsciiDigit)
            && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
    }
}
