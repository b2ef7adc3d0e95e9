namespace OperaStudio.BrowserService.History;

/// <summary>
/// Folds one session's raw human input into actions worth a log line: a burst of typing becomes one "type" entry
/// with a character count (never the text), a burst of wheel events one "scroll". Clicks and keys pass straight on.
/// A burst is one person's in one tab: when someone else (or another tab) takes over, the last burst is finished as it is.
/// </summary>
internal sealed class HumanActivity(string sessionId)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    private readonly Lock _gate = new();
    private Burst? _typing;
    private Burst? _scrolling;
    private readonly List<(string Kind, Burst Burst)> _interrupted = [];

    public string SessionId { get; } = sessionId;

    public void Typed(string? tabId, string? user, int characters, DateTimeOffset now)
    {
        lock (_gate)
        {
            _typing = Continue("type", _typing, tabId, user, characters, now);
        }
    }

    public void Scrolled(string? tabId, string? user, double deltaY, DateTimeOffset now)
    {
        lock (_gate)
        {
            _scrolling = Continue("scroll", _scrolling, tabId, user, (int)Math.Round(deltaY), now);
        }
    }

    private Burst Continue(string kind, Burst? current, string? tabId, string? user, int count, DateTimeOffset now)
    {
        if (current is not null && current.TabId == tabId && current.User == user)
        {
            return current with { Count = current.Count + count, Last = now };
        }

        if (current is not null)
        {
            _interrupted.Add((kind, current));
        }

        return new Burst(tabId, user, count, now, now);
    }

    /// <summary>Bursts that have gone quiet (or all of them, before another action or at the end).</summary>
    public IReadOnlyList<(string Kind, Burst Burst)> TakeFinished(DateTimeOffset now, bool all = false)
    {
        var finished = new List<(string, Burst)>();
        lock (_gate)
        {
            finished.AddRange(_interrupted);
            _interrupted.Clear();
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
    internal sealed record Burst(string? TabId, string? User, int Count, DateTimeOffset First, DateTimeOffset Last);
}
