using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using StackExchange.Redis;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.AppHost;

/// <summary>
/// The README's start command as a user runs it: everything up with the dashboard, settings from the environment
/// reach the services, a crashed service comes back, Ctrl+C stops everything, a second start finds the data, and an
/// AppHost killed outright leaves nothing that blocks the next start.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed partial class RunScriptTests(ChromiumFixture chromium, TestPageServer pages)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task RunScript_StartsEverything_RestartsACrash_StopsCleanly_ReusesTheData_AndStartsAgainAfterAKill()
    {
        var dataDirectory = TestPaths.NewDirectory("apphost");
        var port = Signals.FreePort();
        const string RedisKey = "opera-tests:survives-restart";
        var settings = new Dictionary<string, string>
        {
            ["Browsers__WarmContexts"] = "1", // Section__Key=value ./run.sh reaches the services
            ["UrlPolicy__AllowedHosts__0"] = pages.HostAndPort,
        };
        var page = pages.Page("/apphost/kept", "<title>Kept across restarts</title><p>kept</p>");
        string sessionId;

        await using (var host = AppHostProcess.StartRunScript(port, dataDirectory, settings))
        {
            await host.WaitForOutputAsync("Opera Studio is ready", StartTimeout);
            Assert.Contains($"  open       http://localhost:{port}/", host.OutputText);
            var dashboard = DashboardLogin().Match(await host.WaitForOutputAsync("  dashboard  ", TimeSpan.FromSeconds(5)));
            Assert.True(dashboard.Success, host.OutputText);
            Assert.Equal(host.DashboardPort.ToString(), dashboard.Groups["port"].Value);
            using (var http = new HttpClient())
            {
                using var login = await http.GetAsync(dashboard.Value);
                Assert.True(login.IsSuccessStatusCode, $"the dashboard's login answered {(int)login.StatusCode}");
            }

            await AssertHomePageAsync(host.WebUrl);
            using var web = new HttpClient { BaseAddress = host.WebUrl };
            web.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
            // The pool warms one context (not its default of 2): wait for the first, give a second the time to follow.
            await Eventually.TrueAsync(
                async () => (await web.GetFromJsonAsync<OperationsDto>("/api/operations", Json))!.WarmContexts >= 1, "a warm context", TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(2));
            var operations = await web.GetFromJsonAsync<OperationsDto>("/api/operations", Json);
            Assert.Equal(1, operations!.WarmContexts);

            await using (var redis = await ConnectionMultiplexer.ConnectAsync(RedisAddress(host)))
            {
                await redis.GetDatabase().StringSetAsync(RedisKey, "kept");
            }

            using var created = await web.PostAsJsonAsync("/api/sessions", new { url = page.ToString() });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            sessionId = (await created.Content.ReadFromJsonAsync<SessionDto>(Json))!.Id;
            var started = host.StartedProcesses();
            Assert.Contains(started, p => p.CommandLine.Contains("redis-server", StringComparison.Ordinal));
            Assert.Contains(started, p => p.CommandLine.Contains("postgres -D", StringComparison.Ordinal));
            Assert.Contains(started, p => p.CommandLine.Contains("tools/dcp", StringComparison.Ordinal));
            Assert.Contains(started, p => p.CommandLine.Contains("OperaStudio.BrowserService", StringComparison.Ordinal));
            Assert.Contains(started, p => p.CommandLine.Contains("chromium", StringComparison.Ordinal));

            // A service that crashes after the start is started again, and answers again.
            var webService = Assert.Single(started, p => p.CommandLine.EndsWith("/OperaStudio.Web", StringComparison.Ordinal));
            Signals.Send(webService.Pid, Signals.SigKill);
            await host.WaitForOutputAsync("warning: web exited with code 137; starting it again (1 of 3 in 10 minutes)", TimeSpan.FromSeconds(30));
            await host.WaitForOutputAsync("web is running again", TimeSpan.FromMinutes(1));
            await AssertHomePageAsync(host.WebUrl);

            // Ctrl+C: the services stop first (they save the session), then the stores; nothing is left behind.
            host.Signal(Signals.SigInt);
            Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Empty(await host.WaitUntilAllGoneAsync(TimeSpan.FromSeconds(15)));
        }

        await using (var again = AppHostProcess.StartBuilt(port, dataDirectory, settings))
        {
            await again.WaitForOutputAsync("Opera Studio is ready", StartTimeout);
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(RedisAddress(again)))
            {
                Assert.Equal("kept", (string?)await redis.GetDatabase().StringGetAsync(RedisKey));
            }

            using var web = new HttpClient { BaseAddress = again.WebUrl };
            web.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
            var timeline = await web.GetFromJsonAsync<SessionTimelineDto>($"/api/history/sessions/{sessionId}", Json);
            Assert.Contains(timeline!.Entries, e => e.Title == "Kept across restarts");

            // Killed outright: DCP notices and stops what it ran; the next start is not blocked by anything left.
            again.Signal(Signals.SigKill);
            await again.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        await using (var third = AppHostProcess.StartBuilt(port, dataDirectory, settings))
        {
            await third.WaitForOutputAsync("Opera Studio is ready", StartTimeout);
            third.Signal(Signals.SigTerm);
            Assert.Equal(0, await third.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Empty(await third.WaitUntilAllGoneAsync(TimeSpan.FromSeconds(15)));
        }

        TestPaths.TryDelete(dataDirectory);
    }

    /// <summary>Redis as the AppHost runs it (its own port: DCP's proxy in front of it has another).</summary>
    private static string RedisAddress(AppHostProcess host)
    {
        var redis = host.StartedProcesses().First(p => p.CommandLine.Contains("redis-server", StringComparison.Ordinal));
        return $"127.0.0.1:{RedisPort().Match(redis.CommandLine).Groups[1].Value}";
    }

    private async Task AssertHomePageAsync(Uri url)
    {
        var page = await chromium.NewSignedInPageAsync(url);
        try
        {
            await page.GotoAsync(url.ToString());
            await Expect(page).ToHaveTitleAsync("Opera Studio");
            await Expect(page.GetByTestId("service-status")).ToHaveAttributeAsync("data-healthy", "true", new() { Timeout = 30_000 });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:(?<port>\d+)/login\?t=\w+")]
    private static partial Regex DashboardLogin();

    [GeneratedRegex(@"--port (\d+)")]
    private static partial Regex RedisPort();
}
