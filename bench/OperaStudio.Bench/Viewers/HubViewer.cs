using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.Bench.Viewers;

/// <summary>
/// A protocol-level viewer of ours: the live view hub (MessagePack, through the web app's origin as the panel
/// connects), acknowledging each frame as soon as it arrives (no decoding, no drawing). Used where many viewers
/// are needed at once, and to read the bytes of each frame.
/// </summary>
public sealed class HubViewer : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FrameAges _ages = new();
    private long _frames;
    private long _bytes;

    private HubViewer(HubConnection connection)
    {
        _connection = connection;
        _connection.On<FrameMessage>("Frame", frame =>
        {
            Interlocked.Increment(ref _frames);
            Interlocked.Add(ref _bytes, frame.Data.Length);
            _ages.Add(Probe.NowEpochMs() - frame.CapturedAtMs);
            _firstFrame.TrySetResult();
            _ = _connection.SendAsync("Ack");
        });
    }

    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>JPEG bytes received (the frames' payload; the MessagePack envelope adds about a hundred bytes each).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public Task FirstFrame => _firstFrame.Task;

    /// <summary>How old each frame was on arrival: from the service emitting it (its CapturedAtMs) to this viewer.</summary>
    public FrameAges Ages => _ages;

    public static async Task<HubViewer> JoinAsync(Uri origin, string sessionId)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(origin, "/hubs/live"))
            .AddMessagePackProtocol()
            .Build();
        var viewer = new HubViewer(connection);
        await connection.StartAsync();
        await connection.InvokeAsync<SessionDto>("Join", sessionId);
        return viewer;
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}

/// <summary>Ages of frames on arrival at a protocol-level viewer (ms), collected between resets.</summary>
public sealed class FrameAges
{
    private readonly List<double> _ages = [];

    public void Add(double ms)
    {
        lock (_ages)
        {
            _ages.Add(ms);
        }
    }

    /// <summary>The ages since the last call, and forgets them.</summary>
    public List<double> Take()
    {
        lock (_ages)
        {
            var copy = _ages.ToList();
            _ages.Clear();
            return copy;
        }
    }
}
