extern alias web;

using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Accounts;

/// <summary>Single sign-on through an OpenID Connect provider the test runs on loopback, in a real browser.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class SingleSignOnTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>, IAsyncLifetime
{
    private TestOidcProvider _provider = null!;
    private WebApplicationFactory<web::Program> _app = null!;

    private Uri App => BrowserServiceHost.ServerAddress(_app.Services);

    public async ValueTask InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        _app = WebAppFixture.Start(web.Service.BaseAddress.ToString(), web.Service.DatabaseConnectionString, new Dictionary<string, string>
        {
            ["Auth:Oidc:Authority"] = _provider.Authority.ToString(),
            ["Auth:Oidc:ClientId"] = TestOidcProvider.ClientId,
            ["Auth:Oidc:ClientSecret"] = TestOidcProvider.ClientSecret,
            ["Auth:Oidc:DisplayName"] = "Team SSO",
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
        });
    }

    [Fact]
    public async Task TheFirstSignOn_MakesAnAccount_AndTheNextFindsTheSameOne()
    {
        var name = $"sso-{Guid.NewGuid():N}"[..12];
        _provider.NextPerson = ($"subject-{name}", name, $"{name}@example.test");

        for (var time = 1; time <= 2; time++)
        {
            var page = await NewPageAsync();
            try
            {
                await page.GotoAsync(new Uri(App, "/login?ReturnUrl=%2Faccount%2Fpassword").ToString());
                await Expect(page.GetByTestId("login-sso")).ToHaveTextAsync("Sign in with Team SSO");
                if (time == 1)
                {
                    await Screenshots.SaveAsync(page, "login-sso");
                }

                await page.GetByTestId("login-sso").ClickAsync();
                await Expect(page).ToHaveURLAsync(new Uri(App, "/account/password").ToString());
                await Expect(page.GetByTestId("change-password")).ToContainTextAsync(name);
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }

        using var scope = _app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var account = await users.FindByNameAsync(name);
        Assert.NotNull(account);
        var logins = await users.GetLoginsAsync(account);
        Assert.Equal($"subject-{name}", Assert.Single(logins).ProviderKey);
        Assert.False(await users.HasPasswordAsync(account)); // it signs in through the provider only
    }

    [Fact]
    public async Task AProviderNamingSomeoneWithALocalAccount_DoesNotSignInAsThem()
    {
        _provider.NextPerson = ($"subject-{Guid.NewGuid():N}", TestIdentity.AdminUserName, "impostor@example.test");
        var page = await NewPageAsync();
        try
        {
            await page.GotoAsync(new Uri(App, "/login").ToString());
            await page.GetByTestId("login-sso").ClickAsync();
            await Expect(page.GetByTestId("login-error")).ToContainTextAsync("exists already");
            await page.GotoAsync(new Uri(App, "/sessions").ToString());
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/login\?ReturnUrl="));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task WithoutAProviderConfigured_TheSignInPageOffersOnlyPasswords()
    {
        var page = await NewPageAsync();
        try
        {
            await page.GotoAsync(web.Url("/login"));
            await Expect(page.GetByTestId("login-submit")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("login-sso")).ToHaveCountAsync(0);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
