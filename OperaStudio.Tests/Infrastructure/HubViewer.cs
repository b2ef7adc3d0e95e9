using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// A viewer of the live-view hub at the protocol level, connected as the panel connects (MessagePack, <c>/hubs/live</c>
/// of the origin it is given: the service itself, or the web app's proxy). It acknowledges every frame on arrival, as
/// the panel does once it has drawn one, and keeps the latest few for <see cref="NextFrameAsync"/>. It does not
/// reconnect: a test that drops the connection joins again itself. Used by the tests and, linked, by the bench.
/// </summary>
public sealed class HubViewer : IAsyncDisposable
{
    public const string Path = "/hubs/live";

    // Bounded so a viewer nobody reads (the bench's many) holds a few frames, not every frame of a run.
    private readonly Channel<FrameMessage> _frames = Channel.CreateBounded<FrameMessage>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(string Reason, bool Restorable)> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _frameCount;
    private long _bytes;

    private HubViewer(HubConnection connection)
    {
        Connection = connection;
        connection.On<FrameMessage>("Frame", frame =>
        {
            Interlocked.Increment(ref _frameCount);
            Interlocked.Add(ref _bytes, frame.Data.Length);
            FrameReceived?.Invoke(frame);
            _frames.Writer.TryWrite(frame);
            _firstFrame.TrySetResult();
            _ = connection.SendAsync("Ack");
        });
        connection.On<string, bool>("SessionEnded", (reason, restorable) => _ended.TrySetResult((reason, restorable)));
    }

    public HubConnection Connection { get; }

    /// <summary>Each frame as it arrives (on SignalR's thread), before it is acknowledged.</summary>
    public event Action<FrameMessage>? FrameReceived;

    /// <summary>Frames received so far.</summary>
    public long Frames => Interlocked.Read(ref _frameCount);

    /// <summary>JPEG bytes received (the frames' payload; the MessagePack envelope adds about a hundred bytes each).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public Task FirstFrame => _firstFrame.Task;

    /// <summary>The session's end as the hub announced it: why, and whether joining again restores it.</summary>
    public Task<(string Reason, bool Restorable)> Ended => _ended.Task;

    /// <summary>
    /// A started hub connection with no handlers, for tests that handle (or withhold) acknowledgements themselves. It
    /// acts as the administrator (the fixtures' token) unless <paramref name="signedIdentity"/> says whom it is for.
    /// </summary>
    public static Task<HubConnection> OpenConnectionAsync(Uri origin, string? signedIdentity = null) =>
        signedIdentity is null
            ? OpenConnectionWithTokenAsync(origin, TestIdentity.AdminToken)
            : OpenAsync(origin, options => options.Headers[BrowserService.Contracts.CallerSignature.Header] = signedIdentity);

    /// <summary>A started hub connection with no handlers, for the holder of a bearer token (the administrator's or a personal one).</summary>
    public static Task<HubConnection> OpenConnectionWithTokenAsync(Uri origin, string token) =>
        OpenAsync(origin, options => options.AccessTokenProvider = () => Task.FromResult<string?>(token));

    private static async Task<HubConnection> OpenAsync(Uri origin, Action<Microsoft.AspNetCore.Http.Connections.Client.HttpConnectionOptions> identify)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(origin, Path), identify)
            .AddMessagePackProtocol()
            .Build();
        await connection.StartAsync();
        return connection;
    }

    /// <summary>A viewer on a connection built elsewhere (another URL, a reconnect policy); started or not.</summary>
    public static HubViewer For(HubConnection connection) => new(connection);

    /// <summary>A connected viewer that has joined nothing yet: handlers added now see every event of the join.</summary>
    public static async Task<HubViewer> ConnectAsync(Uri origin) => new(await OpenConnectionAsync(origin));

    /// <summary>Connects and joins <paramref name="sessionId"/>.</summary>
    public static async Task<HubViewer> JoinAsync(Uri origin, string sessionId)
    {
        var viewer = await ConnectAsync(origin);
        await viewer.JoinAsync(sessionId);
        return viewer;
    }

    /// <summary>Joins (or joins again) a session; the hub answers with it and sends its current frame at once.</summary>
    public Task<SessionDto> JoinAsync(string sessionId) => Connection.InvokeAsync<SessionDto>("Join", sessionId);

    public async Task<FrameMessage> NextFrameAsync(TimeSpan? timeout = null) =>
        await _frames.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>A left click at a point of the page (CSS px), as the panel sends it: move, press, release.</summary>
    public async Task ClickAsync(double x, double y)
    {
        await Connection.InvokeAsync("Pointer", "move", x, y, "none", 0, 0, 0);
        await Connection.InvokeAsync("Pointer", "down", x, y, "left", 1, 1, 0);
        await Connection.InvokeAsync("Pointer", "up", x, y, "left", 0, 1, 0);
    }

    /// <summary>Presses and releases a key by name (<c>Enter</c>, <c>ArrowLeft</c>) or one printable character.</summary>
    public async Task KeyAsync(string key)
    {
        await Connection.InvokeAsync("Key", "down", key, "", 0, 0, 0, false);
        await Connection.InvokeAsync("Key", "up", key, "", 0, 0, 0, false);
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
