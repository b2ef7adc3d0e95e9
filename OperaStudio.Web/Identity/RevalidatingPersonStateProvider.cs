using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace OperaStudio.Web.Identity;

/// <summary>
/// A circuit outlives the request that signed it in: every minute it checks that the account still exists and its
/// security stamp is unchanged (a deleted account, a new password), and otherwise the circuit's person is signed out.
/// </summary>
internal sealed class RevalidatingPersonStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> options, IHostApplicationLifetime lifetime)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            return await IsCurrentAsync(users, authenticationState.User);
        }
        catch (ObjectDisposedException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The app is stopping and its services are gone: the circuit goes with it, nobody needs signing out.
            return true;
        }
    }

    private async Task<bool> IsCurrentAsync(UserManager<IdentityUser> users, ClaimsPrincipal principal)
    {
        if (await users.GetUserAsync(principal) is not { } user)
        {
            return false;
        }

        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }

        var stamp = principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
