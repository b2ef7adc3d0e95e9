using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Data;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.History;

/// <summary>
/// Writes each session's history to PostgreSQL: pages its tabs arrived at, every human, API and agent action (with
/// its tab, target and outcome), and the chat with its tool steps. Callers only enqueue; a background writer
/// batches the inserts, and keeps (a bounded number of) them while PostgreSQL is away.
/// </summary>
public sealed partial class HistoryRecorder : BackgroundService
{
    private const int MaxBatchSize = 500;

    private readonly IDbContextFactory<OperaDbContext> _factory;
    private readonly DatabaseInitializer _database;
    private readonly BrowserServiceMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<HistoryRecorder> _logger;
    private readonly Channel<HistoryItem> _items;
    private readonly int _capacity;
    private readonly int _batchSize;
    private readonly ConcurrentDictionary<string, HumanActivity> _human = new(StringComparer.Ordinal);
    private long _written;
    private long _droppedUnlogged;

    public HistoryRecorder(
        IDbContextFactory<OperaDbContext> factory, DatabaseInitializer database, BrowserServiceMetrics metrics,
        IOptions<HistoryOptions> options, TimeProvider time, ILogger<HistoryRecorder> logger)
    {
        _factory = factory;
        _database = database;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _capacity = options.Value.MaxPending;
        // The batch in hand counts too: at most twice the bound is ever held.
        _batchSize = Math.Min(MaxBatchSize, _capacity);
        _items = Channel.CreateBounded<HistoryItem>(
            new BoundedChannelOptions(_capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ =>
            {
                Interlocked.Increment(ref _droppedUnlogged);
                _metrics.HistoryRecordDropped("queue-full");
            });
    }

    /// <summary>Records written so far (for the operations view).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records waiting to be written (grows while PostgreSQL is away).</summary>
    public int Pending => _items.Reader.Count;

    /// <summary>Starts recording a session's navigations, chat and agent steps (as it starts or is restored).</summary>
    public void Track(BrowserSession session)
    {
        // A navigation is written once its page has loaded, so it carries its title, or when the tab moves on
        // (with the last title seen for it: title and load events are not ordered against each other).
        var pendingNavigations = new ConcurrentDictionary<string, PendingNavigation>(StringComparer.Ordinal);
        _human[session.Id] = new HumanActivity(session.Id);
        session.Events += e =>
        {
            switch (e)
            {
                case TabNavigated navigated:
                    if (pendingNavigations.TryRemove(navigated.TabId, out var unfinished))
                    {
                        Navigation(session.Id, navigated.TabId, unfinished.Url, unfinished.Title, unfinished.At);
                    }

                    pendingNavigations[navigated.TabId] = new PendingNavigation(navigated.Url, _time.GetUtcNow(), "");
                    break;
                case TabUpdated { Tab: var tab } when pendingNavigations.TryGetValue(tab.Id, out var pending)
                    && pending.Url == tab.Url && tab.Title != tab.Url:
                    if (tab.IsLoading)
                    {
                        pendingNavigations.TryUpdate(tab.Id, pending with { Title = tab.Title }, pending);
                    }
                    else if (pendingNavigations.TryRemove(new KeyValuePair<string, PendingNavigation>(tab.Id, pending)))
                    {
                        Navigation(session.Id, tab.Id, pending.Url, tab.Title, pending.At);
                    }

                    break;
                case AgentMessageAdded added:
                    Enqueue(new HistoryItem.Chat(new ChatMessageRecord
                    {
                        SessionId = session.Id, RunId = added.Message.RunId, At = added.Message.At,
                        Role = added.Message.Role, Text = added.Message.Text, Author = added.Message.Author,
                    }));
                    break;
                case AgentStepChanged { IsFinal: true, Step: var step }:
                    Step(session, step);
                    break;
                case SessionEnded:
                    foreach (var (tabId, open) in pendingNavigations)
                    {
                        Navigation(session.Id, tabId, open.Url, open.Title, open.At);
                    }

                    FlushHuman(session.Id, all: true);
                    _human.TryRemove(session.Id, out _);
                    break;
            }
        };
    }

    /// <summary>An action by a person in the panel, or by a script or the web app through the API.</summary>
    /// <remarks><paramref name="user"/>: the person who did it (a shared session has several).</remarks>
    public void Action(
        string sessionId, string? tabId, Actor actor, string kind, string? target, string outcome, string? detail = null, string? user = null) =>
        Record(sessionId, tabId, actor, kind, target, outcome, detail, _time.GetUtcNow(), user, finishBursts: true);

    private void Record(
        string sessionId, string? tabId, Actor actor, string kind, string? target, string outcome, string? detail, DateTimeOffset at, string? user,
        bool finishBursts)
    {
        if (finishBursts)
        {
            FlushHuman(sessionId, all: true);
        }

        Enqueue(new HistoryItem.Action(new ActionRecord
        {
            SessionId = sessionId, TabId = tabId, At = at, Actor = actor, User = user, Kind = kind,
            Target = Clip(target, 2000), Outcome = outcome, Detail = detail,
        }));
    }

    /// <summary>A click in the panel; what was under the pointer is looked up off the input path.</summary>
    public void Click(BrowserSession session, double x, double y, string? user)
    {
        var tab = session.ActiveTab;
        // Typing and scrolling before the click end here, now: the click is written once the page has said what it
        // landed on (up to seconds later), and by then the person may be typing into what they clicked.
        FlushHuman(session.Id, all: true);
        _ = DescribeAndRecordAsync(session.Id, tab, x, y, user);
    }

    public void Typed(string sessionId, string? tabId, int characters, string? user) =>
        _human.GetValueOrDefault(sessionId)?.Typed(tabId, user, characters, _time.GetUtcNow());

    public void Scrolled(string sessionId, string? tabId, double deltaY, string? user) =>
        _human.GetValueOrDefault(sessionId)?.Scrolled(tabId, user, deltaY, _time.GetUtcNow());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<HistoryItem>(_batchSize);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var activity in _human.Values)
            {
                FlushHuman(activity.SessionId, all: false);
            }

            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(TimeSpan.FromMilliseconds(500));
                if (batch.Count == 0 && await _items.Reader.WaitToReadAsync(wait.Token))
                {
                    await Task.Delay(50, stoppingToken); // let a burst gather
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Half a second without history: check the typing bursts again.
            }
            catch (OperationCanceledException)
            {
                break;
            }

            LogDroppedWhileFull();
            while (batch.Count < _batchSize && _items.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            if (await WriteAsync(batch, stoppingToken))
            {
                failures = 0;
            }
            else
            {
                // PostgreSQL is away: keep the batch (and the queue, up to its bound) and try again.
                failures++;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, failures)), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        // Last chance for what is queued at shutdown.
        while (_items.Reader.TryRead(out var item))
        {
            batch.Add(item);
        }

        if (batch.Count > 0)
        {
            await WriteAsync(batch, CancellationToken.None);
        }

        LogDroppedWhileFull();
    }

    /// <summary>
    /// Writes the batch and empties it. A part PostgreSQL refuses for its data is halved until the record at fault is
    /// alone, which is dropped (logged and counted) so the rest is written. False when the store is away: what is not
    /// written yet stays in the batch for the next try.
    /// </summary>
    private async Task<bool> WriteAsync(List<HistoryItem> batch, CancellationToken cancellationToken)
    {
        var done = new HashSet<HistoryItem>(ReferenceEqualityComparer.Instance);
        var reachable = await WriteSplittingAsync(batch, done, cancellationToken);
        batch.RemoveAll(done.Contains);
        return reachable;
    }

    private async Task<bool> WriteSplittingAsync(List<HistoryItem> part, HashSet<HistoryItem> done, CancellationToken cancellationToken)
    {
        var failure = await TryWriteAsync(part, cancellationToken);
        if (failure is null)
        {
            done.UnionWith(part);
            Interlocked.Add(ref _written, part.Count);
            return true;
        }

        if (!StoreErrors.IsDataError(failure))
        {
            LogWriteFailed(failure, part.Count, Pending);
            return false;
        }

        if (part.Count == 1)
        {
            done.Add(part[0]);
            _metrics.HistoryRecordDropped("invalid");
            LogRecordRefused(failure, part[0].GetType().Name, part[0].SessionId);
            return true;
        }

        var half = part.Count / 2;
        return await WriteSplittingAsync(part[..half], done, cancellationToken)
            && await WriteSplittingAsync(part[half..], done, cancellationToken);
    }

    /// <summary>One attempt in one transaction; the error when it failed.</summary>
    private async Task<Exception?> TryWriteAsync(List<HistoryItem> batch, CancellationToken cancellationToken)
    {
        try
        {
            await _database.WaitUntilReadyAsync(cancellationToken);
            await using var db = await _factory.CreateDbContextAsync(cancellationToken);
            foreach (var item in batch)
            {
                switch (item)
                {
                    case HistoryItem.Navigation n:
                        db.Navigations.Add(n.Record);
                        break;
                    case HistoryItem.Action a:
                        db.Actions.Add(a.Record);
                        break;
                    case HistoryItem.Chat c:
                        db.ChatMessages.Add(c.Record);
                        break;
                    case HistoryItem.RecordingEvent r:
                        db.RecordingEvents.Add(r.Record);
                        break;
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ex;
        }
    }

    private void LogDroppedWhileFull()
    {
        if (Interlocked.Exchange(ref _droppedUnlogged, 0) is var dropped and > 0)
        {
            LogQueueFull(dropped, _capacity);
        }
    }

    private void Navigation(string sessionId, string tabId, string url, string title, DateTimeOffset at) =>
        Enqueue(new HistoryItem.Navigation(new NavigationRecord
        {
            SessionId = sessionId, TabId = tabId, At = at, Url = Clip(url, 8192)!, Title = Clip(title, 1000)!,
        }));

    /// <summary>
    /// A finished step: in the action log, and for the agent's steps in the transcript too (the timeline shows those
    /// from the transcript). An actions-API or MCP call is no part of a chat: it is logged once, as the caller's action
    /// (an MCP client's with the client's name).
    /// </summary>
    private void Step(BrowserSession session, Contracts.AgentStepDto step)
    {
        var outcome = step.Status;
        var byMcp = step.Source == Agent.Runs.StepOrigin.McpSource;
        var byApi = byMcp || step.Source == Agent.Runs.StepOrigin.ActionsSource;
        if (!byApi)
        {
            Enqueue(new HistoryItem.Chat(new ChatMessageRecord
            {
                SessionId = session.Id, RunId = step.RunId, At = step.FinishedAt ?? _time.GetUtcNow(), Role = "tool",
                ToolName = step.Tool, ToolArguments = step.Arguments, ToolResult = Clip(step.Error ?? step.Summary, 4000), Status = outcome,
            }));
        }

        Enqueue(new HistoryItem.Action(new ActionRecord
        {
            SessionId = session.Id, TabId = session.IsClosed ? null : session.ActiveTab.Id, At = step.FinishedAt ?? _time.GetUtcNow(),
            Actor = byMcp ? Actor.Mcp : byApi ? Actor.Api : Actor.Agent, User = byMcp ? step.Client : null, Kind = step.Tool,
            Target = Clip(step.Arguments, 2000), Outcome = outcome, Detail = null, RunId = step.RunId,
        }));
    }

    private void FlushHuman(string sessionId, bool all)
    {
        if (_human.GetValueOrDefault(sessionId) is not { } activity)
        {
            return;
        }

        foreach (var (kind, burst) in activity.TakeFinished(_time.GetUtcNow(), all))
        {
            Enqueue(new HistoryItem.Action(new ActionRecord
            {
                SessionId = sessionId, TabId = burst.TabId, At = burst.First, Actor = Actor.Human, User = burst.User, Kind = kind,
                Target = kind == "type" ? $"{burst.Count} character(s)" : $"{Math.Abs(burst.Count)} px {(burst.Count >= 0 ? "down" : "up")}",
                Outcome = "ok",
            }));
        }
    }

    private async Task DescribeAndRecordAsync(string sessionId, BrowserTab tab, double x, double y, string? user)
    {
        // Dated when clicked, not when described: the page may be slow to answer, and the timeline is in time order.
        var at = _time.GetUtcNow();
        var urlAtPress = tab.Url;
        // The report normally takes milliseconds; a loaded machine has delayed it past 2 s in a full test run.
        var target = await tab.Presses.WhatWasPressedAsync(x, y, TimeSpan.FromSeconds(10));
        if (target is null)
        {
            LogPressUnreported(sessionId, x, y);
            // A page that has moved on would name whatever the next one has there (a full run recorded "html"):
            // the coordinates are truer than that.
            target = tab.Url == urlAtPress ? await DescribeNowAsync(tab, x, y) : null;
        }

        Record(sessionId, tab.Id, Actor.Human, "click", target ?? $"({x:0}, {y:0})", "ok", null, at, user, finishBursts: false);
    }

    /// <summary>When the page did not report the press (inside a frame, say): what is there now, if the page still is.</summary>
    private static async Task<string?> DescribeNowAsync(BrowserTab tab, double x, double y)
    {
        try
        {
            return await tab.Page.EvaluateAsync<string?>(
                $"([x, y]) => ({PressWitness.Describe})(document.elementFromPoint(x, y))", new[] { x, y });
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Each navigation, action and chat turn as it is queued (on the caller's thread): the recordings take their
    /// events from here rather than watching the same input a second time. Handlers must be quick and must not throw.
    /// </summary>
    internal event Action<HistoryItem>? Queued;

    /// <summary>A recording's event, written with the history (never blocks).</summary>
    internal void Write(string sessionId, RecordingEventRecord record) => _items.Writer.TryWrite(new HistoryItem.RecordingEvent(sessionId, record));

    /// <summary>Never blocks: when PostgreSQL has been away long enough to fill the queue, the oldest records go (counted).</summary>
    private void Enqueue(HistoryItem item)
    {
        _items.Writer.TryWrite(item);
        Queued?.Invoke(item);
    }

    private static string? Clip(string? text, int max) => text is null || text.Length <= max ? text : text[..max];

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: the page did not report the press at ({X}, {Y}) (inside a frame, or it stopped the event); naming what is there now")]
    private partial void LogPressUnreported(string sessionId, double x, double y);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} history record(s) failed; {Pending} more wait. Retrying")]
    private partial void LogWriteFailed(Exception exception, int count, int pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL refused a history record ({Kind} of session {SessionId}) for its data; dropped it, the rest is written")]
    private partial void LogRecordRefused(Exception exception, string kind, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The history queue was full ({Capacity} records, History:MaxPending): dropped the {Dropped} oldest")]
    private partial void LogQueueFull(long dropped, int capacity);

    private sealed record PendingNavigation(string Url, DateTimeOffset At, string Title);
}
