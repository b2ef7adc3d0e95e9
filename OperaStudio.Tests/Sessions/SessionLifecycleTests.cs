using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Sessions.Persistence;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Sessions;

/// <summary>
/// Sessions that last: they survive a Chromium kill -9 and a service restart (same id, same tabs, still logged in),
/// idle ones are released and come back on the next request, and capacity is enforced. Each test runs its own
/// browser service instance, because it crashes, restarts or limits it.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class SessionLifecycleTests(DataStoresFixture stores, TestPageServer pages)
{
    private static readonly Dictionary<string, string> FastSaves = new() { ["Sessions:SaveDebounceMilliseconds"] = "100" };

    [Fact]
    public async Task ChromiumKilled_SessionComesBackOnNextUse_SameTabsStillLoggedIn()
    {
        var database = await stores.CreateDatabaseAsync("crash");
        await using var host = BrowserServiceHost.Start(stores.RedisConnectionString, database, pages.HostAndPort, FastSaves);
        var (session, tabIds) = await LogInWithTwoTabsAsync(host);
        await using var viewer = await HubViewer.JoinAsync(host.BaseAddress, session.Id);
        await viewer.NextFrameAsync();

        foreach (var chromium in host.ChromiumProcesses())
        {
            Signals.Send(chromium.Pid, Signals.SigKill);
        }

        var ended = await viewer.Ended.WaitAsync(TimeSpan.FromSeconds(30));
        await viewer.JoinAsync(session.Id);
        var frame = await viewer.NextFrameAsync();
        var restored = (await host.Http.GetFromJsonAsync<SessionDto>($"/api/sessions/{session.Id}"))!;

        Assert.True(ended.Restorable, "viewers should be told the session comes back");
        Assert.Equal(restored.ActiveTabId, frame.TabId);
        await AssertRestoredAsync(host, restored, tabIds);
    }

    [Fact]
    public async Task ServiceRestarted_SessionComesBackOnNextUse_SameTabsStillLoggedIn()
    {
        var database = await stores.CreateDatabaseAsync("restart");
        SessionDto session;
        IReadOnlyList<string> tabIds;
        await using (var first = BrowserServiceHost.Start(stores.RedisConnectionString, database, pages.HostAndPort, FastSaves))
        {
            (session, tabIds) = await LogInWithTwoTabsAsync(first);
        }

        await using var second = BrowserServiceHost.Start(stores.RedisConnectionString, database, pages.HostAndPort, FastSaves);
        await using var viewer = await HubViewer.JoinAsync(second.BaseAddress, session.Id);
        await viewer.NextFrameAsync();
        var restored = (await second.Http.GetFromJsonAsync<SessionDto>($"/api/sessions/{session.Id}"))!;

        await AssertRestoredAsync(second, restored, tabIds);
    }

    [Fact]
    public async Task SavedLogins_KeyRingIsEncryptedWithTheKeyFile_AndUnreadableWithoutIt()
    {
        var database = await stores.CreateDatabaseAsync("keyring");
        var keyFile = Path.Combine(TestPaths.NewDirectory("keyring"), "data-protection-key.pfx");
        var settings = new Dictionary<string, string>(FastSaves) { ["DataProtection:KeyFile"] = keyFile };
        SessionDto session;
        await using (var host = BrowserServiceHost.Start(stores.RedisConnectionString, database, pages.HostAndPort, settings))
        {
            (session, _) = await LogInWithTwoTabsAsync(host);
        }

        // What PostgreSQL holds, read without the service.
        string[] keys;
        string? storage;
        await using (var db = new OperaDbContext(new DbContextOptionsBuilder<OperaDbContext>().UseNpgsql(database).Options))
        {
            keys = [.. await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync()];
            storage = await db.Sessions.Where(s => s.Id == session.Id).Select(s => s.ProtectedStorageState).SingleAsync();
        }

        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
        });
        Assert.ThrowsAny<CryptographicException>(() => UnprotectStorage(database, storage!, keyFile: null));
        Assert.Contains("\"who\"", UnprotectStorage(database, storage!, keyFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdleTimeout_ReleasesTheSession_AndTheNextRequestRestoresIt()
    {
        var database = await stores.CreateDatabaseAsync("idle");
        var settings = new Dictionary<string, string>(FastSaves) { ["Sessions:IdleTimeoutSeconds"] = "2" };
        await using var host = BrowserServiceHost.Start(stores.RedisConnectionString, database, pages.HostAndPort, settings);
        var url = pages.Page("/lifecycle/idle", "<!doctype html><title>Idle page</title>");
        using var created = await host.Http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        // On a loaded machine the two idle seconds can pass before this line: then it is released already.
        var context = host.Sessions.Find(session.Id)?.Lease.Context;

        // Released means: gone from the node (first), saved as restorable, its context closed (last).
        var store = host.Services.GetRequiredService<SessionStateStore>();
        SavedSession? saved = null;
        await Eventually.TrueAsync(
            async () => host.Sessions.Find(session.Id) is null
                && (saved = await store.LoadRestorableAsync(session.Id)) is not null
                && (context is null || context.Pages.Count == 0),
            "the idle session to be released and saved",
            TimeSpan.FromSeconds(30));
        using var again = await host.Http.GetAsync($"/api/sessions/{session.Id}");
        var restored = (await again.Content.ReadFromJsonAsync<SessionDto>())!;

        Assert.NotNull(saved);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(session.ActiveTabId, restored.ActiveTabId);
        Assert.Equal(url.ToString(), Assert.Single(restored.Tabs).Url);
        await host.Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task AtCapacity_TheNextSessionGets429WithRetryAfter_EvenWhenCreatesComeAtOnce()
    {
        var database = await stores.CreateDatabaseAsync("capacity");
        await using var host = BrowserServiceHost.Start(
            stores.RedisConnectionString, database, pages.HostAndPort, new Dictionary<string, string> { ["Sessions:MaxSessions"] = "2" });

        // Eight at once: the cap was checked before the slow acquire, so concurrent creates all passed it.
        var burst = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Http.PostAsJsonAsync("/api/sessions", new { })));
        var created = burst.Count(r => r.StatusCode == HttpStatusCode.Created);
        var refused = burst.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal((2, 6), (created, refused));
        Assert.Equal(2, host.Sessions.Count);
        foreach (var response in burst)
        {
            response.Dispose();
        }

        using var third = await host.Http.PostAsJsonAsync("/api/sessions", new { });
        var problem = await third.Content.ReadFromJsonAsync<ProblemShape>();
        using var health = await host.Http.GetAsync("/health");
        var capacity = (await health.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("checks").GetProperty("capacity");

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must say when to retry");
        Assert.Contains("maximum of 2 sessions", problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", capacity.GetProperty("status").GetString());
    }

    [Fact]
    public async Task PerUserLimit_AppliesToTheOwnerOnly()
    {
        var database = await stores.CreateDatabaseAsync("peruser");
        await using var host = BrowserServiceHost.Start(
            stores.RedisConnectionString, database, pages.HostAndPort, new Dictionary<string, string> { ["Sessions:MaxSessionsPerUser"] = "1" });

        // Ada's two creates at once: only one may pass.
        var ada = "ada-" + Guid.NewGuid().ToString("N");
        var adas = await Task.WhenAll(CreateAsAsync(host, ada, out _), CreateAsAsync(host, ada, out _));
        using var bob = await CreateAsAsync(host, "bob-" + Guid.NewGuid().ToString("N"), out _);

        Assert.Equal(
            (1, 1),
            (adas.Count(r => r.StatusCode == HttpStatusCode.Created), adas.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests)));
        Assert.Equal(HttpStatusCode.Created, bob.StatusCode);
        foreach (var response in adas)
        {
            response.Dispose();
        }
    }

    private static Task<HttpResponseMessage> CreateAsAsync(BrowserServiceHost host, string user, out string owner)
    {
        owner = user;
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { }) };
        request.Headers.Add(CallerSignature.Header, TestIdentity.SignedFor(user));
        return host.Http.SendAsync(request);
    }

    /// <summary>Logs in through a form (a cookie), opens a second tab, and waits until both are saved.</summary>
    private async Task<(SessionDto Session, IReadOnlyList<string> TabIds)> LogInWithTwoTabsAsync(BrowserServiceHost host)
    {
        var login = pages.Page("/lifecycle/login", """
            <!doctype html><title>Sign in</title>
            <form method="post" action="/lifecycle/signin"><input id="user" name="user"><button id="go">Sign in</button></form>
            """);
        pages.Handle("/lifecycle/signin", async context =>
        {
            var form = await context.Request.ReadFormAsync();
            context.Response.Cookies.Append("who", form["user"].ToString(), new CookieOptions { HttpOnly = true, Path = "/" });
            context.Response.Redirect("/lifecycle/account");
        });
        pages.Handle("/lifecycle/account", context =>
        {
            context.Response.ContentType = "text/html";
            var who = context.Request.Cookies["who"];
            return context.Response.WriteAsync($"<!doctype html><title>Account</title><p id=who>{(who is null ? "signed out" : "signed in as " + who)}</p>");
        });

        using var created = await host.Http.PostAsJsonAsync("/api/sessions", new { url = login.ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var page = host.Sessions.Find(session.Id)!.ActiveTab.Page;
        await page.FillAsync("#user", "ada");
        await page.ClickAsync("#go");
        await page.WaitForURLAsync("**/lifecycle/account");
        using var opened = await host.Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs", new { url = new Uri(pages.BaseAddress, "lifecycle/account?second").ToString() });
        opened.EnsureSuccessStatusCode();
        var store = host.Services.GetRequiredService<SessionStateStore>();
        SavedSession? saved = null;
        await Eventually.TrueAsync(async () =>
        {
            saved = await store.LoadRestorableAsync(session.Id);
            return saved is { Tabs.Count: 2, StorageStateJson: { } storage } && storage.Contains("\"who\"", StringComparison.Ordinal);
        }, "both tabs and the login cookie to be saved", TimeSpan.FromSeconds(30));
        return (session, saved!.Tabs.Select(t => t.Id).ToList());
    }

    private static async Task AssertRestoredAsync(BrowserServiceHost host, SessionDto restored, IReadOnlyList<string> tabIds)
    {
        Assert.True(tabIds.SequenceEqual(restored.Tabs.Select(t => t.Id)),
            $"saved tabs [{string.Join(", ", tabIds)}], restored [{string.Join(", ", restored.Tabs.Select(t => $"{t.Id} {t.Url}"))}]");
        Assert.All(restored.Tabs, tab => Assert.Contains("/lifecycle/account", tab.Url, StringComparison.Ordinal));
        foreach (var tab in host.Sessions.Find(restored.Id)!.Tabs)
        {
            await tab.Page.WaitForSelectorAsync("#who");
            Assert.Equal("signed in as ada", await tab.Page.InnerTextAsync("#who"));
        }

        await host.Http.DeleteAsync($"/api/sessions/{restored.Id}");
    }

    /// <summary>Reads saved storage as anyone with the database would: through its key ring, with or without the key file.</summary>
    private static string UnprotectStorage(string database, string protectedStorage, string? keyFile)
    {
        var services = new ServiceCollection();
        services.AddDbContext<OperaDbContext>(options => options.UseNpgsql(database));
        var protection = services.AddDataProtection().SetApplicationName("OperaStudio").PersistKeysToDbContext<OperaDbContext>();
        if (keyFile is not null)
        {
            protection.UnprotectKeysWithAnyCertificate(X509CertificateLoader.LoadPkcs12FromFile(keyFile, password: null));
        }

        using var provider = services.BuildServiceProvider();
        return provider.GetDataProtector("OperaStudio.Sessions.StorageState.v1").Unprotect(protectedStorage);
    }

    private sealed record ProblemShape(string? Title, string? Detail);
}
