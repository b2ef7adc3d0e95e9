using OperaStudio.AppHost.Hosting;
using OperaStudio.AppHost.Hosting.Processes;
using OperaStudio.Tests.Infrastructure;
using StackExchange.Redis;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.AppHost;

/// <summary>The README's start command, end to end: everything up, the web app in a real browser, everything down.</summary>
[Collection(AppHostCollection.Name)]
public sealed class AppHostEndToEndTests(ChromiumFixture chromium)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task RunScript_StartsEverything_RestartsACrash_StopsCleanly_AndReusesDataOnSecondStart()
    {
        var dataDirectory = TestPaths.NewDirectory("apphost");
        var port = Ports.GetFreePort();
        const string RedisKey = "opera-tests:survives-restart";

        await using (var host = AppHostProcess.StartRunScript(port, dataDirectory))
        {
            await host.WaitForOutputAsync("Opera Studio is ready", StartTimeout);
            Assert.Contains($"open http://127.0.0.1:{port}/", host.OutputText);
            foreach (var resource in new[] { "redis", "postgres", "operadb", "browser", "web" })
            {
                Assert.NotEmpty(host.ResourceEndpoint(resource));
            }

            Assert.Contains(host.Output, line => line.StartsWith("[browser]", StringComparison.Ordinal));

            await using (var redis = await ConnectionMultiplexer.ConnectAsync(host.ResourceEndpoint("redis").Split(' ')[0]))
            {
                await redis.GetDatabase().StringSetAsync(RedisKey, "kept");
            }

            await AssertHomePageAsync(host.WebUrl, chromium);

            var started = host.StartedProcesses();
            Assert.Contains(started, p => p.CommandLine.Contains("redis-server", StringComparison.Ordinal));
            Assert.Contains(started, p => p.CommandLine.Contains("postgres -D", StringComparison.Ordinal));
            Assert.Contains(started, p => p.CommandLine.Contains("OperaStudio.BrowserService.dll", StringComparison.Ordinal));
            var web = Assert.Single(started, p => p.CommandLine.Contains("OperaStudio.Web.dll", StringComparison.Ordinal));

            // A crash is restarted and the web app answers again.
            PosixSignals.Send(web.Pid, PosixSignals.SigKill);
            await host.WaitForOutputAsync("web is running again", StartTimeout);
            using (var http = new HttpClient())
            {
                using var response = await http.GetAsync(host.WebUrl);
                Assert.True(response.IsSuccessStatusCode, $"web answered {(int)response.StatusCode} after its restart");
            }

            // Ctrl+C stops everything it started, and nothing is left behind.
            host.Signal(PosixSignals.SigInt);
            Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Contains("all resources stopped", host.OutputText);
            Assert.Empty(host.StartedProcesses());
            Assert.DoesNotContain(ProcessScan.All(), p => started.Any(s => s.Pid == p.Pid && s.CommandLine == p.CommandLine));
        }

        await using (var again = AppHostProcess.StartBuilt(port, dataDirectory))
        {
            await again.WaitForOutputAsync("Opera Studio is ready", StartTimeout);
            Assert.DoesNotContain("initialising a new PostgreSQL", again.OutputText);
            await using (var redis = await ConnectionMultiplexer.ConnectAsync(again.ResourceEndpoint("redis").Split(' ')[0]))
            {
                Assert.Equal("kept", (string?)await redis.GetDatabase().StringGetAsync(RedisKey));
            }

            again.Signal(PosixSignals.SigTerm);
            Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            Assert.Empty(again.StartedProcesses());
        }

        TestPaths.TryDelete(dataDirectory);
    }

    private static async Task AssertHomePageAsync(Uri url, ChromiumFixture chromium)
    {
        var page = await chromium.NewPageAsync();
        try
        {
            await page.GotoAsync(url.ToString());
            await Expect(page).ToHaveTitleAsync("Opera Studio");
            await Expect(page.Locator(".opera-appbar")).ToContainTextAsync("Opera Studio");
            await Expect(page.GetByTestId("service-status")).ToHaveAttributeAsync("data-healthy", "true", new() { Timeout = 30_000 });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
