using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace OperaStudio.Web.Identity;

/// <summary>
/// Sign-in through a team's OpenID Connect provider (<c>Auth:Oidc:*</c>): the authorization code flow with PKCE. The
/// first sign-in makes an account named after the provider's <c>UserNameClaim</c>, linked to the provider's subject;
/// later ones find it by that link. An existing account of the same name is never taken over: the person is told to
/// ask the administrator.
/// </summary>
public static class SingleSignOn
{
    public const string Scheme = "oidc";
    public const string StartPath = "/login/sso";
    public const string CallbackPath = "/login/sso/done";

    public static void AddSingleSignOn(this IServiceCollection services, WebAuthOptions.OidcOptions oidc)
    {
        if (!oidc.Enabled)
        {
            return;
        }

        services.AddAuthentication().AddOpenIdConnect(Scheme, oidc.DisplayName, options =>
        {
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.Authority = oidc.Authority;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.UsePkce = true;
            // The answer comes back by a top-level GET, so the correlation and nonce cookies can be SameSite=Lax (a
            // form post from the provider's site would need SameSite=None, which browsers drop on plain HTTP).
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.Scope.Clear();
            options.Scope.Add("openid");
            options.Scope.Add("profile");
            options.Scope.Add("email");
            options.CallbackPath = "/signin-oidc";
            options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            options.MapInboundClaims = false;
            options.SaveTokens = false;
        });
    }

    public static void MapSingleSignOn(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<WebAuthOptions>>().Value.Oidc.Enabled)
        {
            return;
        }

        app.MapPost(StartPath, ([FromForm] string? returnUrl, SignInManager<IdentityUser> signIn) =>
            TypedResults.Challenge(
                signIn.ConfigureExternalAuthenticationProperties(Scheme, $"{CallbackPath}?returnUrl={Uri.EscapeDataString(LocalUrl(returnUrl))}"),
                [Scheme]))
            .AllowAnonymous();
        app.MapGet(CallbackPath, FinishAsync).AllowAnonymous();
    }

    /// <summary>Only a path of this app: an absolute or protocol-relative address would make sign-in an open redirect.</summary>
    public static string LocalUrl(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";

    private static async Task<IResult> FinishAsync(
        string? returnUrl, HttpContext http, SignInManager<IdentityUser> signIn, UserManager<IdentityUser> users, IOptions<WebAuthOptions> options)
    {
        if (await signIn.GetExternalLoginInfoAsync() is not { } login)
        {
            return Refused("sso-failed");
        }

        try
        {
            var result = await signIn.ExternalLoginSignInAsync(login.LoginProvider, login.ProviderKey, isPersistent: false, bypassTwoFactor: true);
            if (result.Succeeded)
            {
                return TypedResults.LocalRedirect(LocalUrl(returnUrl));
            }

            if (result.IsLockedOut || result.IsNotAllowed)
            {
                return Refused("locked");
            }

            if (UserNameFrom(login.Principal, options.Value.Oidc.UserNameClaim) is not { } name)
            {
                return Refused("sso-no-name");
            }

            if (await users.FindByNameAsync(name) is not null)
            {
                return Refused("sso-name-taken");
            }

            var user = new IdentityUser(name) { Email = login.Principal.FindFirstValue("email") };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded || !(await users.AddLoginAsync(user, login)).Succeeded)
            {
                return Refused("sso-failed");
            }

            await signIn.SignInAsync(user, isPersistent: false, login.LoginProvider);
            return TypedResults.LocalRedirect(LocalUrl(returnUrl));
        }
        finally
        {
            await http.SignOutAsync(IdentityConstants.ExternalScheme);
        }
    }

    private static RedirectHttpResult Refused(string error) => TypedResults.LocalRedirect($"{AccountsExtensions.LoginPath}?error={error}");

    /// <summary>The provider's name for the person, in the characters an account name may hold, or null.</summary>
    private static string? UserNameFrom(ClaimsPrincipal principal, string claim)
    {
        var raw = principal.FindFirstValue(claim) ?? principal.FindFirstValue("email") ?? principal.FindFirstValue("sub");
        if (raw is null)
        {
            return null;
        }

        var name = new StringBuilder();
        foreach (var c in raw.Trim())
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '@' or '+')
            {
                name.Append(c);
            }
        }

        return name.Length is > 0 and <= 64 ? name.ToString() : null;
    }
}
