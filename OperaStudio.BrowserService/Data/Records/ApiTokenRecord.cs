namespace OperaStudio.BrowserService.Data.Records;

/// <summary>
/// A personal API token. The token itself is shown once, when it is made; only its SHA-256 is kept, so a copy of the
/// database lets no one in. Revoking deletes the row.
/// </summary>
public sealed class ApiTokenRecord
{
    public required string Id { get; set; }

    /// <summary>The user the token acts as (the caller's name when it was made).</summary>
    public required string Owner { get; set; }

    /// <summary>The owner's label for it ("ci", "laptop").</summary>
    public required string Name { get; set; }

    /// <summary>SHA-256 of the token's UTF-8 text.</summary>
    public required byte[] Hash { get; set; }

    /// <summary>The token's first characters, so its owner can tell which one it is.</summary>
    public required string Prefix { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Null: never expires.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When it last authenticated a request (recorded at most once a minute).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
}
