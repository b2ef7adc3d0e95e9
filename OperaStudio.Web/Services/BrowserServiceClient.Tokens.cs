using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Services;

/// <summary>
/// The personal API tokens part of the browser service's API. The service acts for whoever this client signs for, so
/// the page's person makes, lists and revokes their own tokens; only an administrator may revoke another user's.
/// </summary>
public sealed partial class BrowserServiceClient
{
    private const string TokensPath = "/api/tokens";

    /// <summary>A new token for the signed-in person; the answer is the only place its value ever appears.</summary>
    public Task<ApiResult<CreatedApiTokenDto>> CreateTokenAsync(string name, int? expiresInDays, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedApiTokenDto>(HttpMethod.Post, TokensPath, new CreateApiTokenRequest(name, expiresInDays), cancellationToken);

    public Task<ApiResult<IReadOnlyList<ApiTokenDto>>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ApiTokenDto>>(HttpMethod.Get, TokensPath, null, cancellationToken);

    public Task<ApiResult<bool>> RevokeTokenAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, $"{TokensPath}/{Uri.EscapeDataString(id)}", null, cancellationToken);

    /// <summary>Every token of <paramref name="user"/> (administrators only): a deleted account's tokens must stop working too.</summary>
    public Task<ApiResult<bool>> RevokeAllTokensOfAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, $"/api/users/{Uri.EscapeDataString(user)}/tokens", null, cancellationToken);
}
