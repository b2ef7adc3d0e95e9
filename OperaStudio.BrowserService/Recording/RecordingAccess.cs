using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// Who may see a recording: the administrator, its session's owner, and the people the session is shared with (the
/// sharing rules). Anyone else is told it does not exist. Only the owner and the administrator delete.
/// </summary>
internal sealed class RecordingAccess(SessionMembers members)
{
    /// <summary>The recording, when the caller may see it; null as for one that does not exist.</summary>
    public async Task<RecordingRecord?> FindAsync(OperaDbContext db, string id, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var record = await db.Recordings.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return record is not null && await MaySeeAsync(record, user, cancellationToken) ? record : null;
    }

    public static bool MayDelete(RecordingRecord record, ClaimsPrincipal user) => Callers.IsAdmin(user) || record.Owner == Callers.Name(user);

    /// <summary>The recordings the caller may see, for the list.</summary>
    public async Task<IQueryable<RecordingRecord>> VisibleAsync(OperaDbContext db, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var all = db.Recordings.AsNoTracking();
        if (Callers.IsAdmin(user))
        {
            return all;
        }

        var caller = Callers.Name(user);
        var shared = (await members.SharedWithAsync(caller, cancellationToken)).Keys.ToList();
        return all.Where(r => r.Owner == caller || shared.Contains(r.SessionId));
    }

    private async Task<bool> MaySeeAsync(RecordingRecord record, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        MayDelete(record, user) || SessionRights.FromRole(await members.RoleAsync(record.SessionId, Callers.Name(user), cancellationToken)) != SessionRight.None;
}
