using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>People of a web app under test, made straight in its accounts store where signing up is not what is tested.</summary>
public static class TestAccounts
{
    public const string Password = "a-good-long-password";

    /// <summary>A new account named <paramref name="prefix"/> and a random suffix, with <see cref="Password"/>.</summary>
    public static async Task<string> CreateUserAsync(this IServiceProvider webServices, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        using var scope = webServices.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var result = await users.CreateAsync(new IdentityUser(name), Password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return name;
    }
}
