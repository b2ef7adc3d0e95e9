using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>
/// Chromium's own screencast of one tab (CDP Page.startScreencast on the tab's CDP session). Each frame is decoded from
/// base64 exactly once and handed on as bytes at once; its ack — Chromium captures and encodes no new frame while its
/// few unacked ones are out — goes at once, or, when the frame budget gives the stream a lower rate, when the next
/// frame is due (<see cref="Budget.AckThrottle"/>). Held acks are bounded by Chromium's own window, so nothing queues.
/// Playwright's IScreencast is not used: in 1.64 it stalls after a few frames waiting for acks the .NET client never sends.
/// </summary>
internal sealed class TabScreencast
{
    private readonly BrowserTab _tab;
    private readonly Action<FrameMessage> _onFrame;
    private readonly ICDPSessionEvent _frames;
    private readonly Budget.AckThrottle _throttle;
    private readonly Func<int, Task> _ack;
    private long _sequence;
    private int _stopped;

    private TabScreencast(BrowserTab tab, Action<FrameMessage> onFrame, Budget.AckThrottle throttle)
    {
        _tab = tab;
        _onFrame = onFrame;
        _throttle = throttle;
        _ack = AckAsync;
        _frames = tab.Cdp.Event("Page.screencastFrame");
    }

    public string TabId => _tab.Id;

    public long LastFrameAt { get; private set; }

    public static async Task<TabScreencast> StartAsync(BrowserTab tab, ViewportDto viewport, int quality, Action<FrameMessage> onFrame, Budget.AckThrottle throttle)
    {
        var screencast = new TabScreencast(tab, onFrame, throttle);
        screencast._frames.OnEvent += screencast.OnFrame;
        await tab.Cdp.SendAsync("Page.startScreencast", new()
        {
            ["format"] = "jpeg",
            ["quality"] = quality,
            ["maxWidth"] = (int)Math.Round(viewport.Width * viewport.DeviceScaleFactor),
            ["maxHeight"] = (int)Math.Round(viewport.Height * viewport.DeviceScaleFactor),
            ["everyNthFrame"] = 1,
        });
        return screencast;
    }

    /// <summary>A one-off capture, when the page is static and Chromium has nothing new to send.</summary>
    public async Task CaptureStillAsync(ViewportDto viewport, int quality)
    {
        var before = Interlocked.Read(ref _sequence);
        var data = await _tab.CaptureViewAsync(viewport, quality);
        // A frame that came while the still was taken (seconds, on a loaded machine) is newer than it: sent after that
        // frame and stamped later, the still would show the page as it was before (a recording test saw a click's
        // effect undone). A wrong-size frame asks for another still itself (SessionStream.OnFrame).
        if (Volatile.Read(ref _stopped) == 0 && Interlocked.Read(ref _sequence) == before)
        {
            var (width, height) = JpegSize(data);
            Emit(data, width, height, viewport.Width, viewport.Height);
        }
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        _frames.OnEvent -= OnFrame;
        _throttle.Clear();
        try
        {
            await _tab.Cdp.SendAsync("Page.stopScreencast");
        }
        catch (PlaywrightException)
        {
            // The tab crashed or closed; its screencast ended with it.
        }
    }

    private void OnFrame(object? sender, JsonElement? payload)
    {
        if (payload is not { } e || Volatile.Read(ref _stopped) == 1)
        {
            return;
        }

        _throttle.Received(_ack, e.GetProperty("sessionId").GetInt32());
        var data = Convert.FromBase64String(e.GetProperty("data").GetString()!);
        var metadata = e.GetProperty("metadata");
        var (width, height) = JpegSize(data);
        var device = (metadata.GetProperty("deviceWidth").GetDouble(), metadata.GetProperty("deviceHeight").GetDouble());
        LastDeviceSize = device;
        Emit(data, width, height, device.Item1, device.Item2);
    }

    /// <summary>The size of the page's view in the latest screencast frame, as Chromium reports it (CSS pixels).</summary>
    public (double Width, double Height)? LastDeviceSize { get; private set; }

    /// <summary>After a window change: the size of frames before it says nothing about the window now.</summary>
    public void ForgetDeviceSize() => LastDeviceSize = null;

    private void Emit(byte[] data, int width, int height, double viewportWidth, double viewportHeight)
    {
        // An image taken as the viewport changes can show the old size (measured in a full test run: a still of
        // 842x523 for a viewport of 842x610). Labelled with the new size it would pass for current and, on a static
        // page, stay on screen stretched for good; labelled by its own proportions, it makes the stream ask for a
        // current still (SessionStream.IsCurrent). Scaled frames keep their proportions, so they are not relabelled.
        var shownHeight = width > 0 && height > 0 ? viewportWidth * height / width : viewportHeight;
        if (Math.Abs(shownHeight - viewportHeight) > 2)
        {
            viewportHeight = shownHeight;
        }

        LastFrameAt = Environment.TickCount64;
        _onFrame(new FrameMessage(
            _tab.Id, data, width, height, viewportWidth, viewportHeight,
            Interlocked.Increment(ref _sequence), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    private async Task AckAsync(int sessionId)
    {
        try
        {
            await _tab.Cdp.SendAsync("Page.screencastFrameAck", new() { ["sessionId"] = sessionId });
        }
        catch (PlaywrightException)
        {
            // Tab gone.
        }
    }

    /// <summary>Width and height from the JPEG's start-of-frame marker (a few bytes in; no decoding).</summary>
    internal static (int Width, int Height) JpegSize(ReadOnlySpan<byte> jpeg)
    {
        var i = 2;
        while (i + 9 < jpeg.Length)
        {
            if (jpeg[i] != 0xFF)
            {
                i++;
                continue;
            }

            var marker = jpeg[i + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 5)..]));
            }

            i += 2 + length;
        }

        return (0, 0);
    }
}
