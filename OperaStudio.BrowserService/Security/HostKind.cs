namespace OperaStudio.BrowserService.Security;

/// <summary>What a URL host turned out to be.</summary>
public enum HostKind
{
    /// <summary>Browsers refuse the URL (e.g. 256.0.0.1, 1.2.3.4.5); so does the policy.</summary>
    Invalid,

    /// <summary>An IPv4 or IPv6 literal, in any encoding a browser accepts.</summary>
    Address,

    /// <summary>A DNS name, lower-case ASCII (international names in punycode).</summary>
    Name,
}
