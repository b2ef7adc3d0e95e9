using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sessions.Registry;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.BrowserService.Nodes;

/// <summary>
/// A drain's hand-over: each session is saved (tabs, cookies, storage) and released, the registry says at once that
/// no node holds it, and its viewers' connections are closed. Their panels reconnect through the web app's router,
/// which sends them (and every later call for the session) to a live node that takes sessions; that node restores it.
/// </summary>
public sealed partial class NodeMigration(
    SessionManager sessions, SessionRegistry registry, NodeDirectory directory, NodeHeartbeat heartbeat, ViewerConnections viewers,
    IOptions<NodeOptions> options, ILogger<NodeMigration> logger)
{
    /// <summary>Whether a drain hands sessions over (then a viewer this node turns away is sent to reconnect elsewhere).</summary>
    public bool HandsOver => options.Value.MigrateOnDrain;

    public const string Reason = "This node is draining: the session moves to another node and comes back there with its tabs and logins.";

    /// <summary>
    /// Hands every session over when hand-over is on and another live node takes sessions; otherwise (one node) the
    /// sessions stay and go on here. Returns how many were handed over.
    /// </summary>
    public async Task<int> HandOverAsync()
    {
        // The router stops choosing this node before its viewers come back through it.
        await heartbeat.BeatNowAsync();
        if (!options.Value.MigrateOnDrain)
        {
            return 0;
        }

        var others = (await directory.ListAsync() ?? []).Where(n => n.Id != directory.NodeId && n.Room > 0).ToList();
        if (others.Count == 0)
        {
            LogNowhereToGo(sessions.Count);
            return 0;
        }

        var ids = sessions.All.Select(s => s.Id).ToList();
        var released = await Task.WhenAll(ids.Select(id => sessions.ReleaseAsync(id, Reason)));
        await registry.FlushNowAsync();
        var aborted = ids.Sum(viewers.Abort);
        var count = released.Count(r => r);
        LogHandedOver(count, aborted, others.Count);
        return count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain: handed {Sessions} session(s) over ({Viewers} viewer connection(s) sent to reconnect; {Nodes} other node(s) take sessions)")]
    private partial void LogHandedOver(int sessions, int viewers, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain: no other live node takes sessions; the {Sessions} session(s) here go on")]
    private partial void LogNowhereToGo(int sessions);
}
