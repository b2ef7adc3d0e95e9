extern alias apphost;

using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.AppHost;

/// <summary>
/// The dashboard provides telemetry: an agent run asked through the web app is one trace in the Aspire dashboard,
/// across the web app and the browser service, with a span per model call and per tool call, and the browser
/// service's own metrics are there.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class DashboardTelemetryTests(ChromiumFixture chromium, TestPageServer pages)
{
    [Fact]
    public async Task AgentRun_IsOneTraceInTheDashboard_WithModelAndToolSpans_AndTheServiceMetricsAreListed()
    {
        await using var model = await ScriptedModelServer.StartAsync();
        var order = pages.Page("/telemetry/order", """
            <!doctype html><title>Order 1042</title>
            <h1>Order 1042</h1><button onclick="this.textContent = 'Saved'">Save order</button>
            """);
        var dataDirectory = TestPaths.NewDirectory("telemetry");
        var dashboard = new Uri($"http://127.0.0.1:{Signals.FreePort()}");
        var token = Guid.NewGuid().ToString("N");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var environment = new EnvironmentScope(new Dictionary<string, string>
        {
            ["OPERA_DATA_DIR"] = dataDirectory,
            ["Auth__AdminToken"] = TestIdentity.AdminToken,
            ["OPERA_WEB_PORT"] = Signals.FreePort().ToString(),
            ["UrlPolicy__AllowedHosts__0"] = pages.HostAndPort,
            ["Agent__Provider"] = "OpenAICompatible",
            ["Agent__BaseUrl"] = model.BaseUrl.ToString(),
            ["Agent__ApiKey"] = "test",
            ["Agent__Model"] = "scripted",
        });

        // The dashboard on ports of this test's, logged in with a token it knows (as arguments: the testing builder's
        // own defaults for these win over the environment).
        string[] dashboardSettings =
        [
            $"ASPNETCORE_URLS={dashboard}",
            $"ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{Signals.FreePort()}",
            $"ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{Signals.FreePort()}",
            "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            $"ASPIRE_DASHBOARD_FRONTEND_BROWSERTOKEN={token}",
            "DcpPublisher:RandomizePorts=false", // else the dashboard's own port is moved too
        ];
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.OperaStudio_AppHost>(
            dashboardSettings, (options, host) => { options.DisableDashboard = false; host.EnvironmentName = "Development"; }, timeout.Token);
        await using var app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.BrowserService, timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Web, timeout.Token);

        using var web = new HttpClient { BaseAddress = app.GetEndpoint(ResourceNames.Web, "http") };
        web.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
        // Requests carry trace contexts of the test's, so the test knows which traces to open.
        var createTrace = ActivityTraceId.CreateRandom().ToHexString();
        var runTrace = ActivityTraceId.CreateRandom().ToHexString();
        web.DefaultRequestHeaders.Add("traceparent", TraceParent(createTrace));
        await using (var session = await AgentClient.CreateAsync(web, order))
        {
            model.Plan(Call("snapshot"), Call("click", new { description = "Save order" }), Say("The order is saved."));
            web.DefaultRequestHeaders.Remove("traceparent");
            web.DefaultRequestHeaders.Add("traceparent", TraceParent(runTrace));
            var run = await session.SendAsync("Save the order.");
            web.DefaultRequestHeaders.Remove("traceparent");
            Assert.Equal("completed", (await session.WaitForEndAsync(run.Id)).Run!.State);
        }

        var page = await chromium.NewPageAsync(1600, 900);
        try
        {
            await page.GotoAsync(new Uri(dashboard, $"/login?t={token}").ToString());
            await Expect(page.Locator("body")).ToContainTextAsync("operadb", new() { Timeout = 30_000 });
            await Screenshots.SaveAsync(page, "dashboard-resources");

            // The run: web → browser service → agent.run → a span per model call and per tool call (SK's and ours).
            await page.GotoAsync(new Uri(dashboard, $"/traces/detail/{runTrace}").ToString());
            var spans = page.Locator("body");
            foreach (var name in (string[])["POST /api/sessions/{id}/agent/messages", "agent.run", "chat scripted", "execute_tool snapshot", "tool snapshot", "execute_tool click", "tool click"])
            {
                await Expect(spans).ToContainTextAsync(name, new() { Timeout = 30_000 });
            }

            await Expect(spans).ToContainTextAsync("web");
            await Screenshots.SaveAsync(page, "dashboard-trace");

            // Creating the session: web → browser service → session.create (a Redis read for the limits) → tab.navigate.
            await page.GotoAsync(new Uri(dashboard, $"/traces/detail/{createTrace}").ToString());
            foreach (var name in (string[])["POST /api/sessions", "session.create", "DATA redis", "tab.navigate"])
            {
                await Expect(spans).ToContainTextAsync(name, new() { Timeout = 30_000 });
            }

            // The browser service's own metrics beside ASP.NET Core's, Npgsql's and Semantic Kernel's.
            await page.GotoAsync(new Uri(dashboard, "/metrics/resource/browser").ToString());
            foreach (var name in (string[])["opera.sessions.live", "opera.viewers", "opera.frames.rate", "opera.pool.warm", "opera.agent.steps", "Microsoft.SemanticKernel"])
            {
                await Expect(spans).ToContainTextAsync(name, new() { Timeout = 30_000 });
            }
        }
        finally
        {
            await page.Context.CloseAsync();
        }

        TestPaths.TryDelete(dataDirectory);
    }

    private static string TraceParent(string traceId) => $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
}
