using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// Reads IPv4 hosts as browsers do (the WHATWG URL standard's IPv4 parser): one to four dot-separated parts, each
/// decimal, octal (leading 0) or hex (0x), the last filling the remaining bytes, so 2130706433, 0177.0.0.1,
/// 0x7f.1 and 127.1 all mean 127.0.0.1. A host whose last part is a number must parse, or the URL is invalid.
/// </summary>
public static class IpAddressCanonicalizer
{
    /// <summary>Past this a part cannot fit in four bytes; counting stops so long inputs cannot overflow.</summary>
    private const ulong TooLarge = (ulong)uint.MaxValue + 1;

    /// <summary>The standard's "ends in a number": browsers then treat the host as IPv4 and never as a name.</summary>
    public static bool EndsInANumber(string host)
    {
        var parts = WithoutTrailingEmptyPart(host.Split('.'));
        if (parts is null)
        {
            return false;
        }

        var last = parts[^1];
        return (last.Length > 0 && last.All(char.IsAsciiDigit)) || TryParseNumber(last, out _);
    }

    /// <summary>The address an IPv4 host means, or false when it is not a valid IPv4 host.</summary>
    public static bool TryParseIPv4(string host, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var parts = WithoutTrailingEmptyPart(host.Split('.'));
        if (parts is null || parts.Length > 4)
        {
            return false;
        }

        var numbers = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParseNumber(parts[i], out numbers[i]) || (i < parts.Length - 1 && numbers[i] > 255))
            {
                return false;
            }
        }

        // The last part fills every byte the others left: 127.1 is 127.0.0.1, a lone number is all four bytes.
        var lastLimit = 1UL << (8 * (5 - parts.Length));
        if (numbers[^1] >= lastLimit)
        {
            return false;
        }

        var value = numbers[^1];
        for (var i = 0; i < parts.Length - 1; i++)
        {
            value += numbers[i] << (8 * (3 - i));
        }

        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>"127.0.0.1." is 127.0.0.1: one trailing empty part is dropped; a host of only "." has no parts.</summary>
    private static string[]? WithoutTrailingEmptyPart(string[] parts) =>
        parts[^1].Length > 0 ? parts : parts.Length > 1 ? parts[..^1] : null;

    /// <summary>One part: 0x-prefixed hex (a bare "0x" is 0), 0-prefixed octal, else decimal.</summary>
    private static bool TryParseNumber(string part, out ulong value)
    {
        value = 0;
        if (part.Length == 0)
        {
            return false;
        }

        var digits = part.AsSpan();
        var radix = 10;
        if (digits.Length >= 2 && digits[0] == '0' && digits[1] is 'x' or 'X')
        {
            radix = 16;
            digits = digits[2..];
        }
        else if (digits.Length >= 2 && digits[0] == '0')
        {
            radix = 8;
            digits = digits[1..];
        }

        foreach (var c in digits)
        {
            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiHexDigit(c) ? char.ToLowerInvariant(c) - 'a' + 10 : -1;
            if (digit < 0 || digit >= radix)
            {
                return false;
            }

            value = Math.Min(value * (ulong)radix + (ulong)digit, TooLarge);
        }

        return true;
    }
}
