namespace OperaStudio.BrowserService.Data.Records;

/// <summary>
/// Someone the owner shared a session with, and as what (<c>viewer</c> or <c>controller</c>). Kept in its own table,
/// not in the session's live state blob, so a revocation is one row gone and any node restoring the session sees it.
/// </summary>
public sealed class SessionMemberRecord
{
    public required string SessionId { get; set; }

    public required string User { get; set; }

    public required string Role { get; set; }

    /// <summary>Who shared it: the owner, an administrator, or the creator of the link it came through.</summary>
    public string? AddedBy { get; set; }

    public DateTimeOffset AddedAt { get; set; }
}
