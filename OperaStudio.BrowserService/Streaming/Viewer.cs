namespace OperaStudio.BrowserService.Streaming;

/// <summary>
/// One viewer's frame delivery. The newest frame waits in a single slot (older unsent frames are dropped) and at
/// most <c>window</c> frames are on their way at once; the viewer acknowledges each frame once drawn. A slow viewer
/// therefore gets fewer, fresher frames, and the server never builds a queue for it.
/// </summary>
internal sealed class Viewer(string connectionId, ILiveViewClient client, int window, TimeProvider time, Action<int> onSent, Action onDropped)
{
    /// <summary>A viewer that stops acknowledging (a dropped message, an old client) is trusted again after this.</summary>
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private FrameMessage? _pending;
    private int _inFlight;
    private bool _pumping;
    private bool _recheckArmed;
    private long _lastProgress = time.GetTimestamp();

    public string ConnectionId { get; } = connectionId;

    public long FramesSent { get; private set; }

    public long FramesDropped { get; private set; }

    public void Offer(FrameMessage frame)
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                FramesDropped++;
                onDropped();
            }

            _pending = frame;
            if (!TryStartPumpLocked())
            {
                return;
            }
        }

        _ = PumpAsync();
    }

    /// <summary>
    /// Under the lock: claims the pump when a frame may go now. Acks overdue past <see cref="AckTimeout"/> free the
    /// window; while it is full, one recheck is armed, since a static page may send no further frame to retry with.
    /// </summary>
    private bool TryStartPumpLocked()
    {
        if (_inFlight >= window && time.GetElapsedTime(_lastProgress) > AckTimeout)
        {
            _inFlight = 0;
        }

        if (_pending is null || _pumping)
        {
            return false;
        }

        if (_inFlight >= window)
        {
            if (!_recheckArmed)
            {
                _recheckArmed = true;
                _ = RecheckAfterTimeoutAsync();
            }

            return false;
        }

        _pumping = true;
        return true;
    }

    private async Task RecheckAfterTimeoutAsync()
    {
        await Task.Delay(AckTimeout + TimeSpan.FromMilliseconds(100), time);
        lock (_gate)
        {
            _recheckArmed = false;
            if (!TryStartPumpLocked())
            {
                return;
            }
        }

        _ = PumpAsync();
    }

    public void Acknowledge()
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            _lastProgress = time.GetTimestamp();
            if (!TryStartPumpLocked())
            {
                return;
            }
        }

        _ = PumpAsync();
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            FrameMessage frame;
            lock (_gate)
            {
                if (_pending is null || _inFlight >= window)
                {
                    _pumping = false;
                    return;
                }

                frame = _pending;
                _pending = null;
                _inFlight++;
                FramesSent++;
                _lastProgress = time.GetTimestamp();
            }

            try
            {
                // Completes once the frame is in the connection's (small) transport buffer.
                await client.Frame(frame);
                onSent(frame.Data.Length);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                lock (_gate)
                {
                    _pumping = false;
                }

                return;
            }
        }
    }
}
