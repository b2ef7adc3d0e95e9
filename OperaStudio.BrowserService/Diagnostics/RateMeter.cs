using System.Diagnostics;

namespace OperaStudio.BrowserService.Diagnostics;

/// <summary>
/// Events per second over the last couple of seconds of a growing total, for any number of readers (the metrics
/// exporter and the operations view each ask on their own schedule without disturbing the other).
/// </summary>
public sealed class RateMeter(Func<long> total)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private readonly Lock _gate = new();
    private readonly Queue<(long Ticks, long Total)> _samples = new();

    public double PerSecond()
    {
        var now = Stopwatch.GetTimestamp();
        var current = total();
        lock (_gate)
        {
            _samples.Enqueue((now, current));
            // Keep one sample at least a window old as the base; drop the ones older than it.
            while (_samples.Count > 2 && Stopwatch.GetElapsedTime(_samples.ElementAt(1).Ticks, now) >= Window)
            {
                _samples.Dequeue();
            }

            var (baseTicks, baseTotal) = _samples.Peek();
            var seconds = Stopwatch.GetElapsedTime(baseTicks, now).TotalSeconds;
            return seconds < 0.25 ? 0 : Math.Round((current - baseTotal) / seconds, 1);
        }
    }
}
