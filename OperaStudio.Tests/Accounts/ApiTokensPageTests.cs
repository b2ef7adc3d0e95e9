using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Accounts;

/// <summary>
/// The API tokens page, in a real browser: a person makes a token, sees it once, and a script holding it reaches the web
/// app's <c>/api</c> as that person until the token is revoked in the page or its owner's account is deleted.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class ApiTokensPageTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    private const string Password = TestAccounts.Password;

    [Fact]
    public async Task ATokenMadeInThePage_IsShownOnce_ActsAsItsOwnerThroughTheWebApp_AndStopsWhenRevoked()
    {
        var alice = await web.Services.CreateUserAsync("alice");
        var bob = await web.Services.CreateUserAsync("bob");
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1280, 800, user: alice, password: Password);
        string? sessionId = null;
        try
        {
            await OpenTokensPageAsync(page);
            await Expect(page.GetByTestId("tokens-empty")).ToBeVisibleAsync();
            await NameField(page).FillAsync("nightly build");
            await page.GetByTestId("token-expiry").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "30 days" }).ClickAsync();
            await page.GetByTestId("token-create").ClickAsync();

            await Expect(page.GetByTestId("token-value")).ToBeVisibleAsync();
            var token = (await page.GetByTestId("token-value").TextContentAsync())!.Trim();
            Assert.StartsWith(ApiTokenRules.TokenPrefix, token, StringComparison.Ordinal);
            await Expect(page.GetByTestId("token-fresh")).ToContainTextAsync("will not be shown again");
            await Expect(page.GetByTestId("token-example"))
                .ToHaveTextAsync($"curl -H \"Authorization: Bearer {token}\" {web.BaseAddress.GetLeftPart(UriPartial.Authority)}/api/sessions");
            await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = web.BaseAddress.GetLeftPart(UriPartial.Authority) });
            await page.GetByTestId("token-copy").ClickAsync();
            await Expect(page.GetByTestId("token-copy")).ToContainTextAsync("Copied");
            Assert.Equal(token, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
            var row = page.GetByTestId("token-row");
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row).ToContainTextAsync("nightly build");
            var tokenId = await row.GetAttributeAsync("data-token-id");
            Assert.False(string.IsNullOrEmpty(tokenId));
            await Screenshots.SaveAsync(page, "tokens");

            // A script: the web app's address, the token, no cookie. It is Alice to the service.
            using var script = BearerClient(token);
            using (var listed = await script.GetAsync("/api/sessions"))
            {
                Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            }

            using (var opened = await script.PostAsJsonAsync("/api/sessions", new { }))
            {
                Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
                sessionId = (await opened.Content.ReadFromJsonAsync<SessionDto>())!.Id;
            }

            Assert.Equal(alice, web.Sessions.Find(sessionId)?.Owner);
            using var bobsScript = BearerClient(await CreateTokenDirectlyAsync(bob));
            using (var bobsLook = await bobsScript.GetAsync($"/api/sessions/{sessionId}"))
            {
                Assert.Equal(HttpStatusCode.NotFound, bobsLook.StatusCode);
            }

            Assert.DoesNotContain((await bobsScript.GetFromJsonAsync<List<SessionDto>>("/api/sessions"))!, s => s.Id == sessionId);

            // Alice's own sessions page lists what her script opened (the list polls; the registry trails the create).
            await page.GotoAsync(web.Url("/sessions"));
            await Expect(page.Locator($"[data-session-id='{sessionId}']")).ToBeVisibleAsync();

            // Back on the page: the token is listed by its first characters and its use, never in full.
            await OpenTokensPageAsync(page);
            await Expect(row).ToHaveAttributeAsync("data-token-id", tokenId!);
            var prefix = (await row.Locator(".tokens-prefix").TextContentAsync())!.TrimEnd('…');
            Assert.True(prefix.Length >= 10, prefix);
            Assert.StartsWith(prefix, token, StringComparison.Ordinal);
            await Expect(page.GetByTestId("token-value")).ToHaveCountAsync(0);
            Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);
            await Expect(row).Not.ToContainTextAsync("never"); // it expires, and it was used just now

            await row.GetByTestId("token-revoke").ClickAsync();
            await Expect(row.GetByTestId("token-revoke-confirm")).ToBeVisibleAsync();
            await Screenshots.SaveAsync(page, "tokens-revoke");
            await row.GetByTestId("token-revoke-confirm").ClickAsync();
            await Expect(row).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("tokens-notice")).ToContainTextAsync("nightly build");
            using var afterRevoke = await script.GetAsync("/api/sessions");
            Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        }
        finally
        {
            await page.Context.CloseAsync();
            if (sessionId is not null)
            {
                await web.Sessions.CloseAsync(sessionId, "test over");
            }
        }
    }

    [Fact]
    public async Task ThePageIsInTheAccountMenu_AndAnEmptyName_IsRefusedWithTheServicesReason_WithoutBreakingThePage()
    {
        var user = await web.Services.CreateUserAsync("noname");
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1280, 800, user: user, password: Password);
        try
        {
            // The page is found from the account menu.
            await page.GotoAsync(web.Url("/history"));
            await Expect(page.GetByTestId("account-chip")).ToHaveAttributeAsync("data-interactive", "true");
            await page.GetByTestId("account-chip").ClickAsync();
            await page.GetByTestId("menu-tokens").ClickAsync();
            await Expect(page).ToHaveURLAsync(web.Url("/account/tokens"));
            await Expect(page.GetByTestId("tokens-page")).ToHaveAttributeAsync("data-interactive", "true");

            await page.GetByTestId("token-create").ClickAsync();
            await Expect(page.GetByTestId("tokens-error")).ToContainTextAsync("Could not create the token: Give the token a 'name'");
            await Expect(page.GetByTestId("token-value")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("token-row")).ToHaveCountAsync(0);

            // Still a working page: a name makes the token, and the error goes.
            await NameField(page).FillAsync("second try");
            await NameField(page).PressAsync("Enter");
            await Expect(page.GetByTestId("token-value")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("tokens-error")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("token-row")).ToContainTextAsync("second try");
            await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task DeletingAUserInTheUsersPage_RevokesTheirTokens()
    {
        var leaver = await web.Services.CreateUserAsync("leaver");
        using var script = BearerClient(await CreateTokenDirectlyAsync(leaver));
        using (var before = await script.GetAsync("/api/sessions"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var admin = await chromium.NewSignedInPageAsync(web.BaseAddress, 1280, 800);
        try
        {
            await admin.GotoAsync(web.Url("/admin/users"));
            await Expect(admin.GetByTestId("users-page")).ToHaveAttributeAsync("data-interactive", "true");
            await admin.Locator($"[data-testid=user-row][data-user='{leaver}']").GetByTestId("user-delete").ClickAsync();
            await Expect(admin.GetByTestId("users-message")).ToContainTextAsync($"{leaver} was deleted");
            await Expect(admin.GetByTestId("users-message")).ToContainTextAsync("API tokens were revoked");
        }
        finally
        {
            await admin.Context.CloseAsync();
        }

        using var after = await script.GetAsync("/api/sessions");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    private async Task OpenTokensPageAsync(IPage page)
    {
        await page.GotoAsync(web.Url("/account/tokens"));
        await Expect(page.GetByTestId("tokens-page")).ToHaveAttributeAsync("data-interactive", "true");
    }

    private static ILocator NameField(IPage page) => page.Locator("[data-testid=token-name] input, input[data-testid=token-name]");

    /// <summary>A client of the web app as a script holds it: the token, and no sign-in cookie.</summary>
    private HttpClient BearerClient(string token)
    {
        var http = new HttpClient { BaseAddress = web.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A token made on the service, as the web app would for <paramref name="user"/>, where the page is not what is tested.</summary>
    private async Task<string> CreateTokenDirectlyAsync(string user)
    {
        using var asUser = TestIdentity.ClientFor(web.Service.BaseAddress, user);
        using var created = await asUser.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("script", null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<CreatedApiTokenDto>())!.Token;
    }
}
