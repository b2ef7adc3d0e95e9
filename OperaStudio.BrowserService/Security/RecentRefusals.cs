using System.Diagnostics.CodeAnalysis;

namespace OperaStudio.BrowserService.Security;

/// <summary>
/// The last <see cref="Capacity"/> refusals by host:port. A refused HTTPS navigation reaches the page only as
/// ERR_TUNNEL_CONNECTION_FAILED; the session layer looks the reason up here to show a clear page instead.
/// </summary>
internal sealed class RecentRefusals(TimeProvider time)
{
    public const int Capacity = 200;

    private readonly Lock _lock = new();
    private readonly LinkedList<ProxyRefusal> _order = new();
    private readonly Dictionary<string, LinkedListNode<ProxyRefusal>> _byKey = new(StringComparer.Ordinal);

    public void Record(string host, int port, UrlDecision decision)
    {
        var refusal = new ProxyRefusal(Canonical(host), port, decision, time.GetUtcNow());
        var key = Key(refusal.Host, port);
        lock (_lock)
        {
            if (_byKey.Remove(key, out var previous))
            {
                _order.Remove(previous);
            }

            _byKey[key] = _order.AddFirst(refusal);
            if (_order.Count > Capacity)
            {
                _byKey.Remove(Key(_order.Last!.Value.Host, _order.Last.Value.Port));
                _order.RemoveLast();
            }
        }
    }

    public bool TryGet(string host, int port, [NotNullWhen(true)] out ProxyRefusal? refusal)
    {
        lock (_lock)
        {
            refusal = _byKey.TryGetValue(Key(Canonical(host), port), out var node) ? node.Value : null;
            return refusal is not null;
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<ProxyRefusal> Snapshot()
    {
        lock (_lock)
        {
            return [.. _order];
        }
    }

    /// <summary>"2130706433", "127.0.0.1" and "[::ffff:127.0.0.1]" as one host, as the proxy saw it.</summary>
    private static string Canonical(string host) => HostParser.Parse(host) is { Kind: not HostKind.Invalid } parsed
        ? parsed.UrlText
        : host.ToLowerInvariant();

    private static string Key(string host, int port) => $"{host}:{port}";
}
