using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using OperaStudio.Bench.Viewers;
using OperaStudio.BrowserService.Browsers;

namespace OperaStudio.Bench.Baseline;

/// <summary>
/// The original design document's streaming, implemented here only, for comparison (its own process, run as
/// <c>OperaStudio.Bench baseline-server</c>): one Chromium driven by Playwright, a context and page per session, and
/// per connected viewer a timer at 30 fps that captures <c>page.screenshot({type: 'jpeg', quality: 75})</c>, encodes it
/// as base64 and sends <c>{frame, timestamp, viewport}</c> as JSON text over a WebSocket (the document's socket.io
/// <c>browser-frame</c> event). Input arrives as <c>browser-click</c> with normalised coordinates and becomes
/// <c>page.mouse.click</c>. Frames wait in an unbounded send queue, as socket.io buffers them.
/// </summary>
/// <remarks>
/// The document's <c>setInterval(async () => …, 1000 / fps)</c> starts a capture every 33 ms whether or not the last one
/// finished; Playwright serialises screenshots per page, so once a capture takes longer than 33 ms the queue of
/// captures grows without bound. This implementation skips a tick while a capture is in flight (a PeriodicTimer keeps
/// at most one tick pending), which is kinder to the baseline: the same frame rate, without the runaway latency.
/// </remarks>
internal static class BaselineServer
{
    public const string Command = "baseline-server";
    public const int JpegQuality = 75;
    public const int TargetFps = 30;

    private static readonly ConcurrentDictionary<string, BaselineSession> Sessions = new(StringComparer.Ordinal);
    private static IPlaywright _playwright = null!;
    private static IBrowser _browser = null!;

    public static async Task<int> RunAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(LaunchOptions());

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapPost("/sessions", CreateAsync);
        app.MapDelete("/sessions/{id}", CloseAsync);
        app.MapPost("/sessions/{id}/screenshot", ScreenshotAsync);
        app.MapPost("/sessions/{id}/click", ClickAsync);
        app.MapGet("/viewer", () => Results.Content(ViewerBrowser.Asset("baseline-viewer.html"), "text/html; charset=utf-8"));
        app.Map("/ws", StreamAsync);
        await app.StartAsync();
        Console.WriteLine($"listening {app.Urls.First()}");

        var stop = new TaskCompletionSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;
        await app.StopAsync();
        foreach (var session in Sessions.Values)
        {
            await session.DisposeAsync();
        }

        await _browser.CloseAsync();
        _playwright.Dispose();
        return 0;
    }

    private static BrowserTypeLaunchOptions LaunchOptions() => new()
    {
        ExecutablePath = ChromiumLocator.FindOrThrow(),
        Headless = true,
        Args = ["--disable-dev-shm-usage", "--force-color-profile=srgb"],
    };

    public sealed record CreateRequest(string? Url, int? Width, int? Height, bool? Cold);

    public sealed record ClickRequest(string Selector);

    /// <summary>
    /// A session: a new context and page in the running Chromium (the document keeps warm browsers, not pages), or
    /// with <c>cold</c>, a Chromium launched for it (the document's browser per user, without its container).
    /// </summary>
    private static async Task<IResult> CreateAsync(CreateRequest? request)
    {
        var width = request?.Width ?? 1280;
        var height = request?.Height ?? 720;
        IBrowser? own = request?.Cold == true ? await _playwright.Chromium.LaunchAsync(LaunchOptions()) : null;
        var context = await (own ?? _browser).NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        var page = await context.NewPageAsync();
        if (!string.IsNullOrEmpty(request?.Url))
        {
            await page.GotoAsync(request.Url);
        }

        var session = new BaselineSession(Guid.NewGuid().ToString("N")[..12], context, page, own, width, height);
        Sessions[session.Id] = session;
        return Results.Ok(new { id = session.Id });
    }

    private static async Task<IResult> CloseAsync(string id)
    {
        if (!Sessions.TryRemove(id, out var session))
        {
            return Results.NotFound();
        }

        await session.DisposeAsync();
        return Results.NoContent();
    }

    /// <summary>The document's agent step without the model: a base64 screenshot for the vision model…</summary>
    private static async Task<IResult> ScreenshotAsync(string id) =>
        Sessions.TryGetValue(id, out var session)
            ? Results.Ok(new { image = Convert.ToBase64String(await session.Page.ScreenshotAsync()) })
            : Results.NotFound();

    /// <summary>…then a click on the CSS selector the model would return.</summary>
    private static async Task<IResult> ClickAsync(string id, ClickRequest request)
    {
        if (!Sessions.TryGetValue(id, out var session))
        {
            return Results.NotFound();
        }

        await session.Page.ClickAsync(request.Selector);
        return Results.Ok(new { ok = true });
    }

    private static async Task StreamAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest || !Sessions.TryGetValue(http.Request.Query["session"].ToString(), out var session))
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var queue = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var capture = CaptureLoopAsync(session, queue.Writer, stop.Token);
        var send = SendLoopAsync(socket, queue.Reader, stop.Token);
        var receive = ReceiveLoopAsync(socket, session, stop.Token);
        await Task.WhenAny(receive, send, capture);
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(receive, send, capture);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or PlaywrightException or ChannelClosedException)
        {
        }
    }

    /// <summary>The document's CanvasStreamer.startStream: a capture per tick, base64, JSON.</summary>
    private static async Task CaptureLoopAsync(BaselineSession session, ChannelWriter<byte[]> frames, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / TargetFps));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    var jpeg = await session.Page.ScreenshotAsync(new PageScreenshotOptions { Type = ScreenshotType.Jpeg, Quality = JpegQuality });
                    var message = JsonSerializer.SerializeToUtf8Bytes(new
                    {
                        @event = "browser-frame",
                        data = new
                        {
                            frame = Convert.ToBase64String(jpeg),
                            timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                            viewport = new { width = session.Width, height = session.Height },
                        },
                    });
                    frames.TryWrite(message);
                }
                catch (PlaywrightException) when (!stop.IsCancellationRequested)
                {
                    // console.error('Streaming error') in the document; the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            frames.TryComplete();
        }
    }

    private static async Task SendLoopAsync(WebSocket socket, ChannelReader<byte[]> frames, CancellationToken stop)
    {
        await foreach (var message in frames.ReadAllAsync(stop))
        {
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, stop);
        }
    }

    /// <summary>The document's browser-click handler: normalised coordinates → page.mouse.click.</summary>
    private static async Task ReceiveLoopAsync(WebSocket socket, BaselineSession session, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        while (!stop.IsCancellationRequested)
        {
            var count = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(count), stop);
                count += received.Count;
            }
            while (!received.EndOfMessage && count < buffer.Length);

            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            using var json = JsonDocument.Parse(buffer.AsMemory(0, count));
            if (json.RootElement.GetProperty("event").GetString() == "browser-click")
            {
                var data = json.RootElement.GetProperty("data");
                await session.Page.Mouse.ClickAsync(
                    (float)(data.GetProperty("x").GetDouble() * session.Width), (float)(data.GetProperty("y").GetDouble() * session.Height));
            }
        }
    }

    private sealed class BaselineSession(string id, IBrowserContext context, IPage page, IBrowser? ownBrowser, int width, int height) : IAsyncDisposable
    {
        public string Id { get; } = id;

        public IPage Page { get; } = page;

        public int Width { get; } = width;

        public int Height { get; } = height;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await context.CloseAsync();
                if (ownBrowser is not null)
                {
                    await ownBrowser.CloseAsync();
                }
            }
            catch (PlaywrightException)
            {
            }
        }
    }
}
