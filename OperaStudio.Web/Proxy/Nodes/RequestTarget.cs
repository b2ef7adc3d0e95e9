namespace OperaStudio.Web.Proxy.Nodes;

/// <summary>What a request to the browser service is about, for choosing its node.</summary>
public readonly record struct RequestTarget(string? SessionId, bool CreatesSession)
{
    /// <summary>The query parameter the panel's hub connection names its session with (<c>/hubs/live?session=…</c>).</summary>
    public const string SessionQuery = "session";

    /// <summary>
    /// A session's own routes (<c>/api/sessions/{id}/**</c>) and a hub connection made for a session are the session's;
    /// <c>POST /api/sessions</c> creates one; anything else is no session's.
    /// </summary>
    public static RequestTarget Of(string method, PathString path, IQueryCollection query)
    {
        if (path.StartsWithSegments("/hubs", out _))
        {
            return new(query[SessionQuery] is [{ Length: > 0 } id] ? id : null, false);
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
