using System.Text.Json;
using System.Text.Json.Nodes;

namespace OperaStudio.BrowserService.Cdp;

// What the browser sends: answers to the client's commands, and events of the session's targets only. Targets of other
// contexts that the client's auto-attach caught are let go here, at once, so they never wait for this client.
internal sealed partial class CdpRelay
{
    private async Task FromBrowserAsync(string text)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return;
        }

        if (message is null)
        {
            return;
        }

        var sessionId = CdpJson.Text(message, "sessionId");
        if (CdpJson.TryId(message, out var id))
        {
            await AnswerAsync(id, sessionId, message, text);
            return;
        }

        var onBrowser = sessionId is null || _browserSessions.ContainsKey(sessionId);
        if (!onBrowser && !_sessions.ContainsKey(sessionId!))
        {
            return; // a CDP session of another context being let go, or already detached
        }

        var method = CdpJson.Text(message, "method") ?? "";
        if (!method.StartsWith("Target.", StringComparison.Ordinal))
        {
            // Page-level events of the session's targets pass; browser-level ones (downloads of any context) do not.
            if (!onBrowser)
            {
                await SendToClientAsync(text);
            }

            return;
        }

        if (await TargetEventAsync(method, message["params"] as JsonObject, sessionId, onBrowser))
        {
            await SendToClientAsync(text);
        }
    }

    private async Task AnswerAsync(int id, string? sessionId, JsonObject message, string text)
    {
        if (id > Volatile.Read(ref _ownId))
        {
            return; // the relay's own
        }

        if (!_pending.TryRemove(Key(sessionId, id), out var method))
        {
            await SendToClientAsync(text);
            return;
        }

        if (message["result"] is JsonObject result)
        {
            switch (method)
            {
                case "Target.getTargets" when result["targetInfos"] is JsonArray infos:
                    result["targetInfos"] = new JsonArray([.. infos.Where(info => InContext(info)).Select(info =>
                    {
                        _targets[CdpJson.Text(info, "targetId") ?? ""] = 0;
                        return info!.DeepClone();
                    })]);
                    await SendToClientAsync(message);
                    return;
                case "Target.attachToBrowserTarget" when CdpJson.Text(result, "sessionId") is { } browserSession:
                    _browserSessions[browserSession] = 0;
                    break;
                case "Target.createTarget" when CdpJson.Text(result, "targetId") is { } created:
                    _targets[created] = 0;
                    break;
                case var attach when attach.StartsWith("Target.attachToTarget ", StringComparison.Ordinal)
                    && CdpJson.Text(result, "sessionId") is { } attached:
                    // The target was checked when asked for (its id is not in the answer).
                    _sessions.TryAdd(attached, attach["Target.attachToTarget ".Length..]);
                    break;
            }
        }

        await SendToClientAsync(text);
    }

    /// <summary>Whether a Target.* event concerns the session's context (and so goes to the client).</summary>
    private async Task<bool> TargetEventAsync(string method, JsonObject? parameters, string? parentSession, bool onBrowser)
    {
        var info = parameters?["targetInfo"];
        var targetId = CdpJson.Text(info, "targetId") ?? CdpJson.Text(parameters, "targetId");
        switch (method)
        {
            case "Target.targetCreated" or "Target.targetInfoChanged":
                // The browser's own target says nothing of any context (Puppeteer looks for it).
                if (!InContext(info) && CdpJson.Text(info, "type") != "browser")
                {
                    return false;
                }

                _targets[targetId ?? ""] = 0;
                return true;
            case "Target.attachedToTarget":
                var attached = CdpJson.Text(parameters, "sessionId");
                if (attached is null)
                {
                    return false;
                }

                // The browser itself: only a client's own Target.attachToBrowserTarget attaches to it.
                if (CdpJson.Text(info, "type") == "browser")
                {
                    _browserSessions[attached] = 0;
                    return true;
                }

                // A child of one of the session's targets (a frame, a worker) may not name its context.
                if (InContext(info) || (!onBrowser && CdpJson.Text(info, "browserContextId") is null))
                {
                    if (logger.IsEnabled(LogLevel.Debug))
                    {
                        var (url, context) = (CdpJson.Text(info, "url"), CdpJson.Text(info, "browserContextId"));
                        LogAttached(logger, Session.Id, targetId, url, context, parentSession);
                    }

                    _targets[targetId ?? ""] = 0;
                    _sessions[attached] = targetId ?? "";
                    return true;
                }

                await LetGoAsync(attached, parameters?["waitingForDebugger"] is JsonValue w && w.TryGetValue<bool>(out var waiting) && waiting, parentSession);
                return false;
            case "Target.detachedFromTarget":
                return CdpJson.Text(parameters, "sessionId") is { } detached
                    && (_sessions.TryRemove(detached, out _) || _browserSessions.TryRemove(detached, out _));
            case "Target.targetDestroyed":
                return targetId is not null && _targets.TryRemove(targetId, out _);
            case "Target.targetCrashed":
                return targetId is not null && _targets.ContainsKey(targetId);
            default:
                return !onBrowser;
        }
    }

    /// <summary>
    /// Resumes and detaches from a target of another context that the client's auto-attach reached: with
    /// waitForDebuggerOnStart, a new page of another session would otherwise wait for this client forever.
    /// </summary>
    private async Task LetGoAsync(string sessionId, bool waiting, string? parentSession)
    {
        if (waiting)
        {
            await SendOwnAsync(new JsonObject { ["method"] = "Runtime.runIfWaitingForDebugger", ["sessionId"] = sessionId });
        }

        var detach = new JsonObject { ["method"] = "Target.detachFromTarget", ["params"] = new JsonObject { ["sessionId"] = sessionId } };
        if (parentSession is not null)
        {
            detach["sessionId"] = parentSession;
        }

        await SendOwnAsync(detach);
    }

    private Task SendOwnAsync(JsonObject message)
    {
        message["id"] = Interlocked.Decrement(ref _ownId) + 1;
        return SendToBrowserAsync(message.ToJsonString());
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: CDP client attached to {TargetId} at {Url} (context {ContextId}, parent {Parent})")]
    private static partial void LogAttached(ILogger logger, string sessionId, string? targetId, string? url, string? contextId, string? parent);

    private bool InContext(JsonNode? targetInfo) => CdpJson.Text(targetInfo, "browserContextId") == scope.ContextId;
}
