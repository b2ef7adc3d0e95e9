using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions.Registry;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// Sessions and tabs over HTTP: create, list, close; open, close, navigate, back/forward/reload, activate, capture;
/// answer dialogs, hand files to a file chooser, fetch downloads. Errors are ProblemDetails.
/// </summary>
public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions").WithTags("Sessions").RequireSessionAccess();
        sessions.MapPost("/", CreateSessionAsync);
        sessions.MapGet("/", ListSessions);
        sessions.MapGet("/{id}", GetSession);
        sessions.MapDelete("/{id}", CloseSessionAsync).RequireSessionOwner();
        sessions.MapGet("/{id}/downloads", ListDownloads);
        sessions.MapGet("/{id}/downloads/{downloadId}", GetDownload);

        // Routes that act on the page: in a shared session, only whoever has control (or the owner) may use them.
        var tabs = sessions.MapGroup("/{id}/tabs");
        tabs.MapPost("/", OpenTabAsync).RequirePageControl();
        tabs.MapDelete("/{tabId}", CloseTabAsync).RequirePageControl();
        tabs.MapPost("/{tabId}/navigate", NavigateAsync).RequirePageControl();
        tabs.MapPost("/{tabId}/back", (string id, string tabId, SessionManager manager, UrlGuard guard, HttpContext http, CancellationToken ct) =>
            HistoryAsync(id, tabId, manager, guard, http, "back", tab => tab.GoBackAsync(), "There is no earlier page in this tab's history.", ct))
            .RequirePageControl();
        tabs.MapPost("/{tabId}/forward", (string id, string tabId, SessionManager manager, UrlGuard guard, HttpContext http, CancellationToken ct) =>
            HistoryAsync(id, tabId, manager, guard, http, "forward", tab => tab.GoForwardAsync(), "There is no later page in this tab's history.", ct))
            .RequirePageControl();
        tabs.MapPost("/{tabId}/reload", ReloadAsync).RequirePageControl();
        tabs.MapPost("/{tabId}/activate", ActivateAsync).RequirePageControl();
        tabs.MapGet("/{tabId}/screenshot", ScreenshotAsync);
        tabs.MapPost("/{tabId}/dialog", AnswerDialogAsync).RequirePageControl();
        tabs.MapPost("/{tabId}/files", SetFilesAsync).DisableAntiforgery().RequirePageControl();
        return app;
    }

    private static async Task<Results<Created<SessionDto>, ProblemHttpResult>> CreateSessionAsync(
        CreateSessionRequest? request, SessionManager manager, UrlGuard guard, HttpContext http, CancellationToken cancellationToken)
    {
        Uri? url = null;
        if (!string.IsNullOrWhiteSpace(request?.Url))
        {
            var check = await guard.CheckAsync(request.Url, cancellationToken);
            if (check.Problem is { } problem)
            {
                return problem;
            }

            url = check.Url;
        }

        try
        {
            var session = await manager.CreateAsync(url, Owner(http), cancellationToken);
            Record(http, session.Id, session.ActiveTab.Id, "open-session", url?.ToString(), "ok");
            return TypedResults.Created($"/api/sessions/{session.Id}", session.ToDto());
        }
        catch (SessionLimitException ex)
        {
            http.Response.Headers.RetryAfter = ((int)ex.RetryAfter.TotalSeconds).ToString();
            return Problems.TooManySessions(ex.Message);
        }
        catch (BrowserUnavailableException ex)
        {
            http.Response.Headers.RetryAfter = "5";
            return Problems.Unavailable(ex.Message);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return guard.NavigationFailed(request?.Url ?? "", ex);
        }
    }

    /// <summary>
    /// The caller's live sessions in the cluster (every one for the administrator) and those shared with them, each
    /// marked with its owner and the caller's role, from the Redis registry; this node's own when Redis is down.
    /// </summary>
    private static async Task<Ok<IReadOnlyList<SessionDto>>> ListSessions(
        SessionManager manager, SessionRegistry registry, SessionMembers members, ILoggerFactory logs, HttpContext http, CancellationToken cancellationToken)
    {
        var shared = await SharedWithCallerAsync(members, logs, http, cancellationToken);
        IEnumerable<(SessionDto Session, string? Owner)> all;
        if (await registry.ListAsync() is { } registered)
        {
            // This node's own sessions as it holds them now, then the others': the registry is written in the
            // background, and a session created a moment ago was missing from its creator's list (seen in a full run).
            var local = manager.All.Select(s => (Session: s.ToDto(), s.Owner)).ToList();
            var here = local.Select(l => l.Session.Id).ToHashSet(StringComparer.Ordinal);
            all = local.Concat(registered.Where(r => !here.Contains(r.Session.Id)).Select(r => (r.Session, r.Owner)));
        }
        else
        {
            http.Response.Headers.Warning = "199 - \"The session registry (Redis) is unreachable; listing only this node's sessions.\"";
            all = manager.All.Select(s => (s.ToDto(), s.Owner));
        }

        var listed = new List<SessionDto>();
        foreach (var (session, owner) in all)
        {
            if (RoleInList(http, owner, shared.GetValueOrDefault(session.Id)) is { } role)
            {
                listed.Add(session with { Owner = owner, Role = role });
            }
        }

        return TypedResults.Ok<IReadOnlyList<SessionDto>>(listed);
    }

    /// <summary>The caller's role in a session, or null when it is not theirs to list.</summary>
    private static string? RoleInList(HttpContext http, string? owner, string? memberRole) =>
        owner == Callers.Name(http.User) ? SessionRights.Name(SessionRight.Owner)
        : memberRole ?? (SessionAccess.Lists(http.User, owner) ? SessionRights.Name(SessionRight.Admin) : null);

    /// <summary>PostgreSQL away: the list still holds the caller's own sessions, just not the shared ones.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> SharedWithCallerAsync(
        SessionMembers members, ILoggerFactory logs, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            return await members.SharedWithAsync(Callers.Name(http.User), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logs.CreateLogger(typeof(SessionsApi)).LogWarning(ex, "Listing sessions: the ones shared with the caller are left out, PostgreSQL did not answer");
            return new Dictionary<string, string>();
        }
    }

    private static async Task<Results<Ok<SessionDto>, ProblemHttpResult>> GetSession(string id, SessionManager manager, HttpContext http, CancellationToken cancellationToken)
    {
        var (session, problem) = await ResolveAsync(manager, id, http, cancellationToken);
        return session is null ? problem! : TypedResults.Ok(session.ToDto());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CloseSessionAsync(string id, SessionManager manager, HttpContext http)
    {
        if (manager.Find(id) is not null)
        {
            Record(http, id, null, "close-session", null, "ok");
        }

        return await manager.CloseAsync(id, "closed by the user") ? TypedResults.NoContent() : Problems.SessionNotFound(id);
    }

    private static async Task<Results<Created<TabDto>, ProblemHttpResult>> OpenTabAsync(
        string id, CreateTabRequest? request, SessionManager manager, UrlGuard guard, HttpContext http, CancellationToken cancellationToken)
    {
        var (session, notFound) = await ResolveAsync(manager, id, http, cancellationToken);
        if (session is null)
        {
            return notFound!;
        }

        Uri? url = null;
        if (!string.IsNullOrWhiteSpace(request?.Url))
        {
            var check = await guard.CheckAsync(request.Url, cancellationToken);
            if (check.Problem is { } problem)
            {
                return problem;
            }

            url = check.Url;
        }

        try
        {
            var tab = await session.OpenTabAsync(url, cancellationToken);
            Record(http, id, tab.Id, "open-tab", url?.ToString(), "ok");
            return TypedResults.Created($"/api/sessions/{id}/tabs/{tab.Id}", tab.ToDto());
        }
        catch (TabLimitException ex)
        {
            return Problems.Conflict("Too many tabs", ex.Message);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return guard.NavigationFailed(request?.Url ?? "", ex);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> CloseTabAsync(
        string id, string tabId, SessionManager manager, HttpContext http, CancellationToken cancellationToken)
    {
        var (session, notFound) = await ResolveAsync(manager, id, http, cancellationToken);
        if (session is null)
        {
            return notFound!;
        }

        if (!await session.CloseTabAsync(tabId))
        {
            return Problems.TabNotFound(id, tabId);
        }

        Record(http, id, tabId, "close-tab", null, "ok");
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<TabDto>, ProblemHttpResult>> NavigateAsync(
        string id, string tabId, NavigateRequest? request, SessionManager manager, UrlGuard guard, HttpContext http, CancellationToken cancellationToken)
    {
        var (tab, notFound) = await FindTabAsync(manager, id, tabId, http, cancellationToken);
        if (tab is null)
        {
            return notFound!;
        }

        // The tab's own origin may open its blob: URLs, as the page itself may.
        var check = await guard.CheckAsync(request?.Url, tab!.Url, cancellationToken);
        if (check.Problem is { } problem)
        {
            await UrlGuard.ShowRefusalAsync(tab!, check);
            Record(http, id, tabId, "navigate", request?.Url, check.Refusal is null ? "invalid" : "refused", check.Reason);
            return problem;
        }

        try
        {
            await tab!.NavigateAsync(check.Url!, cancellationToken);
            Record(http, id, tabId, "navigate", check.Url!.ToString(), "ok");
            return TypedResults.Ok(tab.ToDto());
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            Record(http, id, tabId, "navigate", check.Url!.ToString(), "error", FirstLine(ex.Message));
            return guard.NavigationFailed(check.Url!.ToString(), ex);
        }
    }

    private static async Task<Results<Ok<TabDto>, ProblemHttpResult>> HistoryAsync(
        string id, string tabId, SessionManager manager, UrlGuard guard, HttpContext http, string kind, Func<BrowserTab, Task<bool>> move, string nothingThere,
        CancellationToken cancellationToken)
    {
        var (tab, notFound) = await FindTabAsync(manager, id, tabId, http, cancellationToken);
        if (tab is null)
        {
            return notFound!;
        }

        try
        {
            var moved = await move(tab!);
            Record(http, id, tabId, kind, tab!.Url, moved ? "ok" : "nothing-there");
            return moved ? TypedResults.Ok(tab!.ToDto()) : Problems.Conflict("Nothing to go to", nothingThere);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return guard.NavigationFailed(tab!.Url, ex);
        }
    }

    private static async Task<Results<Ok<TabDto>, ProblemHttpResult>> ReloadAsync(
        string id, string tabId, SessionManager manager, UrlGuard guard, HttpContext http, CancellationToken cancellationToken)
    {
        var (tab, notFound) = await FindTabAsync(manager, id, tabId, http, cancellationToken);
        if (tab is null)
        {
            return notFound!;
        }

        try
        {
            await tab!.ReloadAsync();
            Record(http, id, tabId, "reload", tab.Url, "ok");
            return TypedResults.Ok(tab.ToDto());
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return guard.NavigationFailed(tab!.Url, ex);
        }
    }

    private static async Task<Results<Ok<SessionDto>, ProblemHttpResult>> ActivateAsync(
        string id, string tabId, SessionManager manager, HttpContext http, CancellationToken cancellationToken)
    {
        var (session, notFound) = await ResolveAsync(manager, id, http, cancellationToken);
        if (session is null)
        {
            return notFound!;
        }

        if (!await session.ActivateAsync(tabId))
        {
            return Problems.TabNotFound(id, tabId);
        }

        Record(http, id, tabId, "switch-tab", null, "ok");
        return TypedResults.Ok(session.ToDto());
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ScreenshotAsync(
        string id, string tabId, SessionManager manager, bool? fullPage, HttpContext http, CancellationToken cancellationToken)
    {
        var (tab, notFound) = await FindTabAsync(manager, id, tabId, http, cancellationToken);
        if (tab is null)
        {
            return notFound!;
        }

        try
        {
            return TypedResults.File(await tab!.ScreenshotAsync(fullPage ?? false), "image/jpeg");
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return Problems.Conflict("Screenshot failed", $"The tab could not be captured: {FirstLine(ex.Message)}");
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AnswerDialogAsync(
        string id, string tabId, DialogAnswerRequest? request, SessionManager manager, HttpContext http, CancellationToken cancellationToken)
    {
        var (tab, notFound) = await FindTabAsync(manager, id, tabId, http, cancellationToken);
        if (tab is null)
        {
            return notFound!;
        }

        if (request is null)
        {
            return Problems.BadRequest("Missing answer", "Send {\"accept\": true|false, \"promptText\": \"...\"}.");
        }

        if (request.PromptText is { Length: > InputLimits.DialogAnswer } promptText)
        {
            return Problems.TooLong("promptText", promptText.Length, InputLimits.DialogAnswer);
        }

        var dialog = tab!.PendingDialog;
        if (!await tab.AnswerDialogAsync(request.Accept, request.PromptText))
        {
            return Problems.Conflict("No dialog", "This tab has no dialog waiting for an answer.");
        }

        Record(http, id, tabId, "dialog", $"{dialog?.Type}: {dialog?.Message}", request.Accept ? "accepted" : "dismissed");
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetFilesAsync(
        string id, string tabId, IFormFileCollection files, SessionManager manager, HttpContext http, CancellationToken cancellationToken)
    {
        var (tab, notFound) = await FindTabAsync(manager, id, tabId, http, cancellationToken);
        if (tab is null)
        {
            return notFound!;
        }

        if (!tab!.HasFileChooser)
        {
            return Problems.Conflict("No file chooser", "This tab is not asking for files.");
        }

        var payloads = new List<FilePayload>();
        foreach (var file in files)
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellationToken);
            payloads.Add(new FilePayload { Name = Path.GetFileName(file.FileName), MimeType = file.ContentType, Buffer = buffer.ToArray() });
        }

        if (!await tab.SetFilesAsync(payloads))
        {
            return Problems.Conflict("No file chooser", "This tab is not asking for files.");
        }

        Record(http, id, tabId, "upload", string.Join(", ", payloads.Select(p => p.Name)), "ok");
        return TypedResults.NoContent();
    }

    private static Results<Ok<IReadOnlyList<DownloadDto>>, ProblemHttpResult> ListDownloads(string id, SessionManager manager) =>
        manager.Find(id) is { } session ? TypedResults.Ok(session.Downloads) : Problems.SessionNotFound(id);


    private static Results<PhysicalFileHttpResult, ProblemHttpResult> GetDownload(string id, string downloadId, SessionManager manager)
    {
        if (manager.Find(id) is not { } session)
        {
            return Problems.SessionNotFound(id);
        }

        return session.FindDownload(downloadId) is { Info.Error: null } download && File.Exists(download.Path)
            ? TypedResults.PhysicalFile(download.Path, "application/octet-stream", download.Info.FileName)
            : Problems.NotFound("Download not found", $"Session {id} has no finished download '{downloadId}'.");
    }

    private static async Task<(BrowserTab? Tab, ProblemHttpResult? Problem)> FindTabAsync(
        SessionManager manager, string id, string tabId, HttpContext http, CancellationToken cancellationToken)
    {
        var (session, problem) = await ResolveAsync(manager, id, http, cancellationToken);
        if (session is null)
        {
            return (null, problem);
        }

        var tab = session.FindTab(tabId);
        return tab is null ? (null, Problems.TabNotFound(id, tabId)) : (tab, null);
    }

    /// <summary>The live session, restoring a released or suspended one; a problem when that cannot be.</summary>
    private static async Task<(BrowserSession? Session, ProblemHttpResult? Problem)> ResolveAsync(
        SessionManager manager, string id, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            return await manager.GetOrRestoreAsync(id, cancellationToken) is { } session
                ? (session, null)
                : (null, Problems.SessionNotFound(id));
        }
        catch (SessionLimitException ex)
        {
            http.Response.Headers.RetryAfter = ((int)ex.RetryAfter.TotalSeconds).ToString();
            return (null, Problems.TooManySessions(ex.Message));
        }
        catch (BrowserUnavailableException ex)
        {
            http.Response.Headers.RetryAfter = "5";
            return (null, Problems.Unavailable(ex.Message));
        }
    }

    /// <summary>
    /// Logs an action in the session's history, with the person who did it: the web app marks its user's actions
    /// (X-Opera-Actor: human); anything else through the API is a script's.
    /// </summary>
    private static void Record(HttpContext http, string sessionId, string? tabId, string kind, string? target, string outcome, string? detail = null) =>
        http.RequestServices.GetRequiredService<HistoryRecorder>().Action(
            sessionId, tabId, http.Request.Headers[ApiHeaders.Actor] == ApiHeaders.HumanActor ? Actor.Human : Actor.Api, kind, target, outcome,
            detail is null ? null : System.Text.Json.JsonSerializer.Serialize(new { message = detail }), Callers.Name(http.User));

    /// <summary>The session's owner: the signed-in caller (see <see cref="CallerAuthenticationHandler"/>), whom per-user limits count.</summary>
    private static string Owner(HttpContext http) => Callers.Name(http.User);

    internal static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
