using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// Parses a URL host the WHATWG way, as Chromium does: percent-decoding, IDNA mapping (full-width digits become
/// ASCII), IPv4 in every numeric encoding, bracketed IPv6. System.Uri agrees on the common encodings but calls
/// "127.0.0.1.", "0x" and "１２７.０.０.１" DNS names and "256.0.0.1" a name instead of invalid; this does not.
/// </summary>
public static class HostParser
{
    private static readonly IdnMapping Idn = new();

    /// <summary>Code points a domain may not contain (the URL standard's forbidden domain code points).</summary>
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(" #%/:<>?@[\\]^|\t\n\r\0\u007f");

    public static ParsedHost Parse(string host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return ParsedHost.Invalid(host ?? "");
        }

        if (host[0] == '[')
        {
            return host[^1] == ']' ? ParseIPv6(host[1..^1]) : ParsedHost.Invalid(host);
        }

        // Percent-decoded first, as browsers do; invalid UTF-8 stays escaped and its '%' makes the host invalid.
        if (!TryToAscii(Uri.UnescapeDataString(host), out var ascii))
        {
            return ParsedHost.Invalid(host);
        }

        if (IpAddressCanonicalizer.EndsInANumber(ascii))
        {
            return IpAddressCanonicalizer.TryParseIPv4(ascii, out var address)
                ? ParsedHost.ForAddress(address)
                : ParsedHost.Invalid(host);
        }

        return new ParsedHost(HostKind.Name, ascii);
    }

    /// <summary>Only hex digits, colons and dots: zone ids (%eth0) are not valid in URLs.</summary>
    private static ParsedHost ParseIPv6(string text) =>
        text.Length > 0
        && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
        && IPAddress.TryParse(text, out var address)
        && address.AddressFamily == AddressFamily.InterNetworkV6
            ? ParsedHost.ForAddress(address)
            : ParsedHost.Invalid($"[{text}]");

    /// <summary>IDNA to ASCII, lower-cased; then no forbidden code points may remain.</summary>
    private static bool TryToAscii(string domain, out string ascii)
    {
        ascii = "";
        try
        {
            ascii = Idn.GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return false;
        }

        return ascii.Length > 0 && ascii.AsSpan().IndexOfAny(Forbidden) < 0 && !ascii.Any(char.IsControl);
    }
}
