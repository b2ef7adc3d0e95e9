using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Cdp;

/// <summary>
/// One CDP client's connection, relayed to the browser's DevTools WebSocket and filtered both ways so the client sees
/// only its session's browser context: its targets, CDP sessions attached to them, and the browser-level methods that
/// stay inside the context (<see cref="CdpRelay"/>'s Commands and Events parts). It ends with a clean close for the
/// client when either side goes, the session ends, or the client sends what is not CDP.
/// </summary>
internal sealed partial class CdpRelay(WebSocket client, WebSocket upstream, CdpScope scope, ILogger logger) : IDisposable
{
    /// <summary>Bounds what a client may send in one message (Chromium's own answers are not bounded).</summary>
    private const int MaxClientMessage = 16 * 1024 * 1024;

    private readonly SemaphoreSlim _toClient = new(1, 1);
    private readonly SemaphoreSlim _toBrowser = new(1, 1);

    // The session's targets and the CDP sessions (flatten mode) attached to them, by id: CDP session id → target id.
    private readonly ConcurrentDictionary<string, byte> _targets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal);

    // CDP sessions on the browser target itself (Target.attachToBrowserTarget): what is sent on them is browser-level.
    private readonly ConcurrentDictionary<string, byte> _browserSessions = new(StringComparer.Ordinal);

    // Client requests whose answers the relay rewrites or learns from, by "sessionId|id": their method.
    private readonly ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);

    // The relay's own requests (releasing targets of other contexts) count down from int.MaxValue; their answers stay here.
    private int _ownId = int.MaxValue;

    private BrowserSession Session => scope.Session;

    /// <remarks>
    /// Neither socket's receive is ever cancelled (a cancelled receive aborts a WebSocket, and the client would get no
    /// close reason): the relay ends by sending close frames, which end the other pump's receive in turn.
    /// </remarks>
    public async Task<(WebSocketCloseStatus Status, string Reason)> RunAsync()
    {
        var sessionEnd = new TaskCompletionSource<(WebSocketCloseStatus, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSessionEvent(SessionEvent e)
        {
            if (e is SessionEnded ended)
            {
                sessionEnd.TrySetResult((WebSocketCloseStatus.EndpointUnavailable, ended.Restorable
                    ? "The Opera Studio session was suspended; connect again to resume it"
                    : "The Opera Studio session ended"));
            }
        }

        Session.Events += OnSessionEvent;
        using var flush = new Timer(_ => scope.Activity.Flush(all: false), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        (WebSocketCloseStatus Status, string Reason) end;
        try
        {
            if (Session.IsClosed)
            {
                OnSessionEvent(new SessionEnded(Session.Id, "closed"));
            }

            var fromClient = PumpClientAsync();
            var fromBrowser = PumpBrowserAsync();
            end = await await Task.WhenAny(fromClient, fromBrowser, sessionEnd.Task);
            await CloseAsync(client, end.Status, end.Reason);
            await CloseAsync(upstream, WebSocketCloseStatus.NormalClosure, "");
            try
            {
                await Task.WhenAll(fromClient, fromBrowser).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                // A side that does not answer the close: dropped.
                client.Abort();
                upstream.Abort();
            }
        }
        finally
        {
            Session.Events -= OnSessionEvent;
            scope.Activity.Flush(all: true);
        }

        return end;
    }

    private async Task<(WebSocketCloseStatus, string)> PumpClientAsync()
    {
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var (type, closed) = await ReceiveAsync(client, buffer, MaxClientMessage);
                if (closed)
                {
                    return (WebSocketCloseStatus.NormalClosure, "");
                }

                if (type == WebSocketMessageType.Binary)
                {
                    return (WebSocketCloseStatus.InvalidMessageType, "Binary frames are not CDP: send JSON text messages");
                }

                if (buffer.WrittenCount > MaxClientMessage)
                {
                    return (WebSocketCloseStatus.MessageTooBig, $"A message over {MaxClientMessage / (1024 * 1024)} MB");
                }

                await FromClientAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            return (WebSocketCloseStatus.NormalClosure, "");
        }
    }

    private async Task<(WebSocketCloseStatus, string)> PumpBrowserAsync()
    {
        const string stopped = "The session's browser stopped (it crashed or restarted)";
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var (_, closed) = await ReceiveAsync(upstream, buffer, int.MaxValue);
                if (closed)
                {
                    return (WebSocketCloseStatus.InternalServerError, stopped);
                }

                await FromBrowserAsync(Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            return (WebSocketCloseStatus.InternalServerError, stopped);
        }
    }

    /// <summary>One whole message into <paramref name="buffer"/> (cleared first); stops reading past <paramref name="limit"/>.</summary>
    private static async Task<(WebSocketMessageType Type, bool Closed)> ReceiveAsync(WebSocket socket, ArrayBufferWriter<byte> buffer, int limit)
    {
        buffer.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(64 * 1024), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, true);
            }

            buffer.Advance(result.Count);
            if (result.EndOfMessage || buffer.WrittenCount > limit)
            {
                return (result.MessageType, false);
            }
        }
    }

    private Task SendToClientAsync(JsonNode message) => SendToClientAsync(message.ToJsonString());

    private Task SendToClientAsync(string text) => SendAsync(client, _toClient, text);

    private Task SendToBrowserAsync(string text) => SendAsync(upstream, _toBrowser, text);

    private static async Task SendAsync(WebSocket socket, SemaphoreSlim gate, string text)
    {
        await gate.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            // A close reason is at most 123 bytes.
            var text = reason.Length > 120 ? reason[..120] : reason;
            await _toClient.WaitAsync();
            await _toBrowser.WaitAsync();
            try
            {
                await socket.CloseOutputAsync(status, text, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
            finally
            {
                _toBrowser.Release();
                _toClient.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            LogCloseFailed(logger, ex, Session.Id);
        }
    }

    public void Dispose()
    {
        _toClient.Dispose();
        _toBrowser.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: closing a CDP connection failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string sessionId);
}
