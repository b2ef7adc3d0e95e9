using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sessions.Registry;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Identity;

/// <summary>
/// Whether a caller may see a session, and as what: its owner and the administrator fully, the people it is shared
/// with as viewer or controller. Asked before anything is done with a session id (restoring a released one included); a
/// session the caller may not see is answered exactly like one that does not exist, so its existence is not revealed.
/// </summary>
public sealed partial class SessionAccess(
    SessionManager sessions, SessionRegistry registry, IDbContextFactory<OperaDbContext> database, SessionMembers members,
    ILogger<SessionAccess> logger)
{
    public async Task<bool> AllowsAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken) =>
        await RightAsync(user, sessionId, cancellationToken) != SessionRight.None;

    public async Task<SessionRight> RightAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken)
    {
        if (Callers.IsAdmin(user))
        {
            return SessionRight.Admin;
        }

        var caller = Callers.Name(user);
        if (sessions.Find(sessionId) is { } live)
        {
            return await RightOfAsync(live.Owner, caller, sessionId, cancellationToken);
        }

        try
        {
            await using var db = await database.CreateDbContextAsync(cancellationToken);
            var saved = await db.Sessions.AsNoTracking().Where(s => s.Id == sessionId).Select(s => new { s.Owner }).FirstOrDefaultAsync(cancellationToken);
            if (saved is not null)
            {
                return await RightOfAsync(saved.Owner, caller, sessionId, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // PostgreSQL away: the registry still knows the live sessions of every node (and members cannot be asked).
            LogDatabaseUnavailable(ex, sessionId);
        }

        if (await registry.ListAsync() is { } cluster && cluster.FirstOrDefault(r => r.Session.Id == sessionId) is { } registered)
        {
            return registered.Owner == caller ? SessionRight.Owner : SessionRight.None;
        }

        // Known nowhere: the endpoint answers that it does not exist, as it would for anyone.
        return SessionRight.Owner;
    }

    /// <summary>Whether a session of this owner belongs in the caller's lists.</summary>
    public static bool Lists(ClaimsPrincipal user, string? owner) => Callers.IsAdmin(user) || owner == Callers.Name(user);

    private async Task<SessionRight> RightOfAsync(string? owner, string caller, string sessionId, CancellationToken cancellationToken)
    {
        if (owner == caller)
        {
            return SessionRight.Owner;
        }

        try
        {
            return SessionRights.FromRole(await members.RoleAsync(sessionId, caller, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Cannot tell whether it was shared with them: refused, as a revocation might be what could not be read.
            LogDatabaseUnavailable(ex, sessionId);
            return SessionRight.None;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking who may see session {SessionId}: PostgreSQL did not answer")]
    private partial void LogDatabaseUnavailable(Exception exception, string sessionId);
}
