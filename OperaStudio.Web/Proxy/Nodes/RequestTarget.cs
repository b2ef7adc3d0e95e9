namespace OperaStudio.Web.Proxy.Nodes;

/// <summary>What a request to the browser service is about, for choosing its node.</summary>
/// <param name="SessionId">The browser session the request is about, if any.</param>
/// <param name="CreatesSession">Whether it creates a session (<c>POST /api/sessions</c>).</param>
/// <param name="Pinned">
/// Held by one node in its memory, not by a browser session (an MCP session): always the same node, the first live one
/// taking sessions, so every request of it finds it.
/// </param>
public readonly record struct RequestTarget(string? SessionId, bool CreatesSession, bool Pinned = false)
{
    /// <summary>The query parameter the panel's hub connection names its session with (<c>/hubs/live?session=…</c>).</summary>
    public const string SessionQuery = "session";

    /// <summary>
    /// A session's own routes (<c>/api/sessions/{id}/**</c>), a hub connection made for a session and a CDP connection
    /// (<c>/cdp/{id}</c>) are the session's; MCP (<c>/mcp</c>) is pinned;
    /// <c>POST /api/sessions</c> creates one; anything else is no session's.
    /// </summary>
    public static RequestTarget Of(string method, PathString path, IQueryCollection query)
    {
        if (path.StartsWithSegments("/hubs", out _))
        {
            return new(query[SessionQuery] is [{ Length: > 0 } id] ? id : null, false);
        }

        // A CDP connection is to one session's browser: /cdp/{sessionId}.
        if (path.StartsWithSegments("/cdp", out var cdp))
        {
            return cdp.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var session, ..] ? new(Uri.UnescapeDataString(session), false) : default;
        }

        if (path.StartsWithSegments("/mcp", out _))
        {
            return new(null, false, Pinned: true);
        }

        if (!path.StartsWithSegments("/api/sessions", out var rest))
        {
            return default;
        }

        var segments = rest.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return segments.Length == 0
            ? new(null, HttpMethods.IsPost(method))
            : new(Uri.UnescapeDataString(segments[0]), false);
    }
}
