using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.Nodes;

/// <summary>This node among the others: its heartbeat in the node directory and what a drain does. Section <c>Nodes</c>.</summary>
public sealed class NodeOptions
{
    public const string SectionName = "Nodes";

    /// <summary>The base address other parts of the system reach this node at; empty means the first address Kestrel bound.</summary>
    public string? Address { get; set; }

    /// <summary>How often the node renews its entry in the directory.</summary>
    [Range(100, 60_000)]
    public int HeartbeatMilliseconds { get; set; } = 1000;

    /// <summary>
    /// How long an entry outlives its last renewal: a node silent for this long is dead, and its sessions restore
    /// elsewhere from their last saved state. Short (a killed node's sessions come back within it), yet several
    /// heartbeats long, so a loaded machine's late heartbeat does not declare a live node dead.
    /// </summary>
    [Range(1, 600)]
    public int TtlSeconds { get; set; } = 5;

    /// <summary>
    /// A drain hands this node's sessions over to the other nodes (saved, released, viewers sent to reconnect) when
    /// another live node takes sessions. Off, a drain only stops new sessions and the held ones go on (one node).
    /// </summary>
    public bool MigrateOnDrain { get; set; }

    /// <summary>Hub messages to groups and other nodes' connections go through the SignalR Redis backplane (many nodes).</summary>
    public bool Backplane { get; set; }
}
