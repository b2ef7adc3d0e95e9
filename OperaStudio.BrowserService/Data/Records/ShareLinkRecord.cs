namespace OperaStudio.BrowserService.Data.Records;

/// <summary>
/// A link that makes whoever accepts it a member of a session. Only the SHA-256 of its token is stored: a copy of the
/// table does not let anyone in.
/// </summary>
public sealed class ShareLinkRecord
{
    public required string Id { get; set; }

    public required string SessionId { get; set; }

    /// <summary>Hex SHA-256 of the token.</summary>
    public required string Hash { get; set; }

    public required string Role { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
