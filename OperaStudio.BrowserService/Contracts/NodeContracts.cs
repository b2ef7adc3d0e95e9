using System.Text.Json;

namespace OperaStudio.BrowserService.Contracts;

/// <summary>
/// A browser-service node as it announces itself in Redis (the node directory): renewed every heartbeat with a short
/// TTL, so a node that stopped renewing — killed, frozen, cut off — is gone from the directory and counts as dead.
/// </summary>
/// <param name="Id">The node's id, as the session registry records it (<c>Sessions:NodeId</c>).</param>
/// <param name="Address">Its own base address.</param>
/// <param name="Sessions">Live sessions it holds.</param>
/// <param name="Capacity">Live sessions it accepts (<c>Sessions:MaxSessions</c>).</param>
/// <param name="Draining">It takes no new sessions (drained by an operator, or shutting down).</param>
/// <param name="At">When it wrote this.</param>
public sealed record NodeDto(string Id, string Address, int Sessions, int Capacity, bool Draining, DateTimeOffset At)
{
    /// <summary>How many more sessions it takes: none while draining or full.</summary>
    public int Room => Draining ? 0 : Math.Max(0, Capacity - Sessions);
}

/// <summary>The Redis keys the nodes and the web app's router share.</summary>
public static class ClusterKeys
{
    /// <summary>A set of node ids that announced themselves; an id whose entry expired is dead (and is pruned).</summary>
    public const string NodeIndex = "opera:nodes";

    /// <summary>The field of a session's registry hash that names the node holding it.</summary>
    public const string SessionNodeField = "node";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Node(string nodeId) => $"opera:node:{nodeId}";

    public static string Session(string sessionId) => $"opera:session:{sessionId}";
}
