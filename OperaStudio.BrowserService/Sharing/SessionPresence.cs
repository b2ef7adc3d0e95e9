using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.BrowserService.Sharing;

/// <summary>
/// Who is in each live session's view on this node, and whose turn it is. One person holds control at a time (the
/// owner at first); others with the controller role ask for it, and get it when the holder or the owner grants it or
/// once the holder has been idle for <c>Sessions:ControlIdleSeconds</c>. Every change is broadcast as Presence.
/// Kept in memory: a restored session starts again with its owner in control.
/// </summary>
internal sealed partial class SessionPresence(
    SessionManager sessions, SessionMembers members, LiveViews views, IHubContext<LiveViewHub, ILiveViewClient> hub,
    IOptions<Sessions.SessionOptions> options, TimeProvider time, ILogger<SessionPresence> logger) : IHostedService
{
    /// <summary>
    /// About 30 pointer positions a second per person (smooth enough to follow, cheap for everyone receiving them), with
    /// a burst of a few: positions a panel sends 50 ms apart can arrive together, and dropping the second of two lost
    /// where a pointer came to rest.
    /// </summary>
    private const double PointersPerSecond = 30, PointerBurst = 5;

    /// <summary>Distinct on light and dark backgrounds; a user keeps theirs everywhere (see <see cref="ColorOf"/>).</summary>
    private static readonly string[] Palette =
        ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324", "#469990", "#800000", "#808000", "#000075"];

    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);

    private TimeSpan IdleLimit => TimeSpan.FromSeconds(options.Value.ControlIdleSeconds);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        sessions.SessionStarted += OnSessionStarted;
        members.Changed += OnMemberChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        sessions.SessionStarted -= OnSessionStarted;
        members.Changed -= OnMemberChanged;
        return Task.CompletedTask;
    }

    /// <summary>A stable colour per user name (not string.GetHashCode: that differs per process, and nodes must agree).</summary>
    public static string ColorOf(string user)
    {
        var hash = 2166136261u;
        foreach (var c in user)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return Palette[hash % (uint)Palette.Length];
    }

    public async Task JoinAsync(string sessionId, string connectionId, string user, SessionRight right)
    {
        if (!_rooms.TryGetValue(sessionId, out var room))
        {
            return;
        }

        lock (room.Gate)
        {
            room.Connections[connectionId] = new Participant(user, right);
        }

        await BroadcastAsync(room);
    }

    public async Task LeaveAsync(string sessionId, string connectionId)
    {
        if (_rooms.TryGetValue(sessionId, out var room) && Remove(room, connectionId))
        {
            await BroadcastAsync(room);
        }
    }

    /// <summary>False once the connection left, or its access was revoked.</summary>
    public bool IsJoined(string sessionId, string connectionId)
    {
        if (!_rooms.TryGetValue(sessionId, out var room))
        {
            // Not tracked (it started before this service did): nothing to refuse by.
            return true;
        }

        lock (room.Gate)
        {
            return room.Connections.ContainsKey(connectionId);
        }
    }

    /// <summary>Null when the connection may send input now (its idle clock restarts); otherwise why not.</summary>
    public string? CheckInput(string sessionId, string connectionId)
    {
        if (!_rooms.TryGetValue(sessionId, out var room))
        {
            return null;
        }

        lock (room.Gate)
        {
            if (!room.Connections.TryGetValue(connectionId, out var participant))
            {
                return "You no longer have access to this session.";
            }

            return Allow(room, participant.User, participant.Right);
        }
    }

    /// <summary>For REST calls that act on the page: the owner and the administrator always may, members only with control.</summary>
    public string? CheckRest(string sessionId, string user, SessionRight right)
    {
        if (right >= SessionRight.Owner)
        {
            return null;
        }

        if (right == SessionRight.Viewer)
        {
            return ViewerReason;
        }

        if (!_rooms.TryGetValue(sessionId, out var room))
        {
            return "Nobody has handed you control of this session: join its live view and request control first.";
        }

        lock (room.Gate)
        {
            return Allow(room, user, right);
        }
    }

    /// <summary>Who holds control of a live session now, and who asked for it (in order).</summary>
    public (string? Controller, IReadOnlyList<string> Requests) TurnOf(string sessionId, string? owner)
    {
        if (!_rooms.TryGetValue(sessionId, out var room))
        {
            return (owner, []);
        }

        lock (room.Gate)
        {
            return (room.Controller, room.Requests.ToList());
        }
    }

    /// <summary>Who is pointing and in which colour; null when they have sent more than their share lately (it is dropped).</summary>
    public (string User, string Color)? Pointer(string sessionId, string connectionId)
    {
        if (!_rooms.TryGetValue(sessionId, out var room))
        {
            return null;
        }

        lock (room.Gate)
        {
            if (!room.Connections.TryGetValue(connectionId, out var participant))
            {
                return null;
            }

            var now = time.GetTimestamp();
            participant.PointerAllowance = participant.LastPointerAt == 0
                ? PointerBurst
                : Math.Min(PointerBurst, participant.PointerAllowance + (time.GetElapsedTime(participant.LastPointerAt, now).TotalSeconds * PointersPerSecond));
            participant.LastPointerAt = now;
            if (participant.PointerAllowance < 1)
            {
                return null;
            }

            participant.PointerAllowance -= 1;
            return (participant.User, ColorOf(participant.User));
        }
    }

    private const string ViewerReason = "You are watching this session as a viewer: only its owner or a member with the controller role can act on it.";

    private string? Allow(Room room, string user, SessionRight right)
    {
        if (Holds(room, user, right))
        {
            room.LastInputAt = time.GetTimestamp();
            return null;
        }

        return right == SessionRight.Viewer
            ? ViewerReason
            : $"{room.Controller ?? "The owner"} has control of this session: request control to act.";
    }

    /// <summary>
    /// Whether this person holds control. The administrator counts as the owner's side: while the owner holds it, so
    /// do they (an administrator looking into someone's session is not locked out by them).
    /// </summary>
    private static bool Holds(Room room, string user, SessionRight right) =>
        room.Controller == user || (right >= SessionRight.Owner && room.Controller == room.Owner);

    private Room RoomOf(string sessionId) =>
        _rooms.TryGetValue(sessionId, out var room) ? room : throw new HubException($"There is no live session '{sessionId}'. It ended, or never existed.");

    private void OnSessionStarted(BrowserSession session)
    {
        var room = new Room(session.Id, session.Owner, time.GetTimestamp());
        _rooms[session.Id] = room;
        session.Events += e =>
        {
            if (e is SessionEnded)
            {
                lock (room.Gate)
                {
                    room.Ended = true;
                }

                _rooms.TryRemove(new KeyValuePair<string, Room>(session.Id, room));
            }
        };
    }

    /// <summary>A revoked member's views end at once; a member made a viewer loses control and their request.</summary>
    private void OnMemberChanged(string sessionId, string user, string? role)
    {
        if (!_rooms.TryGetValue(sessionId, out var room))
        {
            return;
        }

        List<string> ended = [];
        lock (room.Gate)
        {
            var right = SessionRights.FromRole(role);
            foreach (var (connectionId, participant) in room.Connections.Where(c => c.Value.User == user).ToList())
            {
                if (right == SessionRight.None)
                {
                    room.Connections.Remove(connectionId);
                    ended.Add(connectionId);
                }
                else
                {
                    participant.Right = right;
                }
            }

            if (right < SessionRight.Controller)
            {
                room.Requests.Remove(user);
                if (room.Controller == user)
                {
                    SetControllerLocked(room, room.Owner);
                }
            }
        }

        _ = EndViewsAsync(room, ended);
    }

    private async Task EndViewsAsync(Room room, List<string> connectionIds)
    {
        foreach (var connectionId in connectionIds)
        {
            try
            {
                // Frames stop first, then the group's events; the message says why the view went dark.
                if (views.Find(room.SessionId) is { } stream)
                {
                    await stream.RemoveViewerAsync(connectionId);
                }

                await hub.Groups.RemoveFromGroupAsync(connectionId, SessionStream.GroupName(room.SessionId));
                await hub.Clients.Client(connectionId).AccessEnded(room.SessionId, "The owner revoked your access to this session.");
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                LogSendFailed(ex, room.SessionId);
            }
        }

        await BroadcastAsync(room);
    }

    private async Task BroadcastAsync(Room room)
    {
        List<ParticipantDto> participants;
        lock (room.Gate)
        {
            participants = room.Connections.Values
                .GroupBy(p => p.User, StringComparer.Ordinal)
                .Select(g =>
                {
                    var right = g.Max(p => p.Right);
                    return new ParticipantDto(g.Key, SessionRights.Name(right), ColorOf(g.Key), Holds(room, g.Key, right), room.Requests.Contains(g.Key));
                })
                .OrderBy(p => p.User, StringComparer.Ordinal)
                .ToList();
        }

        try
        {
            await hub.Clients.Group(SessionStream.GroupName(room.SessionId)).Presence(room.SessionId, participants);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            LogSendFailed(ex, room.SessionId);
        }
    }

    private static bool Remove(Room room, string connectionId)
    {
        lock (room.Gate)
        {
            return room.Connections.Remove(connectionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: telling its viewers who is there failed")]
    private partial void LogSendFailed(Exception exception, string sessionId);
}
