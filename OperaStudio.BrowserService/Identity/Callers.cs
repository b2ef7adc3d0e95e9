using System.Security.Claims;

namespace OperaStudio.BrowserService.Identity;

/// <summary>The caller as the rest of the service sees it: a user name, and whether it is the administrator.</summary>
public static class Callers
{
    public const string AdminRole = "admin";

    /// <summary>The signed-in user's name (every request that reaches an endpoint has one: anonymous ones are refused).</summary>
    public static string Name(ClaimsPrincipal user) =>
        user.Identity?.Name ?? throw new InvalidOperationException("An anonymous request reached an endpoint that requires a caller.");

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(AdminRole);
}
