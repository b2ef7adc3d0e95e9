using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// One <c>UrlPolicy:AllowedHosts</c> or <c>UrlPolicy:BlockedHosts</c> entry: <c>host</c> (any port) or
/// <c>host:port</c>, the host canonicalised like a URL's so that 2130706433:8081 and 127.0.0.1:8081 are one entry.
/// </summary>
public sealed record HostEntry(ParsedHost Host, int? Port)
{
    public const string Example = "for example 127.0.0.1:8081, [::1]:8081 or intranet.example.com";

    public static bool TryParse(string? text, bool allowPort, [NotNullWhen(true)] out HostEntry? entry, [NotNullWhen(false)] out string? error)
    {
        entry = null;
        var trimmed = text?.Trim() ?? "";
        if (!TrySplit(trimmed, out var host, out var portText, out error))
        {
            return false;
        }

        int? port = null;
        if (portText is not null)
        {
            if (!allowPort)
            {
                error = "a port is not allowed here; give the host alone";
                return false;
            }

            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                error = $"'{portText}' is not a port (1-65535)";
                return false;
            }

            port = number;
        }

        var parsed = HostParser.Parse(host);
        if (parsed.Kind == HostKind.Invalid)
        {
            error = $"'{host}' is not a host name or IP address";
            return false;
        }

        entry = new HostEntry(parsed, port);
        return true;
    }

    /// <summary>The same host (IPv4-mapped IPv6 counts as its IPv4) and, when the entry names one, the same port.</summary>
    public bool Admits(ParsedHost host, int port) =>
        (Port is null || Port == port) && SameHost(host);

    /// <summary>Deny-list matching: the name itself or any name under it (example.com blocks a.example.com).</summary>
    public bool Covers(ParsedHost host) =>
        Host.Kind == HostKind.Name && host.Name is { } name
            ? name == Host.Name || name.EndsWith("." + Host.Name, StringComparison.Ordinal)
            : SameHost(host);

    public override string ToString() => Port is { } port ? $"{Host.UrlText}:{port}" : Host.UrlText;

    private bool SameHost(ParsedHost host) => Host.Kind switch
    {
        HostKind.Name => host.Name == Host.Name,
        HostKind.Address => host.Address is { } address && Unmapped(address).Equals(Unmapped(Host.Address!)),
        _ => false,
    };

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static bool TrySplit(string text, out string host, out string? port, [NotNullWhen(false)] out string? error)
    {
        host = text;
        port = null;
        error = null;
        if (text.Length == 0 || text.Any(char.IsWhiteSpace) || text.IndexOfAny(['/', '?', '#', '@', '*']) >= 0)
        {
            error = $"give a host or host:port, {Example}";
            return false;
        }

        if (text[0] == '[')
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            var after = close < 0 ? "!" : text[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
            {
                error = $"an IPv6 address goes in brackets, optionally followed by :port, {Example}";
                return false;
            }

            host = text[..(close + 1)];
            port = after.Length > 0 ? after[1..] : null;
            return true;
        }

        var colons = text.Count(c => c == ':');
        if (colons > 1)
        {
            host = $"[{text}]"; // a bare IPv6 address; a port needs the brackets
        }
        else if (colons == 1)
        {
            host = text[..text.IndexOf(':', StringComparison.Ordinal)];
            port = text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..];
        }

        return true;
    }
}
