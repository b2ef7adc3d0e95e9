using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Identity;

namespace OperaStudio.BrowserService.History;

/// <summary>
/// Past sessions, and one session's history as a single timeline joining its navigations, actions (human, API,
/// agent), chat turns and agent steps. Answers 503 with the reason while PostgreSQL is unreachable.
/// </summary>
public static class HistoryApi
{
    private const int MaxEntries = 2000;

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var history = app.MapGroup("/api/history").WithTags("History").RequireSessionAccess();
        history.MapGet("/sessions", ListSessionsAsync);
        history.MapGet("/sessions/{id}", GetTimelineAsync);
        return app;
    }

    private static async Task<Results<Ok<PastSessionsPageDto>, ProblemHttpResult>> ListSessionsAsync(
        IDbContextFactory<OperaDbContext> factory, SessionManager sessions, HttpContext http, int? skip, int? take, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            // The caller's own sessions; the administrator's list has everyone's.
            var caller = Callers.Name(http.User);
            var mine = Callers.IsAdmin(http.User) ? db.Sessions.AsNoTracking() : db.Sessions.AsNoTracking().Where(s => s.Owner == caller);
            var total = await mine.CountAsync(cancellationToken);
            var records = await mine.Include(s => s.Tabs)
                .OrderByDescending(s => s.LastActivityAt)
                .Skip(Math.Max(0, skip ?? 0)).Take(Math.Clamp(take ?? 50, 1, 200))
                .ToListAsync(cancellationToken);
            var listed = records.Select(r => ToDto(r, sessions)).ToList();
            // Sessions of this node so new that their first save has not happened yet belong on the first page too.
            var live = sessions.All.Where(s => SessionAccess.Lists(http.User, s.Owner)).ToList();
            var liveIds = live.Select(l => l.Id).ToList();
            var known = await db.Sessions.AsNoTracking().Where(r => liveIds.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellationToken);
            var unsaved = live.Where(l => !known.Contains(l.Id)).Select(ToDto).ToList();
            if ((skip ?? 0) == 0 && unsaved.Count > 0)
            {
                listed = [.. unsaved.Concat(listed).OrderByDescending(l => l.LastActivityAt)];
            }

            return TypedResults.Ok(new PastSessionsPageDto(listed, total + unsaved.Count));
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    private static async Task<Results<Ok<SessionTimelineDto>, ProblemHttpResult>> GetTimelineAsync(
        string id, IDbContextFactory<OperaDbContext> factory, SessionManager sessions, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            var record = await db.Sessions.AsNoTracking().Include(s => s.Tabs).FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
            var header = record is not null ? ToDto(record, sessions) : sessions.Find(id) is { } live ? ToDto(live) : null;
            if (header is null)
            {
                return Problems.NotFound("Session not found", $"There is no history for a session '{id}'.");
            }

            var navigations = await db.Navigations.AsNoTracking().Where(n => n.SessionId == id)
                .OrderByDescending(n => n.At).Take(MaxEntries).ToListAsync(cancellationToken);
            var actions = await db.Actions.AsNoTracking().Where(a => a.SessionId == id)
                .OrderByDescending(a => a.At).Take(MaxEntries).ToListAsync(cancellationToken);
            var chat = await db.ChatMessages.AsNoTracking().Where(m => m.SessionId == id)
                .OrderByDescending(m => m.At).Take(MaxEntries).ToListAsync(cancellationToken);

            // Agent steps appear twice in the store (the transcript and the action log); the timeline shows the step once.
            var entries = navigations.Select(n => new TimelineEntryDto(n.At, "navigation", "page", n.TabId, n.Title.Length > 0 ? n.Title : n.Url, n.Url, null))
                .Concat(actions.Where(a => a.Actor != Actor.Agent).Select(a =>
                    new TimelineEntryDto(a.At, "action", a.Actor.ToString().ToLowerInvariant(), a.TabId, a.Kind, a.Target, a.Outcome, a.User)))
                .Concat(chat.Select(m => m.Role == "tool"
                    ? new TimelineEntryDto(m.At, "step", "agent", null, m.ToolName ?? "tool", m.ToolArguments, m.Status)
                    : new TimelineEntryDto(m.At, "chat", m.Role, null, m.Role, m.Text, null, m.Author)))
                .OrderBy(e => e.At)
                .ToList();
            var truncated = entries.Count > MaxEntries;
            return TypedResults.Ok(new SessionTimelineDto(header, truncated ? entries[^MaxEntries..] : entries, truncated));
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Unavailable(ex);
        }
    }

    private static PastSessionDto ToDto(SessionRecord record, SessionManager sessions)
    {
        var open = record.Tabs.Where(t => t.IsOpen).OrderBy(t => t.Position).ToList();
        var shown = open.FirstOrDefault(t => t.Id == record.ActiveTabId) ?? open.FirstOrDefault();
        return new PastSessionDto(
            record.Id, record.Owner, record.State.ToString().ToLowerInvariant(), record.CreatedAt, record.LastActivityAt,
            record.EndedAt, record.EndReason, open.Count, shown?.Url, shown?.Title, sessions.Find(record.Id) is not null);
    }

    /// <summary>A session so new that its first save has not happened yet.</summary>
    private static PastSessionDto ToDto(BrowserSession live)
    {
        var tab = live.ActiveTab.ToDto();
        return new PastSessionDto(live.Id, live.Owner, "live", live.CreatedAt, live.LastActivityAt, null, null, live.Tabs.Count, tab.Url, tab.Title, true);
    }

    private static ProblemHttpResult Unavailable(Exception ex) =>
        TypedResults.Problem(
            $"History is unavailable: PostgreSQL is not reachable ({ex.GetBaseException().Message}). Live sessions keep working; history written meanwhile is kept and saved when it returns.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "History unavailable");
}
