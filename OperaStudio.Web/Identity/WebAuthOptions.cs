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

    public sealed class AdminOptions
    {
        public string UserName { get; set; } = "admin";

        /// <summary>The first administrator's password; when unset one is generated and written once to the log.</summary>
        public string? Password { get; set; }
    }
}
