using System.Security.Claims;

namespace OperaStudio.BrowserService.Identity;

/// <summary>The caller as the rest of the service sees it: a user name, and whether it is the administrator.</summary>
public static class Callers
{
    public const string AdminRole = "admin";

    /// <summary>Carried by a caller that came in with a personal API token: the token's id.</summary>
    public const string TokenIdClaim = "opera:token";

    /// <summary>The signed-in user's name (every request that reaches an endpoint has one: anonymous ones are refused).</summary>
    public static string Name(ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("An anonymous request reached an endpoint that requires a caller.");

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(AdminRole);

    /// <summary>The personal token the caller came in with; null for the web app's callers and the administrator's token.</summary>
    public static string? TokenId(ClaimsPrincipal user) => user.FindFirst(TokenIdClaim)?.Value;
}
