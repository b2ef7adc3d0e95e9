using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.BrowserService.Identity;

/// <summary>
/// Two ways in, nothing else: the web app's signed statement of who it acts for (<see cref="CallerSignature"/>), or the
/// administrator's token (<c>Auth:AdminToken</c>) as a bearer token. A header naming a user without the signature is
/// not an identity; a request with neither is anonymous and refused.
/// </summary>
internal sealed class CallerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<AuthOptions> auth, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Opera";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var settings = auth.Value;
        if (Request.Headers[CallerSignature.Header].ToString() is { Length: > 0 } signed)
        {
            return Task.FromResult(CallerSignature.Verify(signed, settings.ServiceKey, time.GetUtcNow()) is { } user
                ? Success(user, admin: user == settings.Admin.UserName)
                : AuthenticateResult.Fail("The identity is not signed with this service's key, or it has expired."));
        }

        if (BearerToken() is not { } token)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(settings.AdminToken is { Length: > 0 } adminToken && SameToken(token, adminToken)
            ? Success(settings.Admin.UserName, admin: true)
            : AuthenticateResult.Fail("The token is not valid."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Response.WriteAsJsonAsync(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            title = "Sign-in required",
            status = 401,
            detail = "The browser service answers the web app and token holders only: call it through the web app, or send Authorization: Bearer <token>.",
        }, options: null, contentType: "application/problem+json");
    }

    private string? BearerToken()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        // A browser cannot set headers on a WebSocket: SignalR's JS client sends the token in the query, for the hub only.
        return Request.Path.StartsWithSegments(LiveViewHub.Path) && Request.Query["access_token"].ToString() is { Length: > 0 } query ? query : null;
    }

    private static bool SameToken(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static AuthenticateResult Success(string user, bool admin)
    {
        List<Claim> claims = [new(ClaimTypes.Name, user)];
        if (admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, Callers.AdminRole));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
