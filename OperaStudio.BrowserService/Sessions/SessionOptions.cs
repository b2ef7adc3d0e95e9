using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>Limits and storage for sessions. Section <c>Sessions</c>.</summary>
public sealed class SessionOptions
{
    public const string SectionName = "Sessions";

    /// <summary>Live sessions this node accepts; beyond it, creating one answers 429 with Retry-After.</summary>
    [Range(1, 10_000)]
    public int MaxSessions { get; set; } = 20;

    [Range(1, 100)]
    public int MaxTabsPerSession { get; set; } = 20;

    /// <summary>Live sessions one user (the <c>X-Opera-User</c> owner) may hold across the cluster.</summary>
    [Range(1, 10_000)]
    public int MaxSessionsPerUser { get; set; } = 5;

    /// <summary>This node's name in the registry; empty means machine name and process id.</summary>
    public string? NodeId { get; set; }

    public string ResolveNodeId() =>
        string.IsNullOrWhiteSpace(NodeId) ? $"{Environment.MachineName}:{Environment.ProcessId}" : NodeId;

    /// <summary>Where downloads are kept until the session ends; empty means a folder under the temp directory.</summary>
    public string? DownloadsPath { get; set; }

    public string ResolveDownloadsPath() =>
        string.IsNullOrWhiteSpace(DownloadsPath) ? Path.Combine(Path.GetTempPath(), "opera-studio", "downloads") : DownloadsPath;
}
