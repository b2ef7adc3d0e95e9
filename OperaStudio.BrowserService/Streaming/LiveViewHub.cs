using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>
/// The live view: a viewer joins a session, receives its frames and events, and sends pointer, wheel, keyboard
/// and clipboard input. Input methods return at once (the queue delivers in order); a malformed message is refused
/// with a HubException and never reaches the browser, and the session is untouched. A session may be shared: everyone
/// in it sees the same view and each other's pointers, and input is taken only from whoever has control (see
/// <see cref="SessionPresence"/>); anyone else's is refused with <see cref="ILiveViewClient.InputRefused"/>.
/// </summary>
internal sealed class LiveViewHub(
    LiveViews views, SessionManager sessions, SessionAccess access, IOptions<StreamingOptions> options, AgentSessions agents,
    HistoryRecorder history, BrowserServiceMetrics metrics, SessionPresence presence, TokenConnections tokenConnections,
    Recording.Recorders recorders, ViewerConnections viewerConnections, Nodes.NodeMigration migration)
    : Hub<ILiveViewClient>
{
    public const string Path = "/hubs/live";
    private const string StreamKey = "stream";

    private static readonly HashSet<string> Buttons = ["none", "left", "middle", "right", "back", "forward"];

    /// <summary>
    /// Joins a session's live view (restoring it if it was released, or suspended by a crash or a restart) and
    /// returns its state; the current frame follows at once.
    /// </summary>
    public async Task<SessionDto> Join(string sessionId)
    {
        viewerConnections.Asked(Context, sessionId);
        await LeaveAsync();
        var notFound = $"There is no live session '{sessionId}'. It ended, or never existed.";
        // Someone else's session is answered as one that does not exist, before anything (a restore) is done with it.
        var user = Context.User ?? throw new HubException(notFound);
        var right = await access.RightAsync(user, sessionId, Context.ConnectionAborted);
        if (right == SessionRight.None)
        {
            throw new HubException(notFound);
        }

        BrowserSession? session;
        try
        {
            session = await sessions.GetOrRestoreAsync(sessionId, Context.ConnectionAborted);
        }
        catch (BrowserUnavailableException ex) when (migration.HandsOver)
        {
            // Draining with other nodes: the viewer came here before the router heard; its reconnect goes there.
            ViewerConnections.Drop(Context);
            throw new HubException(ex.Message);
        }
        catch (Exception ex) when (ex is SessionLimitException or BrowserUnavailableException)
        {
            throw new HubException(ex.Message);
        }

        var stream = (session is null ? null : views.Find(sessionId))
            ?? throw new HubException(notFound);
        Context.Items[StreamKey] = stream;
        await Groups.AddToGroupAsync(Context.ConnectionId, stream.Group);
        await stream.AddViewerAsync(Context.ConnectionId);
        await presence.JoinAsync(sessionId, Context.ConnectionId, Callers.Name(user), right);
        tokenConnections.Watching(Context.ConnectionId, sessionId);
        await Clients.Caller.RecordingChanged(sessionId, recorders.ForSession(sessionId)?.ToDto(Recording.RecordingStates.Recording));
        return stream.Session.ToDto();
    }

    public async Task Leave() => await LeaveAsync();

    /// <summary>The viewer drew a frame; the next may come.</summary>
    public void Ack() => Current()?.Acknowledge(Context.ConnectionId);

    /// <summary>A pointer event in the page's CSS pixels. <paramref name="type"/>: move, down or up.</summary>
    public void Pointer(string type, double x, double y, string button, int buttons, int clickCount, int modifiers)
    {
        var stream = Required();
        EnsureUserHasControl(stream);
        var cdpType = type switch
        {
            "move" => "mouseMoved",
            "down" => "mousePressed",
            "up" => "mouseReleased",
            _ => throw new HubException($"Unknown pointer event '{type}'; use move, down or up."),
        };
        ValidatePoint(stream, x, y);
        if (!Buttons.Contains(button) || buttons is < 0 or > 31 || clickCount is < 0 or > 3 || modifiers is < 0 or > 15)
        {
            throw new HubException("Invalid pointer button, buttons, click count or modifiers.");
        }

        stream.Session.Touch();
        metrics.InputEvent();
        if (cdpType == "mousePressed")
        {
            // Before the press is sent, so the history waits for the page's report of it rather than finding it.
            history.Click(stream.Session, x, y, UserName);
        }

        stream.Dispatch(new InputCommand("Input.dispatchMouseEvent", new()
        {
            ["type"] = cdpType,
            ["x"] = x,
            ["y"] = y,
            ["button"] = button,
            ["buttons"] = buttons,
            ["clickCount"] = clickCount,
            ["modifiers"] = modifiers,
        }, IsMouseMove: cdpType == "mouseMoved"));
    }

    public void Wheel(double x, double y, double deltaX, double deltaY, int modifiers)
    {
        var stream = Required();
        EnsureUserHasControl(stream);
        ValidatePoint(stream, x, y);
        if (!double.IsFinite(deltaX) || !double.IsFinite(deltaY) || Math.Abs(deltaX) > 10_000 || Math.Abs(deltaY) > 10_000 || modifiers is < 0 or > 15)
        {
            throw new HubException("Invalid wheel delta or modifiers.");
        }

        stream.Session.Touch();
        history.Scrolled(stream.Session.Id, stream.Session.ActiveTab.Id, deltaY, UserName);
        metrics.InputEvent();
        stream.Dispatch(new InputCommand("Input.dispatchMouseEvent", new()
        {
            ["type"] = "mouseWheel",
            ["x"] = x,
            ["y"] = y,
            ["deltaX"] = deltaX,
            ["deltaY"] = deltaY,
            ["modifiers"] = modifiers,
        }));
    }

    /// <summary>A key as the browser reported it (KeyboardEvent key, code, keyCode). <paramref name="type"/>: down or up.</summary>
    public void Key(string type, string key, string? code, int keyCode, int modifiers, int location, bool repeat)
    {
        var stream = Required();
        EnsureUserHasControl(stream);
        if (type is not ("down" or "up") || modifiers is < 0 or > 15 || location is < 0 or > 3)
        {
            throw new HubException("Invalid key event type, modifiers or location.");
        }

        var resolved = KeyTable.Resolve(key ?? "", code, keyCode, modifiers, out var error) ?? throw new HubException(error);
        stream.Session.Touch();
        var args = new Dictionary<string, object>
        {
            ["type"] = type == "up" ? "keyUp" : resolved.Text is null ? "rawKeyDown" : "keyDown",
            ["key"] = key!,
            ["code"] = resolved.Code,
            ["windowsVirtualKeyCode"] = resolved.KeyCode,
            ["modifiers"] = modifiers,
            ["location"] = location,
            ["autoRepeat"] = repeat,
            ["isKeypad"] = location == 3,
        };
        if (type == "down" && resolved.Text is { } text)
        {
            args["text"] = text;
            args["unmodifiedText"] = text;
        }

        stream.Dispatch(new InputCommand("Input.dispatchKeyEvent", args));
        metrics.InputEvent();
        RecordKey(stream, type, key!, resolved.Text, modifiers);
    }

    /// <summary>Text from the user's clipboard, inserted where the page's caret is.</summary>
    public void InsertText(string text)
    {
        var stream = Required();
        EnsureUserHasControl(stream);
        if (string.IsNullOrEmpty(text) || text.Length > options.Value.MaxPasteCharacters)
        {
            throw new HubException($"Pasted text must be 1 to {options.Value.MaxPasteCharacters} characters.");
        }

        stream.Session.Touch();
        stream.Dispatch(new InputCommand("Input.insertText", new() { ["text"] = text }));
        metrics.InputEvent();
        history.Action(stream.Session.Id, stream.Session.ActiveTab.Id, Actor.Human, "paste", $"{text.Length} character(s)", "ok", user: UserName);
    }

    /// <summary>The selected text of the active tab, for the user's clipboard (after Ctrl+C in the panel).</summary>
    public async Task<string> CopySelection()
    {
        var stream = Required();
        try
        {
            return await stream.Session.ActiveTab.Page.EvaluateAsync<string>("""
                () => {
                  const a = document.activeElement;
                  if (a && (a.tagName === 'INPUT' || a.tagName === 'TEXTAREA') && typeof a.selectionStart === 'number')
                    return a.value.substring(a.selectionStart, a.selectionEnd);
                  return String(getSelection() ?? '');
                }
                """) ?? "";
        }
        catch (PlaywrightException)
        {
            return "";
        }
    }

    /// <summary>The panel's size in CSS pixels and its device pixel ratio; the page viewport follows.</summary>
    public async Task SetViewport(int width, int height, double deviceScaleFactor)
    {
        var stream = Required();
        if (width is < 100 or > 7680 || height is < 100 or > 4320 || !double.IsFinite(deviceScaleFactor) || deviceScaleFactor is <= 0 or > 8)
        {
            throw new HubException("Invalid viewport size or pixel ratio.");
        }

        // Everyone sees the same page: its size follows the panel of whoever has control, not every viewer's window.
        if (presence.CheckInput(stream.Session.Id, Context.ConnectionId) is not null)
        {
            return;
        }

        await stream.Session.SetViewportAsync(width, height, deviceScaleFactor);
    }

    /// <summary>Asks for control of the session; the owner takes it at once, a viewer is refused.</summary>
    public async Task RequestControl(string sessionId) =>
        await RefuseIfAsync(sessionId, await presence.RequestAsync(Joined(sessionId).Session.Id, Context.ConnectionId));

    /// <summary>Hands control to <paramref name="user"/> (by whoever has it, or the owner).</summary>
    public async Task GrantControl(string sessionId, string user)
    {
        if (string.IsNullOrWhiteSpace(user) || user.Length > ShareRoles.MaxUserLength)
        {
            throw new HubException("Name the user to grant control to.");
        }

        await RefuseIfAsync(sessionId, await presence.GrantAsync(Joined(sessionId).Session.Id, Context.ConnectionId, user));
    }

    /// <summary>Lets go of control: the first who asked for it gets it, or else the owner.</summary>
    public async Task ReleaseControl(string sessionId) =>
        await RefuseIfAsync(sessionId, await presence.ReleaseAsync(Joined(sessionId).Session.Id, Context.ConnectionId));

    /// <summary>
    /// Where this participant's pointer is (CSS px of the page), shown to the others in their colour. Not input: viewers
    /// may point too. Positions closer together than ~33 ms are dropped.
    /// </summary>
    public async Task MovePointer(string sessionId, double x, double y)
    {
        var stream = Joined(sessionId);
        ValidatePoint(stream, x, y);
        if (presence.Pointer(sessionId, Context.ConnectionId) is { } who)
        {
            await Clients.OthersInGroup(stream.Group).Pointer(sessionId, who.User, who.Color, x, y);
        }
    }

    /// <summary>Round trip for the status line's latency.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Hub methods are instance methods.")]
    public long Ping(long clientTime) => clientTime;

    public override async Task OnConnectedAsync()
    {
        tokenConnections.Add(Context);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        tokenConnections.Remove(Context.ConnectionId);
        viewerConnections.Remove(Context.ConnectionId);
        await LeaveAsync();
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>Typed characters are only counted; named keys and shortcuts are logged by name.</summary>
    private void RecordKey(SessionStream stream, string type, string key, string? text, int modifiers)
    {
        if (type != "down" || key is "Shift" or "Control" or "Alt" or "Meta")
        {
            return;
        }

        var tabId = stream.Session.ActiveTab.Id;
        if (text is not null && text != "\r")
        {
            history.Typed(stream.Session.Id, tabId, 1, UserName);
            return;
        }

        var name = string.Concat(
            (modifiers & KeyTable.Control) != 0 ? "Ctrl+" : "",
            (modifiers & KeyTable.Alt) != 0 ? "Alt+" : "",
            (modifiers & KeyTable.Meta) != 0 ? "Meta+" : "",
            (modifiers & KeyTable.Shift) != 0 && key.Length > 1 ? "Shift+" : "",
            key.Length == 1 ? key.ToUpperInvariant() : key);
        history.Action(stream.Session.Id, tabId, Actor.Human, "key", name, "ok", user: UserName);
    }

    private static void ValidatePoint(SessionStream stream, double x, double y)
    {
        var viewport = stream.Session.Viewport;
        if (!double.IsFinite(x) || !double.IsFinite(y) || x < -1 || y < -1 || x > viewport.Width + 1 || y > viewport.Height + 1)
        {
            throw new HubException($"Pointer position ({x}, {y}) is outside the {viewport.Width}×{viewport.Height} viewport.");
        }
    }

    /// <summary>
    /// While the agent acts, the person's input would fight it: it is refused until they take control. In a shared
    /// session only the person with control acts; anyone else is told why, and nothing reaches the page.
    /// </summary>
    private void EnsureUserHasControl(SessionStream stream)
    {
        if (agents.AgentHoldsControl(stream.Session.Id))
        {
            throw new HubException("The agent is in control; take control to act");
        }

        if (presence.CheckInput(stream.Session.Id, Context.ConnectionId) is { } reason)
        {
            // The panel sends input without waiting for an answer: the event is how it learns why nothing happened.
            _ = Clients.Caller.InputRefused(stream.Session.Id, reason);
            throw new HubException(reason);
        }
    }

    private async Task RefuseIfAsync(string sessionId, string? reason)
    {
        if (reason is not null)
        {
            await Clients.Caller.InputRefused(sessionId, reason);
            throw new HubException(reason);
        }
    }

    private string UserName => Context.User is { } user ? Callers.Name(user) : "";

    private SessionStream Joined(string sessionId) =>
        Required() is var stream && stream.Session.Id == sessionId ? stream : throw new HubException($"Join session '{sessionId}' first.");

    private SessionStream? Current() => Context.Items.TryGetValue(StreamKey, out var value) ? value as SessionStream : null;

    /// <summary>The joined session's stream; a revoked member is no longer joined, though their connection lives on.</summary>
    private SessionStream Required() =>
        Current() is { Session.IsClosed: false } stream && presence.IsJoined(stream.Session.Id, Context.ConnectionId)
            ? stream
            : throw new HubException("Join a live session first.");

    private async Task LeaveAsync()
    {
        if (Current() is { } stream)
        {
            Context.Items.Remove(StreamKey);
            tokenConnections.Watching(Context.ConnectionId, null);
            await stream.RemoveViewerAsync(Context.ConnectionId);
            await presence.LeaveAsync(stream.Session.Id, Context.ConnectionId);
            try
            {
                await Groups.RemoveFromGroupAsync(Context.ConnectionId, stream.Group);
            }
            catch (ObjectDisposedException)
            {
                // The service is shutting down; the group goes with it.
            }
        }
    }
}
