using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>
/// Which session each live-view connection asked for last, so a session handed to another node can send its viewers
/// there: their connection is closed, and the panel's automatic reconnect goes through the web app's router to the
/// node that holds (or restores) the session now.
/// </summary>
public sealed class ViewerConnections
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, string SessionId)> _connections = new(StringComparer.Ordinal);

    /// <summary>Kept until the connection closes (not when it leaves): its re-join of the same session is refused here meanwhile.</summary>
    public void Asked(HubCallerContext context, string sessionId) => _connections[context.ConnectionId] = (context, sessionId);

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>Closes the connections of a session's viewers; returns how many.</summary>
    public int Abort(string sessionId)
    {
        var aborted = 0;
        foreach (var (id, (context, session)) in _connections)
        {
            if (session == sessionId && _connections.TryRemove(id, out _))
            {
                Drop(context);
                aborted++;
            }
        }

        return aborted;
    }

    /// <summary>
    /// Drops the connection's transport, as a lost node would: the client then reconnects by itself (its automatic
    /// reconnect). Ending it as a hub (<c>Abort</c>) would send a close that tells the client not to reconnect.
    /// </summary>
    public static void Drop(HubCallerContext context)
    {
        if (context.GetHttpContext() is { } http)
        {
            http.Abort();
        }
        else
        {
            context.Abort();
        }
    }
}
