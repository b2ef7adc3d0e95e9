extern alias apphost;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;
using OperaStudio.Tests.Web;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.AppHost;

/// <summary>
/// The AppHost itself, built with Aspire.Hosting.Testing: every resource healthy, the web app's panel showing a live
/// page, a store that dies is reported and recovers when started again, the dashboard's drain and resume work, and
/// nothing of ours runs after disposal.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class WholeSystemTests(ChromiumFixture chromium, TestPageServer pages)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AppHost_AllHealthy_PanelLive_StoreDeathReportedAndRecovered_NothingLeftAfterDisposal()
    {
        var dataDirectory = TestPaths.NewDirectory("system");
        var marker = AppHostProcess.MarkerFor(dataDirectory);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));

        // Set in the environment (not as arguments) so DCP and everything it starts inherit them: the marker that finds them.
        using (new EnvironmentScope(new Dictionary<string, string>
        {
            ["OPERA_DATA_DIR"] = dataDirectory,
            ["Auth__AdminToken"] = TestIdentity.AdminToken,
            ["Auth__Admin__Password"] = TestIdentity.AdminPassword,
            ["OPERA_WEB_PORT"] = Signals.FreePort().ToString(),
            ["UrlPolicy__AllowedHosts__0"] = pages.HostAndPort,
        }))
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.OperaStudio_AppHost>(
                [], (_, host) => host.EnvironmentName = "Development", timeout.Token); // as run.sh runs it
            await using var app = await builder.BuildAsync(timeout.Token);
            await app.StartAsync(timeout.Token);
            foreach (var resource in (string[])[ResourceNames.Redis, ResourceNames.Postgres, ResourceNames.Database, ResourceNames.BrowserService, ResourceNames.Web])
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }

            using var web = new HttpClient { BaseAddress = app.GetEndpoint(ResourceNames.Web, "http") };
            web.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
            using var browser = new HttpClient { BaseAddress = app.GetEndpoint(ResourceNames.BrowserService, "http") };
            await AssertPanelShowsALivePageAsync(web);

            // PostgreSQL dies: Aspire (and so the dashboard) shows it, the browser service says so on /health, and both
            // recover when it is started again, as an operator would from the dashboard.
            Signals.Send(ProcessId(app, ResourceNames.Postgres), Signals.SigKill);
            await app.ResourceNotifications.WaitForResourceAsync(ResourceNames.Postgres, KnownResourceStates.TerminalStates, timeout.Token);
            var down = await WaitForHealthAsync(browser, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("Unhealthy", down.GetProperty("checks").GetProperty(ResourceNames.Database).GetProperty("status").GetString());

            var start = await app.Services.GetRequiredService<ResourceCommandService>()
                .ExecuteCommandAsync(ResourceNames.Postgres, KnownResourceCommands.StartCommand, timeout.Token);
            Assert.True(start.Success, start.Message);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Postgres, timeout.Token);
            await WaitForHealthAsync(browser, HttpStatusCode.OK);

            // The dashboard's Drain and Resume buttons on the browser service.
            var commands = app.Services.GetRequiredService<ResourceCommandService>();
            Assert.True((await commands.ExecuteCommandAsync(ResourceNames.BrowserService, "browser-http-http-post-/api/operations/drain", timeout.Token)).Success);
            var drained = await WaitForHealthAsync(browser, HttpStatusCode.ServiceUnavailable);
            Assert.StartsWith("draining", drained.GetProperty("checks").GetProperty("capacity").GetProperty("description").GetString(), StringComparison.Ordinal);
            Assert.True((await commands.ExecuteCommandAsync(ResourceNames.BrowserService, "browser-http-http-delete-/api/operations/drain", timeout.Token)).Success);
            await WaitForHealthAsync(browser, HttpStatusCode.OK);

            Assert.Contains(ProcessScan.WithEnvironment(marker), p => p.CommandLine.Contains("chromium", StringComparison.Ordinal));
        }

        var left = ProcessScan.WithEnvironment(marker);
        for (var i = 0; i < 60 && left.Count > 0; i++)
        {
            await Task.Delay(250);
            left = ProcessScan.WithEnvironment(marker);
        }

        Assert.True(left.Count == 0, "left running: " + string.Join("; ", left.Select(p => p.CommandLine)));
        TestPaths.TryDelete(dataDirectory);
    }

    private async Task AssertPanelShowsALivePageAsync(HttpClient web)
    {
        var url = pages.Page("/system/live", "<title>Live through the AppHost</title><body style='background:#c33'><h1>live</h1></body>");
        using var created = await web.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>(Json))!;

        var page = await chromium.NewSignedInPageAsync(web.BaseAddress!);
        try
        {
            await page.GotoAsync(new Uri(web.BaseAddress!, $"/sessions/{session.Id}").ToString());
            await Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 30_000 });
            // The canvas shows the remote page: its red background among the pixels.
            await PanelPage.WaitForAsync(
                () => page.GetByTestId("browser-canvas").EvaluateAsync<bool>("""
                    c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                           for (let i = 0; i < d.length; i += 4) if (d[i] > 180 && d[i + 1] < 80 && d[i + 2] < 80) return true;
                           return false; }
                    """),
                "the canvas to show the remote page");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static int ProcessId(DistributedApplication app, string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var state)
        && state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"{resource} has no process id.");

    private static async Task<JsonElement> WaitForHealthAsync(HttpClient service, HttpStatusCode expected)
    {
        JsonElement body = default;
        await PanelPage.WaitForAsync(async () =>
        {
            using var response = await service.GetAsync("/health");
            body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.StatusCode == expected;
        }, $"/health to answer {(int)expected}", timeoutSeconds: 60);
        return body;
    }
}
