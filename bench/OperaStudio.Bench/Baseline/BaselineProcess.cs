using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OperaStudio.Bench.Machine;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Bench.Baseline;

/// <summary>The baseline server as a child process of the bench, and the HTTP calls that drive it.</summary>
public sealed class BaselineProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BaselineProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public int Pid => _process.Id;

    public static async Task<BaselineProcess> StartAsync()
    {
        var start = new ProcessStartInfo(Os.DotnetHost)
        {
            ArgumentList = { typeof(BaselineProcess).Assembly.Location, BaselineServer.Command },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("The baseline server did not start.");
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return new BaselineProcess(process, new Uri(line["listening ".Length..].TrimEnd('/') + "/"));
            }
        }

        throw new InvalidOperationException($"The baseline server exited ({process.ExitCode}) before listening.");
    }

    public async Task<string> CreateSessionAsync(Uri? url, int width = 1280, int height = 720, bool cold = false)
    {
        using var response = await Http.PostAsJsonAsync("sessions", new { url = url?.ToString(), width, height, cold });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task CloseSessionAsync(string id)
    {
        using var response = await Http.DeleteAsync($"sessions/{id}");
    }

    public Uri ViewerUrl(string? sessionId, int width, int height) =>
        new(Address, $"viewer?w={width}&h={height}" + (sessionId is null ? "" : $"&session={sessionId}"));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.SigTerm);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        Http.Dispose();
        _process.Dispose();
    }
}

/// <summary>
/// A protocol-level viewer of the baseline: reads the JSON frames off the WebSocket and counts them (no decoding,
/// no drawing), the counterpart of <see cref="OperaStudio.Tests.Infrastructure.HubViewer"/>.
/// </summary>
public sealed class BaselineSocketViewer : IAsyncDisposable
{
    private static readonly byte[] FrameKey = Encoding.UTF8.GetBytes("\"frame\":\"");
    private static readonly byte[] TimestampKey = Encoding.UTF8.GetBytes("\"timestamp\":");
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Viewers.FrameAges _ages = new();
    private Task _loop = Task.CompletedTask;
    private long _frames;
    private long _bytes;
    private long _jpegBytes;

    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Bytes of the JSON messages as they travel.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Bytes of the JPEGs inside them (the base64 decoded).</summary>
    public long JpegBytes => Interlocked.Read(ref _jpegBytes);

    public Task FirstFrame => _firstFrame.Task;

    /// <summary>How old each frame was on arrival: from the server's timestamp (capture done) to this viewer.</summary>
    public Viewers.FrameAges Ages => _ages;

    public static async Task<BaselineSocketViewer> ConnectAsync(Uri baseline, string sessionId)
    {
        var viewer = new BaselineSocketViewer();
        var url = new UriBuilder(new Uri(baseline, $"ws?session={sessionId}")) { Scheme = "ws" }.Uri;
        await viewer._socket.ConnectAsync(url, CancellationToken.None);
        viewer._loop = viewer.ReceiveAsync();
        return viewer;
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[512 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var count = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    if (count == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    received = await _socket.ReceiveAsync(buffer.AsMemory(count), _stop.Token);
                    count += received.Count;
                }
                while (!received.EndOfMessage);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var message = buffer.AsSpan(0, count);
                var start = message.IndexOf(FrameKey);
                if (start >= 0)
                {
                    var base64 = message[(start + FrameKey.Length)..];
                    var length = base64.IndexOf((byte)'"');
                    var padding = length > 1 && base64[length - 1] == '=' ? (base64[length - 2] == '=' ? 2 : 1) : 0;
                    Interlocked.Add(ref _jpegBytes, length / 4 * 3 - padding);
                    var rest = base64[length..];
                    var at = rest.IndexOf(TimestampKey);
                    if (at >= 0 && System.Buffers.Text.Utf8Parser.TryParse(rest[(at + TimestampKey.Length)..], out long timestamp, out _))
                    {
                        _ages.Add(Viewers.Probe.NowEpochMs() - timestamp);
                    }
                }

                Interlocked.Increment(ref _frames);
                Interlocked.Add(ref _bytes, count);
                _firstFrame.TrySetResult();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Abort();
        _socket.Dispose();
        _stop.Dispose();
    }
}
