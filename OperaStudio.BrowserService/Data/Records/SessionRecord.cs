namespace OperaStudio.BrowserService.Data.Records;

/// <summary>Where a session stands in its life.</summary>
public enum SessionLifecycle
{
    /// <summary>Running in a browser on some node.</summary>
    Live,

    /// <summary>Released after its idle timeout or lifetime; restorable from its saved state.</summary>
    Released,

    /// <summary>Its browser crashed or its service stopped; restored on next use.</summary>
    Suspended,

    /// <summary>Closed by its user; history only.</summary>
    Closed,
}

/// <summary>
/// A session's durable record: who owns it, its state, its open tabs and (encrypted) storage state — cookies and
/// local storage — so it can come back after a crash, a restart or an idle release, still logged in.
/// </summary>
public sealed class SessionRecord
{
    public required string Id { get; set; }

    public string? Owner { get; set; }

    public SessionLifecycle State { get; set; }

    /// <summary>The node that runs it while live.</summary>
    public string? Node { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastActivityAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public string? EndReason { get; set; }

    /// <summary>Playwright storage state (cookies, local storage), encrypted with ASP.NET Core Data Protection.</summary>
    public string? ProtectedStorageState { get; set; }

    public DateTimeOffset? StateSavedAt { get; set; }

    public string? ActiveTabId { get; set; }

    public int ViewportWidth { get; set; }

    public int ViewportHeight { get; set; }

    public double DeviceScaleFactor { get; set; } = 1;

    public List<TabRecord> Tabs { get; set; } = [];
}
