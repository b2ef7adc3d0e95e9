using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Identity;

/// <summary>
/// Personal API tokens in PostgreSQL: made (the token is returned once, only its SHA-256 is stored), listed, checked
/// on each request that carries one, revoked. Every check reads the table, so a revocation holds on every node at once.
/// </summary>
public sealed partial class ApiTokenStore(IDbContextFactory<OperaDbContext> database, TimeProvider time, ILogger<ApiTokenStore> logger)
{
    private const int RandomBytes = 32;

    private const int ShownLength = 12;

    /// <summary>A token used on every request must not make every request a write.</summary>
    private static readonly TimeSpan UseRecordedEvery = TimeSpan.FromMinutes(1);

    private static readonly int TokenLength = BearerSecrets.LengthOf(ApiTokenRules.TokenPrefix, RandomBytes);

    /// <summary>Who a valid token acts as, and which token it is.</summary>
    public sealed record Holder(string TokenId, string Owner);

    /// <summary>A new token for <paramref name="owner"/>; null when they already hold <see cref="ApiTokenRules.MaxPerUser"/>.</summary>
    public async Task<CreatedApiTokenDto?> CreateAsync(string owner, string name, int? expiresInDays, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        // Two creates at once may both pass this count; the cap bounds the table, it need not be exact.
        if (await db.ApiTokens.CountAsync(t => t.Owner == owner, cancellationToken) >= ApiTokenRules.MaxPerUser)
        {
            return null;
        }

        var token = BearerSecrets.New(ApiTokenRules.TokenPrefix, RandomBytes);
        var now = ToMicroseconds(time.GetUtcNow());
        var record = new ApiTokenRecord
        {
            Id = Ids.New(),
            Owner = owner,
            Name = name,
            Hash = BearerSecrets.Hash(token),
            Prefix = token[..ShownLength],
            CreatedAt = now,
            ExpiresAt = expiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.ApiTokens.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiTokenDto(record.Id, record.Name, token, record.Prefix, record.CreatedAt, record.ExpiresAt);
    }

    public async Task<IReadOnlyList<ApiTokenDto>> ListAsync(string owner, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        return await db.ApiTokens.AsNoTracking().Where(t => t.Owner == owner).OrderByDescending(t => t.CreatedAt)
            .Select(t => new ApiTokenDto(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Tokens were revoked on this node (their ids): what is still open with them ends now, not at the next check.</summary>
    public event Action<IReadOnlyCollection<string>>? Revoked;

    /// <summary>Deletes one of <paramref name="owner"/>'s tokens; false when they have none with that id.</summary>
    public async Task<bool> RevokeAsync(string owner, string id, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var revoked = await db.ApiTokens.Where(t => t.Id == id && t.Owner == owner).ExecuteDeleteAsync(cancellationToken) > 0;
        if (revoked)
        {
            Revoked?.Invoke([id]);
        }

        return revoked;
    }

    /// <summary>Deletes every token of <paramref name="owner"/>; how many there were.</summary>
    public async Task<int> RevokeAllAsync(string owner, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var ids = await db.ApiTokens.Where(t => t.Owner == owner).Select(t => t.Id).ToListAsync(cancellationToken);
        var count = await db.ApiTokens.Where(t => t.Owner == owner && ids.Contains(t.Id)).ExecuteDeleteAsync(cancellationToken);
        if (ids.Count > 0)
        {
            Revoked?.Invoke(ids);
        }

        return count;
    }

    /// <summary>Which of these tokens are still valid (neither revoked nor expired). Throws when PostgreSQL cannot be asked.</summary>
    public async Task<HashSet<string>> StillValidAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var valid = await db.ApiTokens.AsNoTracking().Where(t => ids.Contains(t.Id) && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => t.Id).ToListAsync(cancellationToken);
        return valid.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Who <paramref name="token"/> acts as; null when it is not one of ours, unknown (revoked tokens are deleted) or
    /// expired. Throws when PostgreSQL cannot be asked: the caller must not take that for "not valid".
    /// </summary>
    public async Task<Holder?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        // Anything not shaped like our tokens is refused without a query.
        if (token.Length != TokenLength || !token.StartsWith(ApiTokenRules.TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = BearerSecrets.Hash(token);
        var now = time.GetUtcNow();
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var found = await db.ApiTokens.AsNoTracking()
            .Where(t => t.Hash == hash && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new { t.Id, t.Owner, t.LastUsedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        if (found.LastUsedAt is not { } last || now - last >= UseRecordedEvery)
        {
            await RecordUseAsync(db, found.Id, now, cancellationToken);
        }

        return new Holder(found.Id, found.Owner);
    }

    private async Task RecordUseAsync(OperaDbContext db, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = now - UseRecordedEvery;
        try
        {
            // Conditional, so requests arriving together (or on several nodes) write it once.
            await db.ApiTokens.Where(t => t.Id == id && (t.LastUsedAt == null || t.LastUsedAt <= due))
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.LastUsedAt, ToMicroseconds(now)), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Bookkeeping only: the token was valid, the request goes on.
            LogUseNotRecorded(ex, id);
        }
    }


    /// <summary>PostgreSQL keeps microseconds: the answer to a create then equals what the list shows later.</summary>
    private static DateTimeOffset ToMicroseconds(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerMicrosecond));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the use of API token {TokenId} failed")]
    private partial void LogUseNotRecorded(Exception exception, string tokenId);
}
