using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Cdp;

/// <summary>
/// <c>ws(s)://…/cdp/{sessionId}</c>: a Playwright (<c>connectOverCDP</c>) or Puppeteer (<c>connect</c>) script drives a
/// session's browser context, the same pages the panel shows. Checked as the REST routes check a session: the caller
/// must be allowed to see it (else 404, as for one that does not exist) and act on it (a viewer is refused). Each
/// connection gets its own <see cref="CdpRelay"/> to the browser's DevTools port, which shows it only this session.
/// </summary>
internal static partial class CdpEndpoint
{
    public const string Path = "/cdp";

    public static async Task HandleAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var id = http.GetRouteValue("sessionId") as string ?? "";
        var ct = http.RequestAborted;
        var right = await services.GetRequiredService<SessionAccess>().RightAsync(http.User, id, ct);
        if (!services.GetRequiredService<IOptions<CdpOptions>>().Value.Enabled || right == SessionRight.None)
        {
            await Problems.SessionNotFound(id).ExecuteAsync(http);
            return;
        }

        if (right == SessionRight.Viewer)
        {
            await Problems.Forbidden("Viewer", "You watch this session as a viewer: only its owner or a member with the controller role can drive it.")
                .ExecuteAsync(http);
            return;
        }

        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Problems.BadRequest("WebSocket required",
                $"This is a Chrome DevTools Protocol endpoint: connect a WebSocket to it, e.g. chromium.connectOverCDP('wss://<host>{Path}/{id}') "
                + "or puppeteer.connect({ browserWSEndpoint }).").ExecuteAsync(http);
            return;
        }

        BrowserSession? session;
        try
        {
            session = await services.GetRequiredService<SessionManager>().GetOrRestoreAsync(id, ct);
        }
        catch (Exception ex) when (ex is SessionLimitException or BrowserUnavailableException)
        {
            await Problems.Unavailable(ex.Message).ExecuteAsync(http);
            return;
        }

        if (session is null)
        {
            await Problems.SessionNotFound(id).ExecuteAsync(http);
            return;
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CdpEndpoint));
        var devTools = await session.Lease.Browser.DevToolsUrlAsync();
        var contextId = await ContextIdAsync(session);
        if (devTools is null || contextId is null)
        {
            await Problems.Unavailable("This session's browser has no DevTools port open (Cdp:Enabled is off, or it has just restarted); try again shortly.")
                .ExecuteAsync(http);
            return;
        }

        // No Origin header: Chromium refuses upgrades that carry one it was not told to allow.
        var upstream = new ClientWebSocket();
        upstream.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await upstream.ConnectAsync(devTools, ct);
        }
        catch (WebSocketException ex)
        {
            upstream.Dispose();
            LogUpstreamFailed(logger, ex, id);
            await Problems.Unavailable($"The session's browser did not accept the DevTools connection: {ex.Message}").ExecuteAsync(http);
            return;
        }

        var caller = Callers.Name(http.User);
        using var client = await http.WebSockets.AcceptWebSocketAsync();
        LogConnected(logger, id, caller, contextId);
        var scope = new CdpScope(session, contextId, services.GetRequiredService<UrlGuard>(),
            new CdpControl(id, caller, right, services.GetRequiredService<AgentSessions>(), services.GetRequiredService<SessionPresence>()),
            new CdpActivity(session, caller, services.GetRequiredService<HistoryRecorder>()));
        // Counted so that handing control back with no agent run still answers OK while a client waits for it.
        using (services.GetRequiredService<AgentSessions>().Find(id)?.ClientConnected())
        using (upstream)
        using (var relay = new CdpRelay(client, upstream, scope, logger))
        {
            var (status, reason) = await relay.RunAsync();
            LogClosed(logger, id, caller, status, reason);
        }
    }

    /// <summary>The session's browser context id as Chromium knows it (Playwright does not expose it).</summary>
    private static async Task<string?> ContextIdAsync(BrowserSession session)
    {
        try
        {
            var info = await session.ActiveTab.Handle.Cdp.SendAsync("Target.getTargetInfo");
            return info!.Value.GetProperty("targetInfo").GetProperty("browserContextId").GetString();
        }
        catch (Microsoft.Playwright.PlaywrightException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CDP client of {User} connected to session {SessionId} (context {ContextId})")]
    private static partial void LogConnected(ILogger logger, string sessionId, string user, string contextId);

    [LoggerMessage(Level = LogLevel.Information, Message = "CDP client of {User} on session {SessionId} closed: {Status} {Reason}")]
    private static partial void LogClosed(ILogger logger, string sessionId, string user, WebSocketCloseStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the browser's DevTools port refused the relay")]
    private static partial void LogUpstreamFailed(ILogger logger, Exception exception, string sessionId);
}
