namespace OperaStudio.BrowserService.Contracts;

/// <summary>What a personal API token looks like and what the service accepts when one is made.</summary>
public static class ApiTokenRules
{
    /// <summary>Every personal token starts with this, so it is recognisable in a leaked log or a secret scanner.</summary>
    public const string TokenPrefix = "opera_";

    public const int MaxNameLength = 100;

    public const int MaxExpiresInDays = 3650;

    /// <summary>Tokens one user may hold at once, expired ones included (they stay listed until deleted).</summary>
    public const int MaxPerUser = 50;
}

/// <summary><c>POST /api/tokens</c>: a label, and days until it expires (null: never).</summary>
public sealed record CreateApiTokenRequest(string? Name, int? ExpiresInDays);

/// <summary>A token just made: the only answer that ever holds <see cref="Token"/>.</summary>
public sealed record CreatedApiTokenDto(string Id, string Name, string Token, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A token as its owner's list shows it: never the token, only its first characters.</summary>
public sealed record ApiTokenDto(string Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt);
