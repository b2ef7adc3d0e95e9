namespace OperaStudio.BrowserService.Sharing;

/// <summary>Taking turns: asking for control, handing it on, letting go, and passing it on when the holder goes idle.</summary>
internal sealed partial class SessionPresence
{
    /// <summary>Asks for control: the owner and the administrator take it at once, a controller queues (or gets it if the holder is idle).</summary>
    public async Task<string?> RequestAsync(string sessionId, string connectionId)
    {
        var room = RoomOf(sessionId);
        lock (room.Gate)
        {
            if (!room.Connections.TryGetValue(connectionId, out var participant))
            {
                return "You no longer have access to this session.";
            }

            if (participant.Right < SessionRight.Controller)
            {
                return ViewerReason;
            }

            if (Holds(room, participant.User, participant.Right))
            {
                return null;
            }

            if (participant.Right >= SessionRight.Owner)
            {
                SetControllerLocked(room, participant.User);
            }
            else
            {
                if (!room.Requests.Contains(participant.User))
                {
                    room.Requests.Add(participant.User);
                }

                if (time.GetElapsedTime(room.LastInputAt) >= IdleLimit)
                {
                    GrantNextLocked(room);
                }
                else
                {
                    ArmIdleCheckLocked(room);
                }
            }
        }

        await BroadcastAsync(room);
        return null;
    }

    /// <summary>The holder (or the owner, or the administrator) hands control to someone in the view with the controller role, or to the owner.</summary>
    public async Task<string?> GrantAsync(string sessionId, string connectionId, string target)
    {
        var room = RoomOf(sessionId);
        lock (room.Gate)
        {
            if (!room.Connections.TryGetValue(connectionId, out var participant))
            {
                return "You no longer have access to this session.";
            }

            if (!Holds(room, participant.User, participant.Right) && participant.Right < SessionRight.Owner)
            {
                return $"Only the person with control ({room.Controller ?? "the owner"}) or the session's owner can grant it.";
            }

            var eligible = target == room.Owner
                || room.Connections.Values.Any(p => p.User == target && p.Right >= SessionRight.Controller);
            if (!eligible)
            {
                return $"'{target}' cannot take control: they are not in this session's live view with the controller role.";
            }

            SetControllerLocked(room, target);
        }

        await BroadcastAsync(room);
        return null;
    }

    /// <summary>The holder lets go: the first person who asked gets control, or else the owner.</summary>
    public async Task<string?> ReleaseAsync(string sessionId, string connectionId)
    {
        var room = RoomOf(sessionId);
        lock (room.Gate)
        {
            if (!room.Connections.TryGetValue(connectionId, out var participant) || !Holds(room, participant.User, participant.Right))
            {
                return "You do not have control of this session.";
            }

            if (!GrantNextLocked(room))
            {
                SetControllerLocked(room, room.Owner);
            }
        }

        await BroadcastAsync(room);
        return null;
    }

    private void SetControllerLocked(Room room, string? user)
    {
        room.Controller = user;
        if (user is not null)
        {
            room.Requests.Remove(user);
        }

        // The new holder's idle clock starts now, not at the last holder's last input.
        room.LastInputAt = time.GetTimestamp();
    }

    /// <summary>Gives control to the first who asked and is still in the view with the right to hold it.</summary>
    private bool GrantNextLocked(Room room)
    {
        while (room.Requests.Count > 0)
        {
            var next = room.Requests[0];
            room.Requests.RemoveAt(0);
            if (room.Connections.Values.Any(p => p.User == next && p.Right >= SessionRight.Controller))
            {
                SetControllerLocked(room, next);
                return true;
            }
        }

        return false;
    }

    private void ArmIdleCheckLocked(Room room)
    {
        if (!room.IdleCheckArmed)
        {
            room.IdleCheckArmed = true;
            _ = IdleCheckAsync(room);
        }
    }

    /// <summary>Waits out the holder's idle time (restarted by each input) and hands control to the first who asked.</summary>
    private async Task IdleCheckAsync(Room room)
    {
        while (true)
        {
            TimeSpan wait;
            lock (room.Gate)
            {
                if (room.Requests.Count == 0 || room.Ended)
                {
                    room.IdleCheckArmed = false;
                    return;
                }

                var idle = time.GetElapsedTime(room.LastInputAt);
                if (idle >= IdleLimit)
                {
                    room.IdleCheckArmed = false;
                    if (!GrantNextLocked(room))
                    {
                        return;
                    }

                    wait = TimeSpan.Zero;
                }
                else
                {
                    wait = IdleLimit - idle + TimeSpan.FromMilliseconds(20);
                }
            }

            if (wait == TimeSpan.Zero)
            {
                LogIdleHandoff(room.SessionId, room.Controller);
                await BroadcastAsync(room);
                return;
            }

            await Task.Delay(wait, time);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: the holder was idle; control passed to {User}")]
    private partial void LogIdleHandoff(string sessionId, string? user);
}
