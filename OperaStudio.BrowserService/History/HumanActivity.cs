namespace OperaStudio.BrowserService.History;

/// <summary>
/// Folds one session's raw human input into actions worth a log line: a burst of typing becomes one "type" entry
/// with a character count (never the text), a burst of wheel events one "scroll". Clicks and keys pass straight on.
/// </summary>
internal sealed class HumanActivity(string sessionId)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    private readonly Lock _gate = new();
    private Burst? _typing;
    private Burst? _scrolling;

    public string SessionId { get; } = sessionId;

    public void Typed(string? tabId, int characters, DateTimeOffset now)
    {
        lock (_gate)
        {
            _typing = _typing is { } burst && burst.TabId == tabId ? burst with { Count = burst.Count + characters, Last = now } : new Burst(tabId, characters, now, now);
        }
    }

    public void Scrolled(string? tabId, double deltaY, DateTimeOffset now)
    {
        lock (_gate)
        {
            _scrolling = _scrolling is { } burst && burst.TabId == tabId
                ? burst with { Count = burst.Count + (int)Math.Round(deltaY), Last = now }
                : new Burst(tabId, (int)Math.Round(deltaY), now, now);
        }
    }

    /// <summary>Bursts that have gone quiet (or all of them, before another action or at the end).</summary>
    public IReadOnlyList<(string Kind, Burst Burst)> TakeFinished(DateTimeOffset now, bool all = false)
    {
        var finished = new List<(string, Burst)>();
        lock (_gate)
        {
            if (_typing is { } typing && (all || now - typing.Last >= Quiet))
            {
                finished.Add(("type", typing));
                _typing = null;
            }

            if (_scrolling is { } scrolling && (all || now - scrolling.Last >= Quiet))
            {
                finished.Add(("scroll", scrolling));
                _scrolling = null;
            }
        }

        return finished;
    }

    /// <summary>A run of one kind of input in one tab: how much, from when to when.</summary>
    internal sealed record Burst(string? TabId, int Count, DateTimeOffset First, DateTimeOffset Last);
}
