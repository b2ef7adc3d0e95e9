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

    /// <summary>Live sessions across the whole cluster (counted in the Redis registry).</summary>
    [Range(1, 1_000_000)]
    public int MaxSessionsGlobal { get; set; } = 1000;

    /// <summary>Without a viewer, input or agent activity for this long, a session is released (restorable later).</summary>
    [Range(1, 7 * 24 * 3600)]
    public int IdleTimeoutSeconds { get; set; } = 300;

    /// <summary>A live session is recycled (saved and released) after this long, whatever it does.</summary>
    [Range(1, 30 * 24 * 60)]
    public int MaxLifetimeMinutes { get; set; } = 480;

    /// <summary>How soon after a navigation or tab change the session's state is saved.</summary>
    [Range(0, 60_000)]
    public int SaveDebounceMilliseconds { get; set; } = 1500;

    /// <summary>Live sessions one user (the <c>X-Opera-User</c> owner) may hold across the cluster.</summary>
    [Range(1, 10_000)]
    public int MaxSessionsPerUser { get; set; } = 5;

    /// <summary>
    /// In a shared session, someone who asked for control gets it once the person holding it has sent no input for this
    /// long (the holder may also grant it, or the owner).
    /// </summary>
    [Range(1, 24 * 3600)]
    public int ControlIdleSeconds { get; set; } = 30;

    /// <summary>This node's name in the registry; empty means machine name and process id.</summary>
    public string? NodeId { get; set; }

    public string ResolveNodeId() =>
        string.IsNullOrWhiteSpace(NodeId) ? $"{Environment.MachineName}:{Environment.ProcessId}" : NodeId;

    /// <summary>Where downloads are kept until the session ends; empty means a folder under the temp directory.</summary>
    public string? DownloadsPath { get; set; }

    public string ResolveDownloadsPath() =>
        string.IsNullOrWhiteSpace(DownloadsPath) ? Path.Combine(Path.GetTempPath(), "opera-studio", "downloads") : DownloadsPath;

    /// <summary>The largest single download a page may make; a larger one is cancelled while it downloads.</summary>
    [Range(typeof(long), "1", "9223372036854775807")]
    public long MaxDownloadBytes { get; set; } = 1L << 30;

    /// <summary>What one session's downloads may hold together (kept files and those under way).</summary>
    [Range(typeof(long), "1", "9223372036854775807")]
    public long MaxSessionDownloadBytes { get; set; } = 2L << 30;

    /// <summary>Free space the node keeps on the downloads' disk: a download that would go below it is cancelled.</summary>
    [Range(typeof(long), "0", "9223372036854775807")]
    public long MinFreeDiskBytes { get; set; } = 1L << 30;
}
