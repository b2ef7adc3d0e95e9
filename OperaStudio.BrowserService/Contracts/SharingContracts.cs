namespace OperaStudio.BrowserService.Contracts;

/// <summary>The roles a session is shared with, and the limits of sharing.</summary>
public static class ShareRoles
{
    /// <summary>Watches the live view and may point; never acts on the page.</summary>
    public const string Viewer = "viewer";

    /// <summary>May request control and, while holding it, act on the page.</summary>
    public const string Controller = "controller";

    public const int MaxUserLength = 128;

    public const int MaxLinkMinutes = 10080;

    public static bool IsValid(string? role) => role is Viewer or Controller;
}

/// <summary><c>PUT /api/sessions/{id}/members/{user}</c>.</summary>
public sealed record MemberRequest(string? Role);

public sealed record MemberDto(string User, string Role, string? AddedBy, DateTimeOffset AddedAt);

/// <summary>Who has access to a session and who has control of it now (<see cref="Requests"/>: who asked for it, in order).</summary>
public sealed record SessionMembersDto(string SessionId, string? Owner, IReadOnlyList<MemberDto> Members, string? Controller, IReadOnlyList<string> Requests);

/// <summary><c>POST /api/sessions/{id}/links</c>: the role it grants, minutes until it expires (1 to 10080).</summary>
public sealed record CreateShareLinkRequest(string? Role, int? ExpiresInMinutes);

/// <summary>A link just made: the only answer that ever holds <see cref="Token"/>.</summary>
public sealed record CreatedShareLinkDto(string Id, string Token, string Role, DateTimeOffset ExpiresAt);

public sealed record ShareLinkDto(string Id, string Role, string? CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, bool Expired);

/// <summary>What accepting a link gave: the session, and the role the caller now has in it.</summary>
public sealed record AcceptedShareLinkDto(string SessionId, string Role);

/// <summary>
/// One person in a session's live view. <see cref="Role"/>: owner, admin, controller or viewer; <see cref="Color"/>: a
/// CSS colour, the same for the same user everywhere, for their avatar and pointer.
/// </summary>
public sealed record ParticipantDto(string User, string Role, string Color, bool HasControl, bool RequestedControl);
