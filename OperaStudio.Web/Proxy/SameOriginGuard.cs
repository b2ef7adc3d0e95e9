namespace OperaStudio.Web.Proxy;

/// <summary>
/// Refuses what another site's page sends to the proxied service: a request whose <c>Origin</c> is not this app's
/// own (its host as the request names it, or one of <c>Web:AllowedOrigins</c> for an app behind another proxy) gets
/// 403. CORS does not cover WebSockets: without this, any site the person visits could open the live-view hub (and,
/// once sessions carry a sign-in, act with it). Callers that send no Origin (scripts, other services) pass.
/// </summary>
public sealed class SameOriginGuard(IConfiguration configuration)
{
    public const string AllowedOriginsKey = "Web:AllowedOrigins";

    private readonly HashSet<string> _allowed = new(
        configuration.GetSection(AllowedOriginsKey).Get<string[]>() ?? [], StringComparer.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || IsOwn(origin, context.Request))
        {
            await next();
            return;
        }

        await Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Cross-site request refused",
            detail: $"Requests from {(origin.Length > 200 ? origin[..200] + "…" : origin)} may not reach Opera Studio's browser service; only this app's own pages may.")
            .ExecuteAsync(context);
    }

    private bool IsOwn(string origin, HttpRequest request) =>
        _allowed.Contains(origin.TrimEnd('/'))
        || (Uri.TryCreate(origin, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            && string.Equals(url.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
}
