using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Diagnostics;

namespace OperaStudio.BrowserService.Streaming.Budget;

/// <summary>
/// The node's frame budget: how many frames per second all its screencasts together may send
/// (<c>Streaming:FrameBudgetPerSecond</c>), divided by <see cref="FrameAllocator"/> — interactive sessions first,
/// watched ones share the rest above a floor, recording-only ones a modest rate, unwatched ones nothing — and
/// enforced by each stream's <see cref="AckThrottle"/>. Every stream runs as fast as it can without it, and with ten busy
/// sessions on two cores the one a person is using answered input in 835 ms (docs/benchmarks.md, Scaling).
/// Divided again a few times a second (an interaction ends by time) and at once when a session gains or loses an
/// audience or a person starts interacting.
/// </summary>
internal sealed class FrameBudget : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, SessionStream> _streams = new(StringComparer.Ordinal);
    private readonly StreamingOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly FrameBudgetMetrics _metrics;
    private FrameAllocation _allocation = FrameAllocation.Empty;
    private int? _override;

    public FrameBudget(IOptions<StreamingOptions> options, BrowserServiceMetrics metrics, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        Configured = FrameAllocator.ResolveBudget(_options.FrameBudgetPerSecond, Environment.ProcessorCount);
        _metrics = new FrameBudgetMetrics(metrics.Meter, this);
    }

    /// <summary>The budget from configuration (or the processor count).</summary>
    public int Configured { get; }

    /// <summary>The budget in force: the configured one unless a test has set another.</summary>
    public int Total => _override ?? Configured;

    public TimeSpan InteractiveWindow => TimeSpan.FromSeconds(_options.InteractiveWindowSeconds);

    public FrameAllocation Current => Volatile.Read(ref _allocation);

    internal FrameBudgetMetrics Metrics => _metrics;

    /// <summary>Replaces the budget at run time (null: back to the configured one); for tests that need a small node.</summary>
    internal void Override(int? total)
    {
        _override = total;
        Reallocate();
    }

    public void Register(SessionStream stream)
    {
        _streams[stream.Session.Id] = stream;
        Reallocate();
    }

    public void Unregister(SessionStream stream)
    {
        _streams.TryRemove(new KeyValuePair<string, SessionStream>(stream.Session.Id, stream));
        Reallocate();
    }

    /// <summary>Divides the budget by what each session needs now and gives every stream its rate.</summary>
    public void Reallocate()
    {
        lock (_gate)
        {
            var streams = _streams.Values.ToList();
            var demands = streams.Select(s => s.Demand(InteractiveWindow)).ToList();
            var allocation = FrameAllocator.Allocate(Total, demands, _options.MinWatchedFps, _options.RecordingFps);
            foreach (var stream in streams)
            {
                stream.SetFrameRate(allocation.For(stream.Session.Id));
            }

            Volatile.Write(ref _allocation, allocation);
        }
    }

    /// <summary>The allocation as the operations view shows it: total, allocated, measured use, per tier.</summary>
    public FrameBudgetDto ToDto()
    {
        var allocation = Current;
        return new FrameBudgetDto(
            Total,
            Math.Round(allocation.Allocated, 1),
            _metrics.Used.PerSecond(),
            _metrics.Throttled,
            Enum.GetValues<StreamTier>()
                .Select(t => new FrameTierDto(t.ToString().ToLowerInvariant(), allocation.Tier(t).Sessions, allocation.Tier(t).Fps))
                .ToList());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Reallocate();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
