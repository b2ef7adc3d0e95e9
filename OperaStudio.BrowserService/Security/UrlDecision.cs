namespace OperaStudio.BrowserService.Security;

/// <summary>
/// The URL policy's answer: <see cref="Code"/> is short and stable for programs (API errors, the
/// <c>X-Opera-Blocked</c> header); <see cref="Reason"/> is a sentence for people, with the setting that would allow it.
/// </summary>
public sealed record UrlDecision(bool Allowed, string Code, string Reason)
{
    public const string AllowedCode = "allowed";
    public const string SchemeRefused = "scheme-refused";
    public const string InvalidHost = "invalid-host";
    public const string BlockedHost = "blocked-host";
    public const string DnsFailed = "dns-failed";
    public const string Loopback = "loopback";
    public const string PrivateNetwork = "private-network";
    public const string LinkLocal = "link-local";
    public const string Cgnat = "cgnat";
    public const string ThisNetwork = "this-network";
    public const string Broadcast = "broadcast";
    public const string Multicast = "multicast";
    public const string Reserved = "reserved";

    public static UrlDecision Allow(string reason) => new(true, AllowedCode, reason);

    public static UrlDecision Refuse(string code, string reason) => new(false, code, reason);
}
