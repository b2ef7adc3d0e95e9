using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Sharing;

/// <summary>
/// Sharing a session over HTTP: its owner (or an administrator) adds people as viewer or controller, makes expiring
/// links, sees who has access and control, and revokes; anyone signed in accepts a link. A member asking is told 403
/// (they know the session exists), anyone else 404. Errors are ProblemDetails.
/// </summary>
public static class SharingApi
{
    public static IEndpointRouteBuilder MapSharingApi(this IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/api/sessions/{id}").WithTags("Sharing").RequireSessionAccess().RequireSessionOwner()
            .AddEndpointFilter(StoreOutageFilter);
        session.MapGet("/members", ListMembersAsync);
        session.MapPut("/members/{user}", SetMemberAsync);
        session.MapDelete("/members/{user}", RemoveMemberAsync);
        session.MapPost("/links", CreateLinkAsync);
        session.MapGet("/links", ListLinksAsync);
        session.MapDelete("/links/{linkId}", RevokeLinkAsync);

        app.MapPost("/api/share-links/{token}/accept", AcceptLinkAsync).WithTags("Sharing").AddEndpointFilter(StoreOutageFilter);
        return app;
    }

    private static async Task<Results<Ok<SessionMembersDto>, ProblemHttpResult>> ListMembersAsync(
        string id, SessionMembers members, SessionPresence presence, HttpContext http, CancellationToken cancellationToken)
    {
        if (await FindAsync(http, id, cancellationToken) is not { } found)
        {
            return Problems.SessionNotFound(id);
        }

        var (controller, requests) = presence.TurnOf(id, found.Owner);
        return TypedResults.Ok(new SessionMembersDto(id, found.Owner, await members.ListAsync(id, cancellationToken), controller, requests));
    }

    private static async Task<Results<Ok<MemberDto>, ProblemHttpResult>> SetMemberAsync(
        string id, string user, MemberRequest? request, SessionMembers members, HttpContext http, CancellationToken cancellationToken)
    {
        if (await FindAsync(http, id, cancellationToken) is not { } found)
        {
            return Problems.SessionNotFound(id);
        }

        if (CheckMember(user, found.Owner, Callers.Name(http.User)) is { } invalid)
        {
            return invalid;
        }

        if (!ShareRoles.IsValid(request?.Role))
        {
            return UnknownRole(request?.Role);
        }

        return TypedResults.Ok(await members.SetAsync(id, user, request!.Role!, Callers.Name(http.User), keepHigher: false, cancellationToken));
    }

    /// <summary>Revokes at once: REST answers them 404 from now on, and their live views end (see <see cref="SessionPresence"/>).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(
        string id, string user, SessionMembers members, HttpContext http, CancellationToken cancellationToken)
    {
        if (await FindAsync(http, id, cancellationToken) is null)
        {
            return Problems.SessionNotFound(id);
        }

        return await members.RemoveAsync(id, user, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("Member not found", $"Session {id} is not shared with '{user}'.");
    }

    private static async Task<Results<Created<CreatedShareLinkDto>, ProblemHttpResult>> CreateLinkAsync(
        string id, CreateShareLinkRequest? request, ShareLinks links, HttpContext http, CancellationToken cancellationToken)
    {
        if (await FindAsync(http, id, cancellationToken) is null)
        {
            return Problems.SessionNotFound(id);
        }

        if (!ShareRoles.IsValid(request?.Role))
        {
            return UnknownRole(request?.Role);
        }

        if (request!.ExpiresInMinutes is not { } minutes || minutes is < 1 or > ShareRoles.MaxLinkMinutes)
        {
            return Problems.BadRequest(
                "Invalid expiry", $"Send 'expiresInMinutes' from 1 to {ShareRoles.MaxLinkMinutes} (a week): a share link always expires.", "invalid-expiry");
        }

        var created = await links.CreateAsync(id, request.Role!, minutes, Callers.Name(http.User), cancellationToken);
        return TypedResults.Created($"/api/sessions/{id}/links/{created.Id}", created);
    }

    private static async Task<Results<Ok<IReadOnlyList<ShareLinkDto>>, ProblemHttpResult>> ListLinksAsync(
        string id, ShareLinks links, HttpContext http, CancellationToken cancellationToken) =>
        await FindAsync(http, id, cancellationToken) is null ? Problems.SessionNotFound(id) : TypedResults.Ok(await links.ListAsync(id, cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeLinkAsync(
        string id, string linkId, ShareLinks links, CancellationToken cancellationToken) =>
        await links.RevokeAsync(id, linkId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound("Link not found", $"Session {id} has no share link '{linkId}' (it was revoked, or never existed).");

    /// <summary>Makes the caller a member with the link's role (a controller stays one if the link says viewer).</summary>
    private static async Task<Results<Ok<AcceptedShareLinkDto>, ProblemHttpResult>> AcceptLinkAsync(
        string token, ShareLinks links, SessionMembers members, HttpContext http, CancellationToken cancellationToken)
    {
        const string unusable = "This share link has expired, was revoked, or never existed. Ask the session's owner for a new one.";
        if (token.Length > 200 || await links.FindUsableAsync(token, cancellationToken) is not { } link
            || await FindAsync(http, link.SessionId, cancellationToken) is not { } found)
        {
            return Problems.NotFound("Share link not usable", unusable);
        }

        var caller = Callers.Name(http.User);
        if (caller == found.Owner)
        {
            return TypedResults.Ok(new AcceptedShareLinkDto(link.SessionId, "owner"));
        }

        var member = await members.SetAsync(link.SessionId, caller, link.Role, link.CreatedBy ?? caller, keepHigher: true, cancellationToken);
        return TypedResults.Ok(new AcceptedShareLinkDto(link.SessionId, member.Role));
    }

    private static ProblemHttpResult? CheckMember(string user, string? owner, string caller)
    {
        if (string.IsNullOrWhiteSpace(user) || user != user.Trim() || user.Length > ShareRoles.MaxUserLength)
        {
            return Problems.BadRequest("Invalid user", $"Name the user to share with: 1 to {ShareRoles.MaxUserLength} characters, without surrounding spaces.", "invalid-user");
        }

        return user == owner || user == caller
            ? Problems.BadRequest("Cannot share with yourself", $"'{user}' owns this session (or is you): they already have full access.", "self-share")
            : null;
    }

    private static ProblemHttpResult UnknownRole(string? role) =>
        Problems.BadRequest("Unknown role", $"'{role}' is not a role: send {{\"role\": \"{ShareRoles.Viewer}\"}} or {{\"role\": \"{ShareRoles.Controller}\"}}.", "invalid-role");

    /// <summary>The session's owner, when it is live or can still be restored; null when it ended or never existed.</summary>
    private static async Task<Found?> FindAsync(HttpContext http, string id, CancellationToken cancellationToken)
    {
        if (http.RequestServices.GetRequiredService<SessionManager>().Find(id) is { } live)
        {
            return new Found(live.Owner);
        }

        await using var db = await http.RequestServices.GetRequiredService<IDbContextFactory<OperaDbContext>>().CreateDbContextAsync(cancellationToken);
        var saved = await db.Sessions.AsNoTracking().Where(s => s.Id == id && s.State != SessionLifecycle.Closed)
            .Select(s => new { s.Owner }).FirstOrDefaultAsync(cancellationToken);
        return saved is null ? null : new Found(saved.Owner);
    }

    /// <summary>PostgreSQL away: 503 with Retry-After, as the token API answers, rather than a 500.</summary>
    private static async ValueTask<object?> StoreOutageFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(
                $"Sharing is kept in PostgreSQL, which is not reachable: {ex.GetBaseException().Message}", statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Sharing store unavailable");
        }
    }

    private sealed record Found(string? Owner);
}
