using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Sharing;

/// <summary>Share links in PostgreSQL: made with a random token of which only the hash is kept, listed, revoked, and found by token.</summary>
public sealed class ShareLinks(IDbContextFactory<OperaDbContext> factory, DatabaseInitializer database, TimeProvider time)
{
    /// <summary>Marks the token in logs and secret scanners, as personal API tokens are marked.</summary>
    private const string TokenPrefix = "opera_share_";

    public async Task<CreatedShareLinkDto> CreateAsync(string sessionId, string role, int minutes, string createdBy, CancellationToken cancellationToken)
    {
        var token = BearerSecrets.New(TokenPrefix, 32);
        var now = time.GetUtcNow();
        var record = new ShareLinkRecord
        {
            Id = Ids.New(), SessionId = sessionId, Hash = Hash(token), Role = role, CreatedBy = createdBy, CreatedAt = now,
            ExpiresAt = now.AddMinutes(minutes),
        };
        await using var db = await OpenAsync(cancellationToken);
        db.ShareLinks.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedShareLinkDto(record.Id, token, role, record.ExpiresAt);
    }

    /// <summary>The session's links not revoked, expired ones included (flagged), newest first.</summary>
    public async Task<IReadOnlyList<ShareLinkDto>> ListAsync(string sessionId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await OpenAsync(cancellationToken);
        var links = await db.ShareLinks.AsNoTracking().Where(l => l.SessionId == sessionId && l.RevokedAt == null).ToListAsync(cancellationToken);
        return links.OrderByDescending(l => l.CreatedAt).Select(l => new ShareLinkDto(l.Id, l.Role, l.CreatedBy, l.CreatedAt, l.ExpiresAt, l.ExpiresAt <= now)).ToList();
    }

    public async Task<bool> RevokeAsync(string sessionId, string linkId, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        return await db.ShareLinks.Where(l => l.SessionId == sessionId && l.Id == linkId && l.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.RevokedAt, time.GetUtcNow()), cancellationToken) > 0;
    }

    /// <summary>The link a token belongs to, when it is neither revoked nor expired.</summary>
    public async Task<ShareLinkRecord?> FindUsableAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        var now = time.GetUtcNow();
        await using var db = await OpenAsync(cancellationToken);
        var link = await db.ShareLinks.AsNoTracking().FirstOrDefaultAsync(l => l.Hash == hash, cancellationToken);
        return link is { RevokedAt: null } && link.ExpiresAt > now ? link : null;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(BearerSecrets.Hash(token));

    private async Task<OperaDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        await database.WaitUntilReadyAsync(cancellationToken);
        return await factory.CreateDbContextAsync(cancellationToken);
    }
}
