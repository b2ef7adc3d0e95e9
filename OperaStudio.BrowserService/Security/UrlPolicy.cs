using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// Decides what the remote browser may reach. <see cref="Evaluate"/> and <see cref="EvaluateAsync"/> answer API
/// callers before a navigation; <see cref="CheckDestinationAsync"/> is what the <see cref="FilteringProxy"/> asks
/// for every connection, against the addresses it will really connect to.
/// </summary>
public sealed class UrlPolicy
{
    private static readonly HashSet<string> NetworkSchemes = ["http", "https", "ws", "wss"];
    private static readonly HashSet<string> PrivateCodes = [UrlDecision.PrivateNetwork, UrlDecision.Cgnat];
    private static readonly IPAddress[] LocalhostAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    private readonly List<HostEntry> _allowed;
    private readonly List<HostEntry> _blocked;
    private readonly bool _allowPrivateNetworks;

    public UrlPolicy(IOptions<UrlPolicyOptions> options)
    {
        var settings = options.Value;
        _allowed = [.. settings.AllowedHosts.Select(entry => Parse(entry, allowPort: true))];
        _blocked = [.. settings.BlockedHosts.Select(entry => Parse(entry, allowPort: false))];
        _allowPrivateNetworks = settings.AllowPrivateNetworks;
    }

    /// <summary>
    /// The scheme and host checks, without DNS: a name this allows may still resolve to a refused address. For a tab
    /// now at <paramref name="currentPage"/>, a <c>blob:</c> URL of that page's own origin may be opened as a page (the
    /// page may navigate to its own blobs, as in any browser, and the API may do what the page may); any other blob:,
    /// and every data:, is refused as a page.
    /// </summary>
    public UrlDecision Evaluate(Uri url, UrlUse use, Uri? currentPage = null)
    {
        if (!url.IsAbsoluteUri)
        {
            return UrlDecision.Refuse(UrlDecision.SchemeRefused, "Only absolute URLs can be opened.");
        }

        return url.Scheme switch
        {
            _ when NetworkSchemes.Contains(url.Scheme) => EvaluateHost(HostParser.Parse(url.Host), url.Port),
            "about" when url.AbsolutePath is "blank" or "srcdoc" => UrlDecision.Allow("about:blank is an empty page."),
            "data" or "blob" when use == UrlUse.Subresource => UrlDecision.Allow($"{url.Scheme}: content may be used inside a page."),
            "blob" when BlobOrigin(url) is { } origin && currentPage is not null && SameOrigin(origin, currentPage) =>
                EvaluateHost(HostParser.Parse(origin.Host), origin.Port) is { Allowed: false } refused
                    ? refused
                    : UrlDecision.Allow($"{url.Scheme}: content of the page's own origin ({origin.GetLeftPart(UriPartial.Authority)}) may be opened."),
            "blob" => SchemeRefused(url.Scheme, "it may be used inside a page, or opened as a page only by a page of its own origin"),
            "data" => SchemeRefused(url.Scheme, "it may be used inside a page but not opened as one"),
            "javascript" => SchemeRefused(url.Scheme, "scripts are not run from URLs"),
            "file" => SchemeRefused(url.Scheme, "it would show the server's own files"),
            "chrome" or "chrome-untrusted" or "devtools" or "view-source" or "about" =>
                SchemeRefused(url.Scheme, "browser-internal pages are not part of the remote browser"),
            _ => SchemeRefused(url.Scheme, "the remote browser opens http, https, ws and wss addresses"),
        };
    }

    /// <summary>
    /// <see cref="Evaluate"/>, then DNS: every address a name resolves to must pass (an allow-listed name skips this),
    /// so an API caller gets a clear refusal before navigating rather than a browser error after.
    /// </summary>
    public async Task<UrlDecision> EvaluateAsync(Uri url, UrlUse use, Uri? currentPage = null, CancellationToken cancellationToken = default)
    {
        var decision = Evaluate(url, use, currentPage);
        var host = url.IsAbsoluteUri && NetworkSchemes.Contains(url.Scheme) ? HostParser.Parse(url.Host) : null;
        if (!decision.Allowed || host?.Name is not { } name || host.IsLocalhostName || IsAllowListed(host, url.Port))
        {
            return decision;
        }

        var (addresses, failure) = await ResolveAsync(name, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        return addresses.Select(address => EvaluateAddress(address, url.Port, name)).FirstOrDefault(check => !check.Allowed)
            ?? UrlDecision.Allow($"{name} resolves only to public addresses.");
    }

    /// <summary>
    /// For the proxy: the addresses <paramref name="host"/> may be reached at. A name is resolved once here and the
    /// proxy connects to exactly these addresses, so DNS rebinding cannot swap in a refused one afterwards.
    /// </summary>
    public async Task<DestinationCheck> CheckDestinationAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var parsed = HostParser.Parse(host);
        var decision = EvaluateHost(parsed, port);
        if (!decision.Allowed)
        {
            return DestinationCheck.Refused(decision);
        }

        if (parsed.Address is { } literal)
        {
            return new DestinationCheck(decision, [literal]);
        }

        var name = parsed.Name!;
        var (addresses, failure) = parsed.IsLocalhostName ? (LocalhostAddresses, null) : await ResolveAsync(name, cancellationToken);
        if (failure is not null)
        {
            return DestinationCheck.Refused(failure);
        }

        if (IsAllowListed(parsed, port))
        {
            return new DestinationCheck(decision, addresses);
        }

        var checks = addresses.Select(address => (Address: address, Decision: EvaluateAddress(address, port, name))).ToList();
        var passed = checks.Where(check => check.Decision.Allowed).Select(check => check.Address).ToList();
        return passed.Count > 0
            ? new DestinationCheck(UrlDecision.Allow($"{name} resolves to an address the policy admits."), passed)
            : DestinationCheck.Refused(checks[0].Decision);
    }

    /// <summary>One address and port: the deny-list, the allow-list, then the refused ranges.</summary>
    public UrlDecision EvaluateAddress(IPAddress address, int port, string? resolvedFrom = null)
    {
        var host = ParsedHost.ForAddress(address);
        if (_blocked.FirstOrDefault(entry => entry.Covers(host)) is { } blocked)
        {
            return BlockedHost(resolvedFrom is null ? host.UrlText : $"{resolvedFrom} ({host.Text})", blocked);
        }

        if (IsAllowListed(host, port))
        {
            return UrlDecision.Allow($"{host.UrlText}:{port} is on the allow-list.");
        }

        if (AddressRanges.Classify(address) is not { } range)
        {
            return UrlDecision.Allow($"{host.Text} is a public address.");
        }

        if (_allowPrivateNetworks && PrivateCodes.Contains(range.Code))
        {
            return UrlDecision.Allow($"{host.Text} is {range.Description}; UrlPolicy:AllowPrivateNetworks admits it.");
        }

        var what = range.EmbeddedIPv4 is { } embedded ? $"carries {embedded}, {range.Description}" : $"is {range.Description}";
        var sentence = resolvedFrom is null ? $"{host.Text} {what}"
            : range.EmbeddedIPv4 is null ? $"{resolvedFrom} resolves to {host.Text}, {range.Description}"
            : $"{resolvedFrom} resolves to {host.Text}, which {what}";
        var allowAs = resolvedFrom ?? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : host.UrlText);
        var privateHint = PrivateCodes.Contains(range.Code) ? " or UrlPolicy__AllowPrivateNetworks=true" : "";
        return UrlDecision.Refuse(range.Code,
            $"{sentence}; the URL policy refuses it. Allow it with UrlPolicy__AllowedHosts__{_allowed.Count}={allowAs}:{port}{privateHint}.");
    }

    /// <summary>
    /// Turns address-bar input into a URL: <c>example.com</c> becomes https://example.com/, <c>localhost:8080/x</c>
    /// and IP literals get http://, schemes are kept. Input that is clearly not an address ("weather today", "hello")
    /// fails with "not a URL", so the UI can search instead. This does not judge the URL; <see cref="Evaluate"/> does.
    /// </summary>
    public static bool TryNormalize(string userInput, [NotNullWhen(true)] out Uri? url, [NotNullWhen(false)] out string? error) =>
        AddressBarInput.TryNormalize(userInput, out url, out error);

    private UrlDecision EvaluateHost(ParsedHost host, int port)
    {
        if (host.Kind == HostKind.Invalid)
        {
            return UrlDecision.Refuse(UrlDecision.InvalidHost, $"'{host.Text}' is not a valid host name or IP address.");
        }

        if (host.Name is not null && _blocked.FirstOrDefault(entry => entry.Covers(host)) is { } blocked)
        {
            return BlockedHost(host.Name, blocked);
        }

        if (host.Address is { } address)
        {
            return EvaluateAddress(address, port);
        }

        if (IsAllowListed(host, port))
        {
            return UrlDecision.Allow($"{host.Name}:{port} is on the allow-list.");
        }

        if (host.IsLocalhostName)
        {
            // Never DNS (RFC 6761): localhost is 127.0.0.1 and ::1, and passes where the proxy could connect.
            var checks = LocalhostAddresses.Select(address => EvaluateAddress(address, port, host.Name)).ToList();
            return checks.FirstOrDefault(check => check.Allowed) ?? checks[0];
        }

        return UrlDecision.Allow($"{host.Name} passes the name checks; the addresses it resolves to are checked on connect.");
    }

    /// <summary>The origin a <c>blob:</c> URL belongs to (<c>blob:https://site/uuid</c> → https://site), when it is a network one.</summary>
    private static Uri? BlobOrigin(Uri url) =>
        Uri.TryCreate(url.OriginalString[(url.OriginalString.IndexOf(':', StringComparison.Ordinal) + 1)..], UriKind.Absolute, out var inner)
        && inner.Scheme is "http" or "https"
            ? inner
            : null;

    /// <summary>Same scheme, host and port; a page that is itself a blob: counts as its origin's.</summary>
    private static bool SameOrigin(Uri origin, Uri page) =>
        (page.Scheme == "blob" ? BlobOrigin(page) : page) is { } b
        && origin.Scheme == b.Scheme && string.Equals(origin.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && origin.Port == b.Port;

    private bool IsAllowListed(ParsedHost host, int port) => _allowed.Any(entry => entry.Admits(host, port));

    private static async Task<(IPAddress[] Addresses, UrlDecision? Failure)> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(name, cancellationToken);
            return addresses.Length > 0
                ? (addresses, null)
                : ([], UrlDecision.Refuse(UrlDecision.DnsFailed, $"{name} has no addresses."));
        }
        catch (SocketException exception)
        {
            return ([], UrlDecision.Refuse(UrlDecision.DnsFailed, $"{name} could not be resolved ({exception.SocketErrorCode})."));
        }
    }

    private static UrlDecision BlockedHost(string what, HostEntry entry) =>
        UrlDecision.Refuse(UrlDecision.BlockedHost, $"{what} is refused by the deny-list entry UrlPolicy:BlockedHosts '{entry}'.");

    private static UrlDecision SchemeRefused(string scheme, string why) =>
        UrlDecision.Refuse(UrlDecision.SchemeRefused, $"{scheme}: URLs are refused: {why}.");

    private static HostEntry Parse(string entry, bool allowPort) =>
        HostEntry.TryParse(entry, allowPort, out var parsed, out var error)
            ? parsed
            : throw new OptionsValidationException(UrlPolicyOptions.SectionName, typeof(UrlPolicyOptions), [$"'{entry}': {error}"]);
}
