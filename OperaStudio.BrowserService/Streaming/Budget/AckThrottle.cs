namespace OperaStudio.BrowserService.Streaming.Budget;

/// <summary>
/// Paces one session's screencast by when its frames are acked. Chromium captures and encodes a frame only while fewer
/// than its small window of frames are unacked, so acking at most <see cref="Rate"/> times a second makes it send at
/// most that many — and each frame it sends is fresh, captured just after an ack, not one that waited in a queue.
/// Frames still go on to viewers the moment they arrive; only the acks wait. Measured (Chromium 156): it keeps sending
/// while one ack is held (its window is more than one frame), so every ack is paced, not just the first.
/// </summary>
internal sealed class AckThrottle : IDisposable
{
    /// <summary>More held acks than Chromium's window can only be stale ones; the oldest go at once.</summary>
    private const int MaxHeld = 8;

    /// <summary>
    /// After the last held ack goes, a page that stopped changing sends nothing more, though its last change may have
    /// been captured while the window was full and never sent: if no frame comes by then, <c>onQuiet</c> asks for a still.
    /// </summary>
    private static readonly TimeSpan QuietAfter = TimeSpan.FromMilliseconds(300);

    private readonly TimeProvider _time;
    private readonly Action _onHeld;
    private readonly Action _onQuiet;
    private readonly Lock _gate = new();
    private readonly Queue<(Func<int, Task> Ack, int Id)> _held = new();
    private readonly ITimer _timer;
    private TimeSpan _interval;
    private long _lastAckAt;
    private bool _awaitingFrame;
    private bool _disposed;
    private double _rate = FrameAllocator.FullRate;

    public AckThrottle(TimeProvider time, Action onHeld, Action onQuiet)
    {
        _time = time;
        _onHeld = onHeld;
        _onQuiet = onQuiet;
        _lastAckAt = time.GetTimestamp();
        _timer = time.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Frames per second allowed; <see cref="FrameAllocator.FullRate"/> or more acks every frame at once.</summary>
    public double Rate => Volatile.Read(ref _rate);

    public void SetRate(double fps)
    {
        lock (_gate)
        {
            _rate = fps;
            // Below half a frame a second a watched view would look dead; the budget never gives so little to an audience.
            _interval = fps >= FrameAllocator.FullRate ? TimeSpan.Zero : TimeSpan.FromSeconds(1 / Math.Max(fps, 0.5));
            if (_held.Count > 0)
            {
                ArmLocked(_interval - _time.GetElapsedTime(_lastAckAt));
            }
        }
    }

    /// <summary>A frame arrived: its ack goes now if the next frame is due, else when it is.</summary>
    public void Received(Func<int, Task> ack, int id)
    {
        var now = new List<(Func<int, Task> Ack, int Id)>(1);
        var held = false;
        lock (_gate)
        {
            _awaitingFrame = false;
            var wait = _interval - _time.GetElapsedTime(_lastAckAt);
            if (_held.Count == 0 && wait <= TimeSpan.Zero)
            {
                _lastAckAt = _time.GetTimestamp();
                now.Add((ack, id));
            }
            else
            {
                _held.Enqueue((ack, id));
                held = true;
                while (_held.Count > MaxHeld)
                {
                    now.Add(_held.Dequeue());
                }

                ArmLocked(wait);
            }
        }

        if (held)
        {
            _onHeld();
        }

        Send(now);
    }

    /// <summary>Input arrived: every held ack goes now, so the frame that shows its effect is not held back.</summary>
    public void ReleaseAll()
    {
        List<(Func<int, Task> Ack, int Id)> now;
        lock (_gate)
        {
            now = [.. _held];
            _held.Clear();
            _lastAckAt = _time.GetTimestamp();
        }

        Send(now);
    }

    /// <summary>The screencast stopped: its held acks mean nothing to the next one.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _held.Clear();
            _awaitingFrame = false;
            ArmLocked(Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _held.Clear();
        }

        _timer.Dispose();
    }

    private void OnTimer()
    {
        var now = new List<(Func<int, Task> Ack, int Id)>(1);
        var quiet = false;
        lock (_gate)
        {
            var wait = _interval - _time.GetElapsedTime(_lastAckAt);
            if (_held.Count > 0 && wait <= TimeSpan.FromMilliseconds(1))
            {
                now.Add(_held.Dequeue());
                _lastAckAt = _time.GetTimestamp();
                wait = _interval;
                _awaitingFrame = _held.Count == 0;
            }

            if (_held.Count > 0)
            {
                ArmLocked(wait);
            }
            else if (now.Count > 0)
            {
                ArmLocked(QuietAfter);
            }
            else if (_awaitingFrame)
            {
                _awaitingFrame = false;
                quiet = true;
            }
        }

        Send(now);
        if (quiet)
        {
            _onQuiet();
        }
    }

    private void ArmLocked(TimeSpan due)
    {
        // A frame of a session that just ended may still arrive; its ack no longer matters.
        if (!_disposed)
        {
            _timer.Change(due > TimeSpan.Zero || due == Timeout.InfiniteTimeSpan ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private static void Send(List<(Func<int, Task> Ack, int Id)> acks)
    {
        foreach (var (ack, id) in acks)
        {
            _ = ack(id);
        }
    }
}
