using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.Sharing;

/// <summary>
/// Who a session is shared with, in PostgreSQL. Read on every access check rather than cached, so a revocation holds at
/// once for REST on every node; <see cref="Changed"/> tells this node's live views, which end the revoked person's view.
/// </summary>
public sealed class SessionMembers(IDbContextFactory<OperaDbContext> factory, DatabaseInitializer database, TimeProvider time)
{
    /// <summary>A member was added, changed role (the new role) or removed (null), on this node.</summary>
    public event Action<string, string, string?>? Changed;

    public async Task<string?> RoleAsync(string sessionId, string user, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        return await db.SessionMembers.AsNoTracking()
            .Where(m => m.SessionId == sessionId && m.User == user).Select(m => m.Role).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The sessions shared with <paramref name="user"/>, with their role in each (for their list of sessions).</summary>
    public async Task<IReadOnlyDictionary<string, string>> SharedWithAsync(string user, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        return await db.SessionMembers.AsNoTracking().Where(m => m.User == user).ToDictionaryAsync(m => m.SessionId, m => m.Role, cancellationToken);
    }

    public async Task<IReadOnlyList<MemberDto>> ListAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        return await db.SessionMembers.AsNoTracking().Where(m => m.SessionId == sessionId).OrderBy(m => m.AddedAt)
            .Select(m => new MemberDto(m.User, m.Role, m.AddedBy, m.AddedAt)).ToListAsync(cancellationToken);
    }

    /// <summary>Adds the member or changes their role; with <paramref name="keepHigher"/> (a link), a controller is never made a viewer.</summary>
    public async Task<MemberDto> SetAsync(string sessionId, string user, string role, string addedBy, bool keepHigher, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var record = await db.SessionMembers.FirstOrDefaultAsync(m => m.SessionId == sessionId && m.User == user, cancellationToken);
        if (record is null)
        {
            record = new SessionMemberRecord { SessionId = sessionId, User = user, Role = role, AddedBy = addedBy, AddedAt = time.GetUtcNow() };
            db.SessionMembers.Add(record);
        }
        else if (!(keepHigher && record.Role == ShareRoles.Controller))
        {
            record.Role = role;
        }

        await db.SaveChangesAsync(cancellationToken);
        Changed?.Invoke(sessionId, user, record.Role);
        return new MemberDto(record.User, record.Role, record.AddedBy, record.AddedAt);
    }

    /// <summary>False when they were not a member.</summary>
    public async Task<bool> RemoveAsync(string sessionId, string user, CancellationToken cancellationToken)
    {
        await using var db = await OpenAsync(cancellationToken);
        var removed = await db.SessionMembers.Where(m => m.SessionId == sessionId && m.User == user).ExecuteDeleteAsync(cancellationToken) > 0;
        if (removed)
        {
            Changed?.Invoke(sessionId, user, null);
        }

        return removed;
    }

    private async Task<OperaDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        await database.WaitUntilReadyAsync(cancellationToken);
        return await factory.CreateDbContextAsync(cancellationToken);
    }
}
