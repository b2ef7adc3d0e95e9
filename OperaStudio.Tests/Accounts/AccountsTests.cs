extern alias web;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Accounts;

/// <summary>Signing in to the web app, as people and as someone trying their luck, in a real browser.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed partial class AccountsTests(WebAppFixture web, ChromiumFixture chromium, DataStoresFixture stores) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task WithoutASignIn_PagesSendToTheSignInPage_AndTheApiAnswers401()
    {
        var page = await NewAnonymousPageAsync();
        try
        {
            await page.GotoAsync(web.Url("/sessions"));
            await Expect(page).ToHaveURLAsync(new Regex(@"/login\?ReturnUrl=%2Fsessions$"));
            await Expect(page.GetByTestId("login")).ToBeVisibleAsync();
            await Screenshots.SaveAsync(page, "login");
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        using var anonymous = new HttpClient { BaseAddress = web.BaseAddress };
        using var listed = await anonymous.GetAsync("/api/sessions");
        Assert.Equal(HttpStatusCode.Unauthorized, listed.StatusCode);
        Assert.Equal("application/problem+json", listed.Content.Headers.ContentType?.MediaType);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "opera_" + new string('x', 43));
        using var guessed = await anonymous.PostAsJsonAsync("/api/sessions", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, guessed.StatusCode);
        // What pages need before a sign-in is there.
        using var icon = await new HttpClient { BaseAddress = web.BaseAddress }.GetAsync("/favicon.svg");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
    }

    [Fact]
    public async Task AWrongPassword_IsRefused_AndFiveInARowLockTheAccount_EvenForTheRightOne()
    {
        var (user, password) = (await web.Services.CreateUserAsync("locked"), TestAccounts.Password);
        var page = await NewAnonymousPageAsync();
        try
        {
            for (var attempt = 1; attempt <= 5; attempt++)
            {
                await SubmitAsync(page, user, "not-the-password");
                await Expect(page.GetByTestId("login-error")).ToContainTextAsync(attempt < 5 ? "not right" : "locked");
                Assert.Empty(await SignInCookiesAsync(page));
            }

            await SubmitAsync(page, user, password);
            await Expect(page.GetByTestId("login-error")).ToContainTextAsync("locked");
            Assert.Empty(await SignInCookiesAsync(page));
            // The password field is empty again after a failure; the user name stays.
            await Expect(page.GetByTestId("login-password")).ToHaveValueAsync("");
            await Expect(page.GetByTestId("login-user")).ToHaveValueAsync(user);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task AnAdministratorAddsSomeone_WhoSeesOnlyTheirOwnSessions_CannotManageUsers_AndSignsOut()
    {
        using var created = await web.Http.PostAsJsonAsync("/api/sessions", new { });
        var adminsSession = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var name = $"member-{Guid.NewGuid():N}"[..16];

        var admin = await chromium.NewSignedInPageAsync(web.BaseAddress, 1280, 800);
        var member = await NewAnonymousPageAsync();
        try
        {
            await admin.GotoAsync(web.Url("/admin/users"));
            await Expect(admin.GetByTestId("users-page")).ToHaveAttributeAsync("data-interactive", "true");
            await admin.Locator("[data-testid=user-name] input, input[data-testid=user-name]").FillAsync(name);
            await admin.GetByTestId("user-add").ClickAsync();
            await Expect(admin.GetByTestId("users-message")).ToContainTextAsync($"{name} can sign in now");
            var password = (await admin.GetByTestId("users-password").TextContentAsync())!.Trim();
            await Expect(admin.Locator($"[data-testid=user-row][data-user='{name}']")).ToContainTextAsync("member");
            await Screenshots.SaveAsync(admin, "users");

            await WebSignIn.SignInAsync(member, web.BaseAddress, name, password, returnUrl: "/sessions");
            await Expect(member).ToHaveURLAsync(web.Url("/sessions"));
            await Expect(member.GetByTestId("account-name")).ToHaveTextAsync(name);
            await Expect(member.Locator($"[data-session-id='{adminsSession.Id}']")).ToHaveCountAsync(0);

            await member.GotoAsync(web.Url($"/sessions/{adminsSession.Id}"));
            await Expect(member.GetByTestId("session-not-found")).ToBeVisibleAsync();
            Assert.NotNull(web.Sessions.Find(adminsSession.Id)); // looking did not end it

            await member.GotoAsync(web.Url("/admin/users"));
            await Expect(member.GetByTestId("access-denied")).ToBeVisibleAsync();
            await Expect(member.GetByTestId("users")).ToHaveCountAsync(0);

            await member.GotoAsync(web.Url("/history"));
            await Expect(member.GetByTestId("account-chip")).ToHaveAttributeAsync("data-interactive", "true");
            await member.GetByTestId("account-chip").ClickAsync();
            await Expect(member.GetByTestId("sign-out")).ToBeVisibleAsync();
            await Screenshots.SaveAsync(member, "account-menu");
            await member.GetByTestId("sign-out").ClickAsync();
            await Expect(member).ToHaveURLAsync(new Regex("/login$"));
            await member.GotoAsync(web.Url("/history"));
            await Expect(member).ToHaveURLAsync(new Regex(@"/login\?ReturnUrl="));
        }
        finally
        {
            await admin.Context.CloseAsync();
            await member.Context.CloseAsync();
            await web.Sessions.CloseAsync(adminsSession.Id, "test over");
        }
    }

    [Fact]
    public async Task ChangingThePassword_NeedsTheCurrentOne_AndOnlyTheNewOneSignsInAfterwards()
    {
        var (user, password) = (await web.Services.CreateUserAsync("changer"), TestAccounts.Password);
        const string NewPassword = "a-brand-new-password";
        var page = await NewAnonymousPageAsync();
        try
        {
            await WebSignIn.SignInAsync(page, web.BaseAddress, user, password);
            await Expect(page.GetByTestId("change-password")).ToBeVisibleAsync();

            await FillPasswordsAsync(page, "wrong-current-password", NewPassword, NewPassword);
            await Expect(page.GetByTestId("password-error")).ToContainTextAsync("current password is not right");
            await FillPasswordsAsync(page, password, NewPassword, "something-else-entirely");
            await Expect(page.Locator(".account-invalid")).ToContainTextAsync("differ");
            await FillPasswordsAsync(page, password, NewPassword, NewPassword);
            await Expect(page.GetByTestId("password-changed")).ToBeVisibleAsync();
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        var again = await NewAnonymousPageAsync();
        try
        {
            await SubmitAsync(again, user, password);
            await Expect(again.GetByTestId("login-error")).ToContainTextAsync("not right");
            await WebSignIn.SignInAsync(again, web.BaseAddress, user, NewPassword);
            await Expect(again.GetByTestId("change-password")).ToBeVisibleAsync();
        }
        finally
        {
            await again.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task ASignIn_GoesBackOnlyToAPageOfThisApp()
    {
        var (user, password) = (await web.Services.CreateUserAsync("returner"), TestAccounts.Password);
        var page = await NewAnonymousPageAsync();
        try
        {
            await WebSignIn.SignInAsync(page, web.BaseAddress, user, password, returnUrl: "//elsewhere.example/steal");
            Assert.StartsWith(web.BaseAddress.ToString(), page.Url, StringComparison.Ordinal);
        }
        finally
        {
            await page.Context.CloseAsync();
            foreach (var session in web.Sessions.All.Where(s => s.Owner == user))
            {
                await web.Sessions.CloseAsync(session.Id, "test over");
            }
        }
    }

    [Fact]
    public async Task SignInAttempts_AreLimitedPerAddress_AcrossAccounts()
    {
        await using var limited = WebAppFixture.Start(web.Service.BaseAddress.ToString(), web.Service.DatabaseConnectionString,
            new Dictionary<string, string> { ["Auth:SignInAttemptsPerMinute"] = "3" });
        using var http = new HttpClient { BaseAddress = BrowserServiceHost.ServerAddress(limited.Services) };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.UserName"] = $"someone{i}" }));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Contains("Too many sign-in attempts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(3));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[3]);
    }

    [Fact]
    public async Task TheFirstStart_CreatesTheAdministrator_WithAPasswordWrittenOnceToTheLog()
    {
        var database = await stores.CreateDatabaseAsync("accounts");
        var log = new ConcurrentQueue<string>();
        await using (var first = WebAppFixture.Start(web.Service.BaseAddress.ToString(), database,
            new Dictionary<string, string> { ["Auth:Admin:Password"] = "", ["Auth:Admin:UserName"] = "owner" },
            host => host.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(log)))))
        {
            var line = Assert.Single(log, l => l.Contains("generated password", StringComparison.Ordinal));
            var password = GeneratedPassword().Match(line).Groups["password"].Value;
            Assert.Equal(20, password.Length);

            var page = await NewAnonymousPageAsync();
            try
            {
                await WebSignIn.SignInAsync(page, BrowserServiceHost.ServerAddress(first.Services), "owner", password);
                await Expect(page.GetByTestId("change-password")).ToContainTextAsync("owner");
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }

        log.Clear();
        await using (WebAppFixture.Start(web.Service.BaseAddress.ToString(), database,
            new Dictionary<string, string> { ["Auth:Admin:Password"] = "", ["Auth:Admin:UserName"] = "owner" },
            host => host.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(log)))))
        {
            Assert.DoesNotContain(log, l => l.Contains("password", StringComparison.OrdinalIgnoreCase));
        }
    }

    private async Task<IPage> NewAnonymousPageAsync()
    {
        var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    private async Task SubmitAsync(IPage page, string user, string password)
    {
        if (!page.Url.Contains("/login", StringComparison.Ordinal))
        {
            await page.GotoAsync(web.Url("/login"));
        }

        await page.GetByTestId("login-user").FillAsync(user);
        await page.GetByTestId("login-password").FillAsync(password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private static async Task FillPasswordsAsync(IPage page, string current, string next, string confirm)
    {
        await page.GetByTestId("password-current").FillAsync(current);
        await page.GetByTestId("password-new").FillAsync(next);
        await page.GetByTestId("password-confirm").FillAsync(confirm);
        await page.GetByTestId("password-submit").ClickAsync();
    }

    private static async Task<IReadOnlyList<BrowserContextCookiesResult>> SignInCookiesAsync(IPage page) =>
        [.. (await page.Context.CookiesAsync()).Where(c => c.Name == "opera.signin")];

    [GeneratedRegex(@"generated password (?<password>[A-Za-z0-9_-]{20}) ")]
    private static partial Regex GeneratedPassword();

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(lines);

        public void Dispose()
        {
        }

        private sealed class Capturing(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
