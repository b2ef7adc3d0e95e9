namespace OperaStudio.BrowserService.Security;

/// <summary>
/// Section <c>UrlPolicy</c>. By default the remote browser reaches only the public internet; these settings open
/// chosen hosts (<c>UrlPolicy__AllowedHosts__0=127.0.0.1:8081</c>), close more, or admit private networks.
/// </summary>
public sealed class UrlPolicyOptions
{
    public const string SectionName = "UrlPolicy";

    /// <summary>
    /// <c>host</c> (any port) or <c>host:port</c>. An address entry admits that address however a URL spells it;
    /// a name entry admits that name without looking at what it resolves to.
    /// </summary>
    [HostEntries(allowPort: true)]
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>Names refused with every name under them (example.com refuses a.example.com), or addresses.</summary>
    [HostEntries(allowPort: false)]
    public IList<string> BlockedHosts { get; } = [];

    /// <summary>For operators on trusted networks: admits RFC 1918, unique local IPv6 and CGNAT addresses.</summary>
    public bool AllowPrivateNetworks { get; set; }
}
