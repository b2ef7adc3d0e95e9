namespace OperaStudio.Web.Identity;

/// <summary>
/// Section <c>Auth</c> as the web app reads it: the key it shares with the browser service, and the first
/// administrator's account (created on the first start with no accounts).
/// </summary>
public sealed class WebAuthOptions
{
    public const string SectionName = "Auth";

    public string ServiceKey { get; set; } = "";

    public AdminOptions Admin { get; set; } = new();

    /// <summary>Sign-in attempts one address may make a minute, across all accounts (each account also locks after 5 failures).</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>Single sign-on through an OpenID Connect provider; off while <c>Authority</c> is empty.</summary>
    public OidcOptions Oidc { get; set; } = new();

    public sealed class OidcOptions
    {
        /// <summary>The provider's issuer address (its discovery document is at /.well-known/openid-configuration).</summary>
        public string? Authority { get; set; }

        public string ClientId { get; set; } = "";

        public string? ClientSecret { get; set; }

        /// <summary>What the sign-in page's button says: "Sign in with …".</summary>
        public string DisplayName { get; set; } = "single sign-on";

        /// <summary>The claim that names the account made for a first sign-in (then <c>email</c>, then <c>sub</c>).</summary>
        public string UserNameClaim { get; set; } = "preferred_username";

        /// <summary>Only for a provider on loopback in development and tests: production providers serve HTTPS.</summary>
        public bool RequireHttpsMetadata { get; set; } = true;

        public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && ClientId.Length > 0;
    }

    public sealed class AdminOptions
    {
        public string UserName { get; set; } = "admin";

        /// <summary>The first administrator's password; when unset one is generated and written once to the log.</summary>
        public string? Password { get; set; }
    }
}
