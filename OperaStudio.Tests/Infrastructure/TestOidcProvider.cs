using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// A small OpenID Connect provider on loopback for the single sign-on tests: discovery, keys, an authorization
/// endpoint that signs in whoever the test named (<see cref="NextPerson"/>) without asking, and a token endpoint that
/// checks the client's secret and PKCE verifier before it answers with an RS256-signed ID token.
/// </summary>
public sealed class TestOidcProvider : IAsyncDisposable
{
    public const string ClientId = "opera-studio";
    public const string ClientSecret = "test-client-secret";

    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };
    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri Authority { get; private set; } = null!;

    /// <summary>Who the provider says signs in next: subject, preferred user name, email.</summary>
    public (string Subject, string UserName, string Email) NextPerson { get; set; } = ("subject-1", "sso-person", "sso-person@example.test");

    public static async Task<TestOidcProvider> StartAsync()
    {
        var provider = new TestOidcProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        provider._app = builder.Build();
        provider._app.MapGet("/.well-known/openid-configuration", provider.Discovery);
        provider._app.MapGet("/jwks", provider.Keys);
        provider._app.MapGet("/authorize", provider.Authorize);
        provider._app.MapPost("/token", provider.TokenAsync);
        await provider._app.StartAsync();
        provider.Authority = new Uri(provider._app.Urls.First());
        return provider;
    }

    private string Issuer => Authority.ToString().TrimEnd('/');

    private IResult Discovery() => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = Issuer,
        ["authorization_endpoint"] = $"{Issuer}/authorize",
        ["token_endpoint"] = $"{Issuer}/token",
        ["jwks_uri"] = $"{Issuer}/jwks",
        ["response_types_supported"] = (string[])["code"],
        ["subject_types_supported"] = (string[])["public"],
        ["id_token_signing_alg_values_supported"] = (string[])["RS256"],
        ["code_challenge_methods_supported"] = (string[])["S256"],
    });

    private IResult Keys()
    {
        var parameters = _key.Rsa.ExportParameters(includePrivateParameters: false);
        return Results.Json(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = _key.KeyId, n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        });
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query;
        if (query["client_id"] != ClientId || query["response_type"] != "code" || query["code_challenge_method"] != "S256")
        {
            return Results.BadRequest("unexpected authorization request");
        }

        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        _codes[code] = new Grant(NextPerson, query["nonce"].ToString(), query["code_challenge"].ToString(), query["redirect_uri"].ToString());
        return Results.Redirect($"{query["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(query["state"].ToString())}");
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (id, secret) = ClientOf(request, form);
        if (id != ClientId || secret != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        if (!_codes.TryRemove(form["code"].ToString(), out var grant)
            || grant.RedirectUri != form["redirect_uri"]
            || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.CodeChallenge)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", grant.Person.Subject),
                new Claim("preferred_username", grant.Person.UserName),
                new Claim("email", grant.Person.Email),
                new Claim("nonce", grant.Nonce),
            ]),
            IssuedAt = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
        return Results.Json(new { id_token = idToken, access_token = "unused", token_type = "Bearer", expires_in = 300 });
    }

    /// <summary>The client's credentials, from HTTP Basic (the handler's default) or the form.</summary>
    private static (string? Id, string? Secret) ClientOf(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : null);
        }

        return (form["client_id"], form["client_secret"]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _key.Rsa.Dispose();
    }

    private sealed record Grant((string Subject, string UserName, string Email) Person, string Nonce, string CodeChallenge, string RedirectUri);
}
