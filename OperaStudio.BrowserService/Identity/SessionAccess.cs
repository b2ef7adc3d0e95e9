using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sessions.Registry;

namespace OperaStudio.BrowserService.Identity;

/// <summary>
/// Whether a caller may see a session: its owner and the administrator may. Asked before anything is done with a
/// session id (restoring a released one included); a session the caller may not see is answered exactly like one that
/// does not exist, so its existence is not revealed.
/// </summary>
public sealed partial class SessionAccess(
    SessionManager sessions, SessionRegistry registry, IDbContextFactory<OperaDbContext> database, ILogger<SessionAccess> logger)
{
    public async Task<bool> AllowsAsync(ClaimsPrincipal user, string sessionId, CancellationToken cancellationToken)
    {
        if (Callers.IsAdmin(user))
        {
            return true;
        }

        var caller = Callers.Name(user);
        if (sessions.Find(sessionId) is { } live)
        {
            return live.Owner == caller;
        }

        try
        {
            await using var db = await database.CreateDbContextAsync(cancellationToken);
            var saved = await db.Sessions.AsNoTracking().Where(s => s.Id == sessionId).Select(s => new { s.Owner }).FirstOrDefaultAsync(cancellationToken);
            if (saved is not null)
            {
                return saved.Owner == caller;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // PostgreSQL away: the registry still knows the live sessions of every node.
            LogDatabaseUnavailable(ex, sessionId);
        }

        if (await registry.ListAsync() is { } cluster && cluster.FirstOrDefault(r => r.Session.Id == sessionId) is { } registered)
        {
            return registered.Owner == caller;
        }

        // Known nowhere: the endpoint answers that it does not exist, as it would for anyone.
        return true;
    }

    /// <summary>Whether a session of this owner belongs in the caller's lists.</summary>
    public static bool Lists(ClaimsPrincipal user, string? owner) => Callers.IsAdmin(user) || owner == Callers.Name(user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking who owns session {SessionId}: PostgreSQL did not answer; asking the registry")]
    private partial void LogDatabaseUnavailable(Exception exception, string sessionId);
}
