using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Sharing;

/// <summary>What a member of a shared session may do over REST; both run after <see cref="IdentityExtensions.RequireSessionAccess"/>.</summary>
public static class SharingEndpointFilters
{
    /// <summary>
    /// For routes that act on the page (or the agent, approvals, secrets): the owner and the administrator always may; a
    /// member only while holding control; a viewer never. Refusals are 403 with the reason, as the panel shows it.
    /// </summary>
    public static TBuilder RequirePageControl<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.GetRouteValue("id") is string id
                && http.RequestServices.GetRequiredService<SessionPresence>().CheckRest(id, Callers.Name(http.User), IdentityExtensions.SessionRightOf(http)) is { } reason)
            {
                return Problems.Forbidden("Control required", reason, "control-required");
            }

            return await next(context);
        });

    /// <summary>For sharing itself and closing the session: the owner and the administrator only.</summary>
    public static TBuilder RequireSessionOwner<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.GetRouteValue("id") is string && IdentityExtensions.SessionRightOf(http) < SessionRight.Owner)
            {
                return Problems.Forbidden(
                    "Owner only", "Only the session's owner (or an administrator) can do this; it was shared with you.", "owner-required");
            }

            return await next(context);
        });
}
