using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// What a person types in the address bar, made into the URL a browser would open: a scheme added when missing,
/// the host canonicalised as Chromium will (0x7f.1 becomes 127.0.0.1), anything else left as typed.
/// </summary>
public static partial class AddressBarInput
{
    public const string NotAUrl = "not a URL";

    /// <summary>Schemes written without "//" (about:blank, data:…); input starting with one is taken as a URL.</summary>
    private static readonly HashSet<string> OpaqueSchemes = new(StringComparer.OrdinalIgnoreCase)
    {
        "about", "blob", "chrome", "chrome-untrusted", "data", "devtools", "file", "javascript", "mailto", "view-source",
    };

    private static readonly HashSet<string> NetworkSchemes = ["http", "https", "ws", "wss"];

    public static bool TryNormalize(string? userInput, [NotNullWhen(true)] out Uri? url, [NotNullWhen(false)] out string? error)
    {
        url = null;
        var input = userInput?.Trim() ?? "";
        if (input.Length == 0 || input.Any(char.IsWhiteSpace))
        {
            error = NotAUrl;
            return false;
        }

        var scheme = SchemePrefix().Match(input);
        if (scheme.Success && OpaqueSchemes.Contains(scheme.Groups["scheme"].Value))
        {
            return TryCreate(input, out url, out error);
        }

        string schemeName, rest;
        if (scheme.Success && input.AsSpan(scheme.Length).StartsWith("//"))
        {
            schemeName = scheme.Groups["scheme"].Value.ToLowerInvariant();
            if (!NetworkSchemes.Contains(schemeName))
            {
                return TryCreate(input, out url, out error); // file:///…: kept for the policy to refuse
            }

            rest = input[(scheme.Length + 2)..];
        }
        else
        {
            // No scheme: "localhost:8080/x" reads as host:port, as the address bar reads it.
            schemeName = "";
            rest = input;
        }

        var authorityEnd = rest.IndexOfAny(['/', '?', '#', '\\']);
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var path = authorityEnd < 0 ? "/" : rest[authorityEnd..];
        var at = authority.LastIndexOf('@');
        var userInfo = at < 0 ? "" : authority[..(at + 1)];
        var (hostText, port) = SplitPort(authority[(at + 1)..]);
        if (hostText.Length == 0)
        {
            error = NotAUrl;
            return false;
        }

        var host = HostParser.Parse(hostText);
        if (schemeName.Length == 0)
        {
            // A lone word is a search; a dot, a port, brackets or localhost make it an address.
            if (!hostText.Contains('.', StringComparison.Ordinal) && port is null && hostText[0] != '[' && !host.IsLocalhostName)
            {
                error = NotAUrl;
                return false;
            }

            schemeName = host.Kind == HostKind.Address || host.IsLocalhostName ? "http" : "https";
        }

        if (host.Kind == HostKind.Invalid)
        {
            error = $"'{hostText}' is not a valid host name or IP address";
            return false;
        }

        if (port is not null && (!port.All(char.IsAsciiDigit) || port.Length is 0 or > 5 || int.Parse(port, CultureInfo.InvariantCulture) > 65535))
        {
            error = $"'{port}' is not a port";
            return false;
        }

        var portPart = port is null ? "" : ":" + port;
        return TryCreate($"{schemeName}://{userInfo}{host.UrlText}{portPart}{path}", out url, out error);
    }

    private static (string Host, string? Port) SplitPort(string hostAndPort)
    {
        var close = hostAndPort.StartsWith('[') ? hostAndPort.IndexOf(']', StringComparison.Ordinal) : -1;
        var colon = hostAndPort.IndexOf(':', close + 1);
        return colon < 0 ? (hostAndPort, null) : (hostAndPort[..colon], hostAndPort[(colon + 1)..]);
    }

    private static bool TryCreate(string text, [NotNullWhen(true)] out Uri? url, [NotNullWhen(false)] out string? error)
    {
        error = Uri.TryCreate(text, UriKind.Absolute, out url) ? null : $"'{text}' is not a valid URL";
        return url is not null;
    }

    [GeneratedRegex("^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*):")]
    private static partial Regex SchemePrefix();
}
