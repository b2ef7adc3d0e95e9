using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Identity;

public static class IdentityExtensions
{
    /// <summary>Every endpoint needs a caller (health checks excepted): the web app's signed identity or a token.</summary>
    public static WebApplicationBuilder AddCallerIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddAuthentication(CallerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, CallerAuthenticationHandler>(CallerAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Callers.AdminRole, policy => policy.RequireRole(Callers.AdminRole));
        builder.Services.AddSingleton<SessionMembers>();
        builder.Services.AddSingleton<ShareLinks>();
        builder.Services.AddSingleton<SessionAccess>();
        builder.Services.AddSingleton<ApiTokenStore>();
        return builder;
    }

    /// <summary>
    /// Answers 404 for a session (route value <c>id</c>) the caller may not see, before the endpoint or another filter
    /// touches it; add it first, so it also runs before a released session is restored.
    /// </summary>
    public static TBuilder RequireSessionAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (http.GetRouteValue("id") is string id)
            {
                var right = await http.RequestServices.GetRequiredService<SessionAccess>().RightAsync(http.User, id, http.RequestAborted);
                if (right == SessionRight.None)
                {
                    return Problems.SessionNotFound(id);
                }

                http.Items[SessionRights.ItemKey] = right;
            }

            return await next(context);
        });

    /// <summary>The caller's right to the session (route value <c>id</c>), as <see cref="RequireSessionAccess"/> found it.</summary>
    public static SessionRight SessionRightOf(HttpContext http) =>
        http.Items.TryGetValue(SessionRights.ItemKey, out var value) && value is SessionRight right ? right : SessionRight.None;
}
