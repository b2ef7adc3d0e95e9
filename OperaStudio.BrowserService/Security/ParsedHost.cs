using System.Net;
using System.Net.Sockets;

namespace OperaStudio.BrowserService.Security;

/// <summary>A URL host as a browser understands it: the address it means, or the name it will resolve.</summary>
public sealed record ParsedHost(HostKind Kind, string Text, IPAddress? Address = null)
{
    /// <summary>The name without its trailing dot ("example.com." and "example.com" are one host), or null.</summary>
    public string? Name => Kind == HostKind.Name ? Text.TrimEnd('.') : null;

    /// <summary>Localhost names are loopback in browsers whatever DNS says (RFC 6761).</summary>
    public bool IsLocalhostName => Name is { } name && (name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal));

    /// <summary>As a URL writes it: IPv6 in brackets.</summary>
    public string UrlText => Address?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Text}]" : Text;

    public static ParsedHost Invalid(string text) => new(HostKind.Invalid, text);

    public static ParsedHost ForAddress(IPAddress address)
    {
        // Scope ids (fe80::1%eth0) are not part of a URL host; comparisons must not depend on them.
        var plain = address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes()) : address;
        return new ParsedHost(HostKind.Address, plain.ToString(), plain);
    }
}
