using System.Net;
using System.Net.Sockets;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// The address ranges the remote browser may not reach by default: everything that is not the public internet.
/// IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that IPv4 address.
/// </summary>
public static class AddressRanges
{
    private const string ThisNetwork = "a “this network” address";
    private const string Private = "a private network address";
    private const string Reserved = "a reserved address";

    private static readonly (IPNetwork Network, string Code, string Description)[] IPv4 =
    [
        (Net("0.0.0.0/8"), UrlDecision.ThisNetwork, ThisNetwork),
        (Net("10.0.0.0/8"), UrlDecision.PrivateNetwork, Private),
        (Net("100.64.0.0/10"), UrlDecision.Cgnat, "a carrier-grade NAT (shared) address"),
        (Net("127.0.0.0/8"), UrlDecision.Loopback, "a loopback address"),
        (Net("169.254.0.0/16"), UrlDecision.LinkLocal, "a link-local address (cloud metadata services live here)"),
        (Net("172.16.0.0/12"), UrlDecision.PrivateNetwork, Private),
        (Net("192.0.0.0/24"), UrlDecision.Reserved, Reserved + " (IETF protocol assignments)"),
        (Net("192.0.2.0/24"), UrlDecision.Reserved, Reserved + " (documentation)"),
        (Net("192.88.99.0/24"), UrlDecision.Reserved, Reserved + " (6to4 relay)"),
        (Net("192.168.0.0/16"), UrlDecision.PrivateNetwork, Private),
        (Net("198.18.0.0/15"), UrlDecision.Reserved, Reserved + " (benchmarking)"),
        (Net("198.51.100.0/24"), UrlDecision.Reserved, Reserved + " (documentation)"),
        (Net("203.0.113.0/24"), UrlDecision.Reserved, Reserved + " (documentation)"),
        (Net("224.0.0.0/4"), UrlDecision.Multicast, "a multicast address"),
        (Net("255.255.255.255/32"), UrlDecision.Broadcast, "the broadcast address"),
        (Net("240.0.0.0/4"), UrlDecision.Reserved, Reserved),
    ];

    /// <summary>IPv6 ranges whose last 32 bits (or bits 16–47 for 6to4) are an IPv4 address to judge instead.</summary>
    private static readonly (IPNetwork Network, int Offset, bool RefuseAnyway)[] Embedding =
    [
        (Net("::ffff:0:0/96"), 12, false),   // IPv4-mapped: the socket really goes to the IPv4 address
        (Net("::ffff:0:0:0/96"), 12, false), // IPv4-translated (SIIT)
        (Net("64:ff9b::/96"), 12, false),    // NAT64: a public IPv4 behind NAT64 is fine, 127.0.0.1 is not
        (Net("2002::/16"), 2, false),        // 6to4
        (Net("::/96"), 12, true),            // IPv4-compatible: deprecated (RFC 4291), never legitimate
    ];

    private static readonly (IPNetwork Network, string Code, string Description)[] IPv6 =
    [
        (Net("::/128"), UrlDecision.ThisNetwork, "the unspecified address"),
        (Net("::1/128"), UrlDecision.Loopback, "a loopback address"),
        (Net("64:ff9b:1::/48"), UrlDecision.PrivateNetwork, "a local-use NAT64 address"),
        (Net("100::/64"), UrlDecision.Reserved, Reserved + " (discard-only)"),
        (Net("2001::/32"), UrlDecision.Reserved, Reserved + " (Teredo tunnel)"),
        (Net("2001:2::/48"), UrlDecision.Reserved, Reserved + " (benchmarking)"),
        (Net("2001:db8::/32"), UrlDecision.Reserved, Reserved + " (documentation)"),
        (Net("3fff::/20"), UrlDecision.Reserved, Reserved + " (documentation)"),
        (Net("5f00::/16"), UrlDecision.Reserved, Reserved + " (segment routing)"),
        (Net("fc00::/7"), UrlDecision.PrivateNetwork, "a unique local (private) IPv6 address"),
        (Net("fe80::/10"), UrlDecision.LinkLocal, "a link-local address"),
        (Net("fec0::/10"), UrlDecision.PrivateNetwork, "a site-local (private) IPv6 address"),
        (Net("ff00::/8"), UrlDecision.Multicast, "a multicast address"),
    ];

    /// <summary>Only 2000::/3 is allocated for global unicast; everything else not listed above is reserved.</summary>
    private static readonly IPNetwork GlobalUnicast = Net("2000::/3");

    /// <summary>The refused range <paramref name="address"/> falls in, or null for a public address.</summary>
    public static AddressRange? Classify(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? ClassifyIPv4(address) : ClassifyIPv6(address);

    private static AddressRange? ClassifyIPv4(IPAddress address) =>
        IPv4.Where(range => Contains(range.Network, address))
            .Select(range => new AddressRange(range.Code, range.Description))
            .FirstOrDefault();

    private static AddressRange? ClassifyIPv6(IPAddress address)
    {
        var plain = new IPAddress(address.GetAddressBytes());
        foreach (var (network, code, description) in IPv6)
        {
            if (Contains(network, plain))
            {
                return new AddressRange(code, description);
            }
        }

        foreach (var (network, offset, refuseAnyway) in Embedding)
        {
            if (Contains(network, plain))
            {
                var embedded = new IPAddress(plain.GetAddressBytes().AsSpan(offset, 4));
                return ClassifyIPv4(embedded) is { } refused
                    ? refused with { EmbeddedIPv4 = embedded }
                    : refuseAnyway ? new AddressRange(UrlDecision.Reserved, Reserved + " (IPv4-compatible IPv6)", embedded) : null;
            }
        }

        return Contains(GlobalUnicast, plain) ? null : new AddressRange(UrlDecision.Reserved, Reserved);
    }

    /// <summary>
    /// Prefix match on the bytes. IPNetwork.Contains is not used: on .NET 10 it answers false for every IPv4-mapped
    /// address, even against ::ffff:0:0/96 (measured), which would let ::ffff:127.0.0.1 through as "public".
    /// </summary>
    private static bool Contains(IPNetwork network, IPAddress address)
    {
        if (network.BaseAddress.AddressFamily != address.AddressFamily)
        {
            return false;
        }

        Span<byte> candidate = stackalloc byte[16];
        Span<byte> prefix = stackalloc byte[16];
        address.TryWriteBytes(candidate, out var length);
        network.BaseAddress.TryWriteBytes(prefix, out _);
        var whole = network.PrefixLength / 8;
        var mask = (byte)(0xFF << (8 - (network.PrefixLength % 8)));
        return candidate[..whole].SequenceEqual(prefix[..whole])
            && (whole == length || (candidate[whole] & mask) == (prefix[whole] & mask));
    }

    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);
}
