using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Streaming;

namespace OperaStudio.BrowserService.Identity;

/// <summary>
/// Three ways in, nothing else: the web app's signed statement of who it acts for (<see cref="CallerSignature"/>), the
/// administrator's token (<c>Auth:AdminToken</c>), or a personal API token (<see cref="ApiTokenStore"/>), both as bearer
/// tokens. A header naming a user without the signature is not an identity; a request with none is anonymous and refused.
/// </summary>
internal sealed class CallerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<AuthOptions> auth, TimeProvider time,
    ApiTokenStore tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Opera";

    /// <summary>Set when a token could not be checked: the challenge then answers 503, as the token may well be valid.</summary>
    private const string StoreUnavailable = "opera:token-store-unavailable";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var settings = auth.Value;
        if (Request.Headers[CallerSignature.Header].ToString() is { Length: > 0 } signed)
        {
            return CallerSignature.Verify(signed, settings.ServiceKey, time.GetUtcNow()) is { } user
                ? Success(user, admin: user == settings.Admin.UserName)
                : AuthenticateResult.Fail("The identity is not signed with this service's key, or it has expired.");
        }

        if (BearerToken() is not { } token)
        {
            return AuthenticateResult.NoResult();
        }

        if (settings.AdminToken is { Length: > 0 } adminToken && SameToken(token, adminToken))
        {
            return Success(settings.Admin.UserName, admin: true);
        }

        try
        {
            return await tokens.AuthenticateAsync(token, Context.RequestAborted) is { } holder
                ? Success(holder.Owner, admin: holder.Owner == settings.Admin.UserName, holder.TokenId)
                : AuthenticateResult.Fail("The token is not valid, has expired or was revoked.");
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            Context.Items[StoreUnavailable] = true;
            return AuthenticateResult.Fail($"The token could not be checked: PostgreSQL is not reachable ({ex.GetBaseException().Message}).");
        }
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        if (Context.Items.ContainsKey(StoreUnavailable))
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "5";
            await Response.WriteAsJsonAsync(new
            {
                type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
                title = "Token store unavailable",
                status = 503,
                detail = failure,
            }, options: null, contentType: "application/problem+json");
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        const string who = "The browser service answers the web app and token holders only: call it through the web app, or send Authorization: Bearer <token>.";
        await Response.WriteAsJsonAsync(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            title = "Sign-in required",
            status = 401,
            detail = failure is null ? who : $"{failure} {who}",
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
        if (Request.Path.StartsWithSegments(LiveViewHub.Path) && Request.Query["access_token"].ToString() is { Length: > 0 } query)
        {
            return query;
        }

        // Some CDP clients cannot set headers either (a DevTools URL is all they take): ?token= on /cdp only.
        return Request.Path.StartsWithSegments(Cdp.CdpEndpoint.Path) && Request.Query["token"].ToString() is { Length: > 0 } cdp ? cdp : null;
    }

    private static bool SameToken(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static AuthenticateResult Success(string user, bool admin, string? tokenId = null)
    {
        // The name is also the stable id: the MCP server ties each of its sessions to it (and refuses anyone else).
        List<Claim> claims = [new(ClaimTypes.Name, user), new(ClaimTypes.NameIdentifier, user)];
        if (admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, Callers.AdminRole));
        }

        if (tokenId is not null)
        {
            claims.Add(new Claim(Callers.TokenIdClaim, tokenId));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
