using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.Agent;

/// <summary>
/// What a step must hold against a hostile or slow page and a caller who gives up: a cancelled step never acts later,
/// page evaluations end within the tool timeout, every failure ends its step as an error, script values come back as
/// the page's JSON, and an actions-API call is logged once.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed partial class StepHardeningTests : IDisposable
{
    /// <summary>
    /// A button that is disabled until the test enables it, and that tells the test when the click tool has probed it
    /// (the probe reads its <c>form</c>, right before the click is issued).
    /// </summary>
    private const string LateButtonHtml = """
        <!doctype html><title>Late</title>
        <button id="late" disabled onclick="document.getElementById('out').textContent = 'clicked'">Later</button>
        <p id="out">not clicked</p>
        <script>
          Object.defineProperty(document.getElementById('late'), 'form', { get() { window.probed = true; return null; } });
        </script>
        """;

    /// <summary>
    /// Enables the button, then resolves true on its first click, or false once a click that was waiting for it has
    /// had ample time to land (Playwright retries an action at most every 500 ms).
    /// </summary>
    private const string EnableAndWatch = """
        () => new Promise(resolve => {
          const button = document.getElementById('late');
          button.addEventListener('click', () => resolve(true));
          button.disabled = false;
          setTimeout(() => resolve(false), 3000);
        })
        """;

    private readonly AgentServiceFixture _service;

    public StepHardeningTests(AgentServiceFixture service)
    {
        _service = service;
        service.Model.Reset();
    }

    public void Dispose() => Assert.Equal(0, _service.Model.Unplanned);

    [Fact]
    public async Task Click_RequestAbortedWhileItWaitsForTheElement_NeverLandsLater()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http, _service.Pages.Page("/hardening/abort", LateButtonHtml));
        var reference = RefOf((await session.ActAsync("snapshot")).GetString()!, "button \"Later\"");
        var page = _service.Sessions.Find(session.SessionId)!.ActiveTab.Page;

        using var abort = new CancellationTokenSource();
        var call = session.Http.PostAsJsonAsync(
            $"/api/sessions/{session.SessionId}/actions", new { tool = "click", args = new { @ref = reference } }, abort.Token);
        await page.WaitForFunctionAsync("() => window.probed === true");
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await session.WaitForStateAsync(s => s.Steps.Any(st => st is { Tool: "click", Status: StepStatuses.Cancelled }), "the click step to end cancelled");

        Assert.False(await page.EvaluateAsync<bool>(EnableAndWatch), "the cancelled click landed once the button was enabled");
        Assert.Equal("not clicked", await page.InnerTextAsync("#out"));
    }

    [Fact]
    public async Task Click_RunCancelledWhileItWaitsForTheElement_NeverLandsLater()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http, _service.Pages.Page("/hardening/cancel-run", LateButtonHtml));
        var page = _service.Sessions.Find(session.SessionId)!.ActiveTab.Page;
        _service.Model.Plan(Call("click", new { description = "Later button" }));

        var run = await session.SendAsync("Press Later.");
        await page.WaitForFunctionAsync("() => window.probed === true");
        (await session.PostAsync($"/agent/runs/{run.Id}/cancel", new { })).Dispose();
        var state = await session.WaitForEndAsync(run.Id);

        Assert.Equal("cancelled", state.Run!.State);
        Assert.Contains(state.Steps, s => s is { Tool: "click", Status: StepStatuses.Cancelled });
        Assert.False(await page.EvaluateAsync<bool>(EnableAndWatch), "the cancelled click landed once the button was enabled");
    }

    [Fact]
    public async Task ExecuteScript_PromiseThatNeverSettles_EndsTheStepWithATimeoutError()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http, _service.Pages.Page("/hardening/never", "<!doctype html><title>Never</title>"));

        var call = session.ActionAsync("execute_script", new { script = "new Promise(() => {})" });
        (await session.DecideAsync((await session.WaitForApprovalAsync()).Id, approve: true)).Dispose();
        var (_, response) = await call;

        Assert.False(response.Ok);
        Assert.StartsWith("Timed out after 10 s", response.Error, StringComparison.Ordinal);
        Assert.Equal(StepStatuses.Error, (await session.StateAsync()).Steps[^1].Status);
    }

    [Fact]
    public async Task GetContent_OnAPageBlockingItsMainThread_EndsTheStepWithATimeoutError()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http, _service.Pages.Page("/hardening/busy", "<!doctype html><title>Busy</title><p>spinning</p>"));
        var page = _service.Sessions.Find(session.SessionId)!.ActiveTab.Page;
        await page.EvaluateAsync("() => { setTimeout(() => { while (true) {} }, 0); }");

        var (_, response) = await session.ActionAsync("get_content", new { format = "text" });

        Assert.False(response.Ok);
        Assert.StartsWith("Timed out after 10 s", response.Error, StringComparison.Ordinal);
        Assert.Equal(StepStatuses.Error, (await session.StateAsync()).Steps[^1].Status);
    }

    [Fact]
    public async Task ExtractData_SchemaWithARef_IsAToolErrorAndTheStepEnds()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http, _service.Pages.Page("/hardening/ref", AgentPages.ProductsHtml));
        const string schema = """
            {"type":"array","items":{"$ref":"#/$defs/product"},"$defs":{"product":{"$ref":"https://example.invalid/product.json"}}}
            """;

        var (status, response) = await session.ActionAsync("extract_data", new { schema = JsonDocument.Parse(schema).RootElement });

        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.False(response.Ok);
        Assert.False(string.IsNullOrWhiteSpace(response.Error));
        Assert.Equal(StepStatuses.Error, (await session.StateAsync()).Steps[^1].Status);
    }

    [Fact]
    public async Task ExecuteScript_ReturnsTheScriptsJsonValueAsItIs()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http, _service.Pages.Page("/hardening/json", "<!doctype html><title>Json</title>"));

        var value = await ApprovedScriptAsync(session, "({ a: { b: [1, { c: null }] }, d: 'x' })");
        var nothing = await ApprovedScriptAsync(session, "null");

        Assert.Equal("""{"a":{"b":[1,{"c":null}]},"d":"x"}""", value.GetRawText());
        Assert.Equal(JsonValueKind.Null, nothing.ValueKind);
    }

    [Fact]
    public async Task ActionsApiCall_IsLoggedOnceInTheSessionsHistory()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http, _service.Pages.Page("/hardening/history", "<!doctype html><title>History</title>"));
        await session.ActAsync("snapshot");
        await session.ActAsync("get_content", new { format = "text" });

        // Written in order: once the later call is in the history, so is everything about the earlier one.
        var timeline = await WaitForTimelineAsync(session.SessionId, t => t.Entries.Any(e => e.Title == "get_content"));

        Assert.Single(timeline.Entries, e => e.Title == "snapshot");
        Assert.Equal("api", timeline.Entries.Single(e => e.Title == "snapshot").Actor);
    }

    /// <summary>The action's <c>result</c> as it is on the wire (a typed client would read a JSON null as no value).</summary>
    private static async Task<JsonElement> ApprovedScriptAsync(AgentClient session, string script)
    {
        var call = session.Http.PostAsJsonAsync($"/api/sessions/{session.SessionId}/actions", new { tool = "execute_script", args = new { script } });
        (await session.DecideAsync((await session.WaitForApprovalAsync()).Id, approve: true)).Dispose();
        using var response = await call;
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("ok").GetBoolean(), body.GetRawText());
        Assert.True(body.TryGetProperty("result", out var result), body.GetRawText());
        return result.Clone();
    }

    private async Task<SessionTimelineDto> WaitForTimelineAsync(string sessionId, Func<SessionTimelineDto, bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        SessionTimelineDto? timeline = null;
        while (DateTime.UtcNow < until)
        {
            using var response = await _service.Http.GetAsync($"/api/history/sessions/{sessionId}");
            if (response.IsSuccessStatusCode)
            {
                timeline = await response.Content.ReadFromJsonAsync<SessionTimelineDto>();
                if (timeline is not null && condition(timeline))
                {
                    return timeline;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The history never showed what was waited for: {string.Join(" | ", timeline?.Entries.Select(e => $"{e.Kind}:{e.Actor}:{e.Title}") ?? [])}");
    }

    private static string RefOf(string snapshot, string element)
    {
        var match = Regex.Match(snapshot, $@"- (?:[a-z]+ )?{Regex.Escape(element)}[^\n]*?\[ref=(?<ref>[^\]]+)\]");
        Assert.True(match.Success, $"no '{element}' with a ref in:\n{snapshot}");
        return match.Groups["ref"].Value;
    }
}
