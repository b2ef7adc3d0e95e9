using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Data;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Web.Identity;

/// <summary>
/// Sign-in for the web app: accounts in PostgreSQL (ASP.NET Core Identity), a cookie that is HttpOnly, SameSite=Lax
/// and Secure outside Development, lockout after repeated failures plus a per-address limit on sign-in attempts, and
/// every page but <c>/login</c> for signed-in people only. The Data Protection keys that protect the cookie are kept
/// in PostgreSQL, so a sign-in survives restarts and works on every node.
/// </summary>
public static class AccountsExtensions
{
    public const string LoginPath = "/login";

    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<AccountsDbContext>(
            ResourceNames.Database,
            settings =>
            {
                settings.DisableHealthChecks = true;
                settings.DisableRetry = true;
            },
            options => options.UseNpgsql(npgsql => npgsql
                .MigrationsHistoryTable("__EFMigrationsHistory", AccountsDbContext.Schema)
                .EnableRetryOnFailure(3, TimeSpan.FromSeconds(2), null)));

        builder.Services.AddIdentity<IdentityUser, IdentityRole>(identity =>
            {
                // Length over character classes (NIST SP 800-63B).
                identity.Password.RequiredLength = 10;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Lockout.MaxFailedAccessAttempts = 5;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                identity.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<AccountsDbContext>()
            .AddDefaultTokenProviders();
        // A deleted account, a reset password or a sign-out elsewhere ends other sign-ins within a minute.
        builder.Services.Configure<SecurityStampValidatorOptions>(stamp => stamp.ValidationInterval = TimeSpan.FromMinutes(1));
        var development = builder.Environment.IsDevelopment();
        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "opera.signin";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            cookie.LoginPath = LoginPath;
            cookie.AccessDeniedPath = "/access-denied";
            cookie.ExpireTimeSpan = TimeSpan.FromDays(14);
            cookie.SlidingExpiration = true;
        });
        var auth = builder.Configuration.GetSection(WebAuthOptions.SectionName).Get<WebAuthOptions>() ?? new();
        builder.Services.AddSingleSignOn(auth.Oidc);
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        // The first hosted service: Data Protection's own (added by whatever called AddDataProtection first) reads the
        // key ring from the tables this creates.
        builder.Services.AddSingleton<AccountsInitializer>();
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(services => services.GetRequiredService<AccountsInitializer>()));
        builder.Services.AddHealthChecks().AddCheck<AccountsInitializer>("accounts", tags: ["ready"]);

        builder.Services.AddDataProtection()
            .SetApplicationName("OperaStudio.Web")
            .PersistKeyRingTo<AccountsDbContext>(builder.Configuration);

        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, RevalidatingPersonStateProvider>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<CurrentPerson>();
        builder.Services.AddScoped<CircuitHandler, CurrentPersonCircuitHandler>();

        // Lockout guards each account; this guards against trying many accounts from one address. Only the sign-in
        // form's posts count: loading the page is free.
        var attempts = auth.SignInAttemptsPerMinute;
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = attempts, Window = TimeSpan.FromMinutes(1) })
                    : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync(
                    $"Too many sign-in attempts from this address: at most {attempts} a minute. Wait a minute and try again.", cancellationToken);
            };
        });
        return builder;
    }

    /// <summary>Sign-out (a form post with the antiforgery token, so another site cannot sign people out).</summary>
    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        app.MapPost("/logout", async ([FromForm] string? returnUrl, SignInManager<IdentityUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(LoginPath);
        });
        app.MapSingleSignOn();
        return app;
    }
}
