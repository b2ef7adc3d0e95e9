using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Services;

/// <summary>
/// The sharing part of the browser service's API: the owner's members and links, and accepting a link for the
/// signed-in person. Turns (control) go over the live view's hub, not through here.
/// </summary>
public sealed partial class BrowserServiceClient
{
    public Task<ApiResult<SessionMembersDto>> ListMembersAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<SessionMembersDto>(HttpMethod.Get, $"{SessionPath(sessionId)}/members", null, cancellationToken);

    /// <summary>Adds <paramref name="user"/> with <paramref name="role"/> (viewer or controller), or changes their role.</summary>
    public Task<ApiResult<MemberDto>> SetMemberAsync(string sessionId, string user, string role, CancellationToken cancellationToken = default) =>
        SendAsync<MemberDto>(HttpMethod.Put, MemberPath(sessionId, user), new MemberRequest(role), cancellationToken);

    /// <summary>Revokes at once: the service ends their live view.</summary>
    public Task<ApiResult<bool>> RemoveMemberAsync(string sessionId, string user, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, MemberPath(sessionId, user), null, cancellationToken);

    /// <summary>A new link; its token is in this answer only.</summary>
    public Task<ApiResult<CreatedShareLinkDto>> CreateShareLinkAsync(string sessionId, string role, int expiresInMinutes, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedShareLinkDto>(HttpMethod.Post, $"{SessionPath(sessionId)}/links", new CreateShareLinkRequest(role, expiresInMinutes), cancellationToken);

    public Task<ApiResult<IReadOnlyList<ShareLinkDto>>> ListShareLinksAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ShareLinkDto>>(HttpMethod.Get, $"{SessionPath(sessionId)}/links", null, cancellationToken);

    public Task<ApiResult<bool>> RevokeShareLinkAsync(string sessionId, string linkId, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, $"{SessionPath(sessionId)}/links/{Uri.EscapeDataString(linkId)}", null, cancellationToken);

    /// <summary>Makes the signed-in person a member with the link's role; a problem when the link is expired, revoked or unknown.</summary>
    public Task<ApiResult<AcceptedShareLinkDto>> AcceptShareLinkAsync(string token, CancellationToken cancellationToken = default) =>
        SendAsync<AcceptedShareLinkDto>(HttpMethod.Post, $"/api/share-links/{Uri.EscapeDataString(token)}/accept", null, cancellationToken);

    private static string MemberPath(string sessionId, string user) => $"{SessionPath(sessionId)}/members/{Uri.EscapeDataString(user)}";
}
