using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Web.Identity;

/// <summary>
/// Migrates the accounts schema at start and, when there is no account at all, creates the administrator
/// (<c>Auth:Admin:UserName</c>) with <c>Auth:Admin:Password</c> or a generated password written once to the log. If
/// PostgreSQL is not there yet it keeps trying; /health says so meanwhile.
/// </summary>
public sealed partial class AccountsInitializer(IServiceScopeFactory scopes, IOptions<WebAuthOptions> options, ILogger<AccountsInitializer> logger)
    : RetryingStartup, IHealthCheck
{
    public const string AdminRole = "admin";

    private volatile string? _error = "not started";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_error is null ? HealthCheckResult.Healthy("accounts ready") : HealthCheckResult.Unhealthy($"accounts not ready: {_error}"));

    /// <summary>The first attempt runs before Data Protection reads its key ring from these tables.</summary>
    protected override async Task<bool> TryOnceAsync(int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
            await db.Database.CreateExecutionStrategy().ExecuteAsync(() => db.Database.MigrateAsync(cancellationToken));
            await EnsureAdministratorAsync(scope.ServiceProvider);
            _error = null;
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _error = ex.GetBaseException().Message;
            LogFailed(ex, attempt);
        }

        return false;
    }

    private async Task EnsureAdministratorAsync(IServiceProvider services)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(AdminRole))
        {
            await roles.CreateAsync(new IdentityRole(AdminRole)); // a second node racing here fails the unique index: harmless
        }

        var users = services.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.Users.AnyAsync())
        {
            return;
        }

        var admin = options.Value.Admin;
        var password = admin.Password is { Length: > 0 } configured ? configured : GeneratePassword();
        var user = new IdentityUser(admin.UserName);
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            if (created.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateUserName)))
            {
                return; // another node created it first
            }

            throw new InvalidOperationException($"The administrator '{admin.UserName}' could not be created: {Describe(created)}");
        }

        await users.AddToRoleAsync(user, AdminRole);
        if (admin.Password is { Length: > 0 })
        {
            LogAdminCreated(admin.UserName);
        }
        else
        {
            LogAdminCreatedWithPassword(admin.UserName, password);
        }
    }

    /// <summary>20 characters of base64url: 120 bits.</summary>
    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');

    public static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the administrator '{UserName}' with the password from Auth:Admin:Password. Sign in at /login.")]
    private partial void LogAdminCreated(string userName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the administrator '{UserName}' with the generated password {Password} — sign in at /login and change it; this is the only time it is shown.")]
    private partial void LogAdminCreatedWithPassword(string userName, string password);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preparing the accounts database failed (attempt {Attempt}); retrying")]
    private partial void LogFailed(Exception exception, int attempt);
}
