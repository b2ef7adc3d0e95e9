using System.Text.Json;
using System.Text.Json.Nodes;

namespace OperaStudio.BrowserService.Cdp;

// What the client sends: checked, scoped to the session's context, then forwarded (or answered here).
internal sealed partial class CdpRelay
{
    private const int ParseError = -32700;
    private const int InvalidRequest = -32600;
    private const int ServerError = -32000;
    private const int SessionNotFound = -32001;

    /// <summary>A command the relay answered itself: nothing to forward, nothing more to send.</summary>
    private static readonly JsonObject Answered = [];

    private async Task FromClientAsync(string text)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            await SendToClientAsync(CdpJson.Error(null, ParseError, "Not a CDP message: send a JSON object such as {\"id\":1,\"method\":\"Browser.getVersion\"}."));
            return;
        }

        var hasId = CdpJson.TryId(message, out var id);
        var method = CdpJson.Text(message, "method");
        var sessionId = CdpJson.Text(message, "sessionId");
        if (!hasId || method is null || (message["sessionId"] is not null && sessionId is null) || (message["params"] is { } p && p is not JsonObject))
        {
            await SendToClientAsync(CdpJson.Error(hasId ? id : null, InvalidRequest,
                "A CDP command needs an integer \"id\", a string \"method\", and optionally an object \"params\" and a string \"sessionId\"."));
            return;
        }

        var parameters = message["params"] as JsonObject;
        var refusal = sessionId is null || _browserSessions.ContainsKey(sessionId)
            ? await BrowserCommandAsync(id, method, parameters, message, sessionId)
            : await PageCommandAsync(id, sessionId, method, parameters, message);
        if (ReferenceEquals(refusal, Answered))
        {
            return;
        }

        if (refusal is not null)
        {
            await SendToClientAsync(refusal);
            return;
        }

        await SendToBrowserAsync(message.ToJsonString());
    }

    /// <summary>A command on a target's CDP session: null to forward it, or the answer that refuses it.</summary>
    private async Task<JsonObject?> PageCommandAsync(int id, string sessionId, string method, JsonObject? parameters, JsonObject message)
    {
        if (!_sessions.TryGetValue(sessionId, out var targetId))
        {
            return CdpJson.Error(id, SessionNotFound,
                $"Session with given id not found: {sessionId} is not attached through this connection (it reaches only its Opera Studio session's pages).",
                sessionId);
        }

        if (CdpMethods.IsActing(method) && scope.Control.Refusal(method) is { } paused)
        {
            return CdpJson.Error(id, ServerError, paused, sessionId);
        }

        if (method == "Page.navigate" && await UrlRefusalAsync(CdpJson.Text(parameters, "url")) is { } refused)
        {
            return CdpJson.Error(id, ServerError, refused, sessionId);
        }

        if (method.StartsWith("Target.", StringComparison.Ordinal) && method is not ("Target.setAutoAttach" or "Target.detachFromTarget")
            && await TargetCommandAsync(id, method, parameters, sessionId) is { } targetRefusal)
        {
            return targetRefusal;
        }

        // Chromium serves the Browser domain on a page's session too (Browser.crash, permissions of any context):
        // held to the same rules as at the browser level.
        if (method.StartsWith("Browser.", StringComparison.Ordinal)
            && await BrowserCommandAsync(id, method, parameters, message, sessionId) is { } browserRefusal)
        {
            return browserRefusal;
        }

        scope.Activity.Sent(method, parameters, targetId);
        return null;
    }

    /// <summary>A browser-level command: only what stays inside the session's context passes (some are scoped to it here).</summary>
    /// <remarks><paramref name="sessionId"/>: set when sent on a CDP session attached to the browser target itself.</remarks>
    private async Task<JsonObject?> BrowserCommandAsync(int id, string method, JsonObject? parameters, JsonObject message, string? sessionId)
    {
        if (method.StartsWith("Target.", StringComparison.Ordinal) || CdpMethods.TargetScoped.Contains(method))
        {
            return await TargetCommandAsync(id, method, parameters, sessionId);
        }

        if (CdpMethods.ContextScoped.Contains(method) || method.StartsWith("Storage.", StringComparison.Ordinal))
        {
            return ScopeToContext(id, method, parameters, message, sessionId);
        }

        switch (method)
        {
            case "Browser.getVersion":
            case var info when info.StartsWith("SystemInfo.", StringComparison.Ordinal):
                return null;
            case "Browser.setDownloadBehavior":
                // Downloads stay the service's (the panel lists them and their limits apply): acknowledged, not applied.
                return CdpJson.Text(parameters, "browserContextId") is { } context && context != scope.ContextId
                    ? NotThisSession(id, method, "it names another browser context", sessionId)
                    : await ReplyAsync(id, [], sessionId);
            default:
                return NotThisSession(id, method, "at the browser level it would reach beyond this session's browser context", sessionId);
        }
    }

    /// <summary>Target.*: targets, contexts and new pages of the session's context only.</summary>
    private async Task<JsonObject?> TargetCommandAsync(int id, string method, JsonObject? parameters, string? sessionId)
    {
        switch (method)
        {
            case "Target.setDiscoverTargets":
            case "Target.setAutoAttach":
                return null;
            case "Target.getTargets":
            case "Target.getTargetInfo" when CdpJson.Text(parameters, "targetId") is null:
                _pending[Key(sessionId, id)] = method;
                return null;
            case "Target.attachToBrowserTarget":
                // Playwright's NewBrowserCDPSessionAsync: a CDP session on the browser itself, filtered as this connection is.
                _pending[Key(sessionId, id)] = method;
                return null;
            case "Target.getBrowserContexts":
                return await ReplyAsync(id, new JsonObject { ["browserContextIds"] = new JsonArray(scope.ContextId) }, sessionId);
            case "Target.detachFromTarget":
                return CdpJson.Text(parameters, "sessionId") is { } detached && (_sessions.ContainsKey(detached) || _browserSessions.ContainsKey(detached))
                    ? null
                    : CdpJson.Error(id, SessionNotFound, "No such session attached through this connection.", sessionId);
            case "Target.createTarget":
                return await CreateTargetAsync(id, parameters!, sessionId);
            case var scoped when CdpMethods.TargetScoped.Contains(scoped):
                if (CdpJson.Text(parameters, "targetId") is not { } targetId || !await IsSessionTargetAsync(targetId))
                {
                    return CdpJson.Error(id, ServerError,
                        $"{method} refused: target {CdpJson.Text(parameters, "targetId") ?? "(none)"} is not a page of Opera Studio session {Session.Id}; "
                        + "this connection reaches only that session's targets.", sessionId);
                }

                if (CdpMethods.IsActing(method) && scope.Control.Refusal(method) is { } paused)
                {
                    return CdpJson.Error(id, ServerError, paused, sessionId);
                }

                if (method == "Target.attachToTarget")
                {
                    _pending[Key(sessionId, id)] = $"{method} {targetId}";
                }

                return null;
            default:
                return NotThisSession(id, method, "it would reach beyond this session's browser context", sessionId);
        }
    }

    /// <summary>A new page, always in the session's context (a client's "default" context is this one), at an address the URL policy allows.</summary>
    private async Task<JsonObject?> CreateTargetAsync(int id, JsonObject? parameters, string? sessionId)
    {
        if (parameters is null)
        {
            return CdpJson.Error(id, InvalidRequest, "Target.createTarget needs params with a \"url\".", sessionId);
        }

        if (CdpJson.Text(parameters, "browserContextId") is { } context && context != scope.ContextId)
        {
            return NotThisSession(id, "Target.createTarget", "it names another browser context", sessionId);
        }

        if (scope.Control.Refusal("Target.createTarget") is { } paused)
        {
            return CdpJson.Error(id, ServerError, paused, sessionId);
        }

        if (await UrlRefusalAsync(CdpJson.Text(parameters, "url")) is { } refused)
        {
            return CdpJson.Error(id, ServerError, refused, sessionId);
        }

        // Opened as the panel opens a tab, so it is one at once: a page Chromium made on the client's word was, now and
        // then, never reported to the service's Playwright and never became a tab. Not awaited here: the new page waits
        // for this client's Runtime.runIfWaitingForDebugger (its auto-attach), which comes through this same loop.
        var url = CdpJson.Text(parameters, "url");
        _ = OpenTabAsync(id, url is null or "" or "about:blank" ? null : new Uri(url), sessionId);
        return Answered;
    }

    /// <summary>Opens a tab for Target.createTarget and answers with its target id (or why it could not).</summary>
    private async Task OpenTabAsync(int id, Uri? url, string? sessionId)
    {
        try
        {
            var tab = await Session.OpenTabAsync(url);
            _targets[tab.Handle.TargetId] = 0;
            await SendToClientAsync(CdpJson.Result(id, new JsonObject { ["targetId"] = tab.Handle.TargetId }, sessionId));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The tab limit, a failed first navigation, the session ending: the client hears why; nothing else waits on it.
            await SendToClientAsync(CdpJson.Error(id, ServerError, $"Target.createTarget failed: {Sessions.SessionsApi.FirstLine(ex.Message)}", sessionId));
        }
    }

    /// <summary>Browser-level methods with a browserContextId: scoped to the session's (none given means it), refused for another.</summary>
    private JsonObject? ScopeToContext(int id, string method, JsonObject? parameters, JsonObject message, string? sessionId)
    {
        if (CdpJson.Text(parameters, "browserContextId") is { } context)
        {
            return context == scope.ContextId ? null : NotThisSession(id, method, "it names another browser context", sessionId);
        }

        if (!CdpMethods.ContextScoped.Contains(method))
        {
            return NotThisSession(id, method, "without a browserContextId it would reach every session's storage", sessionId);
        }

        parameters ??= [];
        parameters["browserContextId"] = scope.ContextId;
        message["params"] = parameters;
        return null;
    }

    private async Task<string?> UrlRefusalAsync(string? url)
    {
        if (url is null or "" or "about:blank")
        {
            return null;
        }

        var check = await scope.Guard.CheckAsync(url, CancellationToken.None);
        return check.Allowed ? null : $"Refused by Opera Studio's URL policy: {check.Reason}";
    }

    /// <summary>Whether a target is in the session's context: known from events, else asked of Chromium.</summary>
    private async Task<bool> IsSessionTargetAsync(string targetId)
    {
        if (_targets.ContainsKey(targetId))
        {
            return true;
        }

        if (await Session.Lease.Browser.ContextOfTargetAsync(targetId) == scope.ContextId)
        {
            _targets[targetId] = 0;
            return true;
        }

        return false;
    }

    private async Task<JsonObject?> ReplyAsync(int id, JsonObject result, string? sessionId = null)
    {
        await SendToClientAsync(CdpJson.Result(id, result, sessionId));
        return Answered;
    }

    private JsonObject NotThisSession(int id, string method, string why, string? sessionId = null) =>
        CdpJson.Error(id, ServerError,
            $"{method} is refused by Opera Studio's CDP endpoint: {why}. This connection reaches only session {Session.Id}'s browser context and pages.",
            sessionId);

    private static string Key(string? sessionId, int id) => $"{sessionId}|{id}";
}
