using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using OperaStudio.Tests.Infrastructure;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.Agent;

/// <summary>
/// Model runs end to end: the service's Semantic Kernel agent against the scripted OpenAI-compatible model, acting
/// on real pages in real Chromium. Assertions are on tool calls, recorded requests and page state, not wording.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed partial class AgentRunTests : IDisposable
{
    private readonly AgentServiceFixture _service;

    public AgentRunTests(AgentServiceFixture service)
    {
        _service = service;
        service.Model.Reset();
    }

    private ScriptedModelServer Model => _service.Model;

    public void Dispose() => Assert.Equal(0, Model.Unplanned);

    [Fact]
    public async Task AMessage_NamesWhoWroteIt_InTheChatAndInHistory()
    {
        using var alice = TestIdentity.ClientFor(_service.BaseAddress, "alice-writes");
        await using var session = await AgentClient.CreateAsync(alice);
        Model.Plan(Say("Hello, Alice."));

        var run = await session.SendAsync("Say hello.");
        var state = await session.WaitForEndAsync(run.Id);

        Assert.Equal("alice-writes", state.Messages.Single(m => m.Role == "user").Author);
        Assert.Null(state.Messages.Single(m => m.Role == "assistant").Author);
        await Eventually.TrueAsync(async () =>
        {
            var timeline = await alice.GetFromJsonAsync<OperaStudio.BrowserService.Contracts.SessionTimelineDto>($"/api/history/sessions/{session.SessionId}");
            return timeline!.Entries.Any(e => e.Kind == "chat" && e.Actor == "user" && e.User == "alice-writes");
        }, "the message in history with its author", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Run_LogsInThroughAForm_SecretNeverReachesTheModel()
    {
        const string secret = "S3cret-Value-42!";
        string? received = null;
        var login = AgentPages.Login(_service.Pages, "/agent-run/login", secret, p => received = p);
        await using var session = await AgentClient.CreateAsync(_service.Http);
        using (var put = await session.Http.PutAsJsonAsync($"/api/sessions/{session.SessionId}/secrets/site_password", new { value = secret, origins = new[] { login.GetLeftPart(UriPartial.Authority) } }))
        {
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        }

        Model.Plan(
            Call("navigate", new { url = login.ToString() }, text: "Opening the sign-in page."),
            Call("fill_form", new { fields = new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = "{{secret:site_password}}" } }),
            Call("click", new { description = "Log in button" }),
            Call("get_content", new { format = "text" }),
            Say("You are signed in as alice."));

        var run = await session.SendAsync($"Sign in to {login} as alice with my stored password.");
        var approval = await session.WaitForApprovalAsync();
        using (var decided = await session.DecideAsync(approval.Id, approve: true))
        {
            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        }

        var state = await session.WaitForEndAsync(run.Id);

        Assert.Equal("completed", state.Run!.State);
        Assert.Equal("password_submit", approval.Kind);
        Assert.Equal("click", approval.Tool);
        Assert.NotNull(approval.Element);
        Assert.True(approval.Element!.Width > 0 && approval.Element.Height > 0);
        Assert.Equal(secret, received);
        Assert.Equal(5, Model.Requests.Count);
        Assert.All(Model.Requests, r => Assert.DoesNotContain(secret, r.Body, StringComparison.Ordinal));
        Assert.Contains("{{secret:site_password}}", Model.Requests[0].SystemPrompt + Model.Requests[2].Body, StringComparison.Ordinal);
        Assert.Contains("Welcome, alice", Model.Requests[4].LastToolResult, StringComparison.Ordinal);
        Assert.Equal(["navigate", "fill_form", "click", "get_content"], state.Steps.Where(s => s.RunId == run.Id).Select(s => s.Tool));
        Assert.All(state.Steps.Where(s => s.RunId == run.Id), s => Assert.Equal("ok", s.Status));
        Assert.Contains(state.Messages, m => m.Role == "assistant" && m.Text == "Opening the sign-in page.");
        Assert.Equal("You are signed in as alice.", state.Messages[^1].Text);
        Assert.Equal("user", state.Control.Holder);
    }

    [Fact]
    public async Task Run_PageText_ReachesTheModelInsideTheRunsBoundaryMarkers()
    {
        var login = AgentPages.Login(_service.Pages, "/agent-run/markers", "pw");
        var welcome = new Uri(login, "welcome");
        await using var session = await AgentClient.CreateAsync(_service.Http, welcome);
        Model.Plan(Call("get_content", new { format = "text" }), Say("Read it."));

        var run = await session.SendAsync("What does the page say?");
        await session.WaitForEndAsync(run.Id);

        var system = Model.Requests[1].SystemPrompt;
        var nonce = MarkerNonce().Match(system).Groups["nonce"].Value;
        var result = Model.Requests[1].LastToolResult;
        var start = result.IndexOf($"<<<PAGE_CONTENT nonce={nonce}", StringComparison.Ordinal);
        var end = result.IndexOf($"<<<END_PAGE_CONTENT nonce={nonce}>>>", StringComparison.Ordinal);
        var injection = result.IndexOf(AgentPages.InjectionText, StringComparison.Ordinal);
        Assert.NotEmpty(nonce);
        Assert.True(start >= 0 && start < injection && injection < end, $"page text is not inside the markers: {result}");
        Assert.Contains("data", system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ExtractsATableIntoASchema_AndTheResultValidates()
    {
        var url = _service.Pages.Page("/agent-run/products", AgentPages.ProductsHtml);
        await using var session = await AgentClient.CreateAsync(_service.Http, url);
        Model.Plan(Call("extract_data", new { schema = AgentPages.ProductsSchema }), Say("There are 3 products."));

        var run = await session.SendAsync("List the products with their prices.");
        var state = await session.WaitForEndAsync(run.Id);

        var result = Model.Requests[1].LastToolResult;
        Assert.False(result.StartsWith("Error", StringComparison.Ordinal), result);
        var data = JsonNode.Parse(Unwrap(result))!;
        var evaluation = JsonSchema.FromText(AgentPages.ProductsSchema).Evaluate(JsonDocument.Parse(data.ToJsonString()).RootElement);
        Assert.Equal("completed", state.Run!.State);
        Assert.True(evaluation.IsValid, data.ToJsonString());
        Assert.Equal(3, data.AsArray().Count);
        Assert.Equal("Apple", data[0]!["product"]!.GetValue<string>());
        Assert.Equal(1.2, data[0]!["price"]!.GetValue<double>());
        Assert.False(data[1]!["in_stock"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Run_WorksAcrossTwoTabs()
    {
        var first = _service.Pages.Page("/agent-run/tab-one", "<!doctype html><title>First tab</title><p>Alpha content</p>");
        var second = _service.Pages.Page("/agent-run/tab-two", "<!doctype html><title>Second tab</title><p>Beta content</p>");
        await using var session = await AgentClient.CreateAsync(_service.Http, first);
        Model.Plan(
            Call("tabs", new { action = "open", url = second.ToString() }),
            Call("get_content", new { format = "text" }));
        Model.Plan(request => Call("tabs", new { action = "switch", tab_id = TabId(request.ToolResults[0], "First tab") }));
        Model.Plan(Call("get_content", new { format = "text" }), Say("Alpha and Beta."));

        var run = await session.SendAsync("Compare this page with the second page.");
        var state = await session.WaitForEndAsync(run.Id);
        var browser = _service.Sessions.Find(session.SessionId)!;

        Assert.Equal("completed", state.Run!.State);
        // Whole results in the message: Assert.Contains would cut an error after a few characters.
        Assert.True(Model.Requests[2].LastToolResult.Contains("Beta content", StringComparison.Ordinal), Model.Requests[2].LastToolResult);
        Assert.True(Model.Requests[4].LastToolResult.Contains("Alpha content", StringComparison.Ordinal), Model.Requests[4].LastToolResult);
        Assert.Equal(2, browser.Tabs.Count);
        Assert.Equal(first.ToString(), browser.ActiveTab.Url);
    }

    [Fact]
    public async Task Run_SensitiveStep_WaitsForApproval_ApprovedRunsAndDeniedDoesNot()
    {
        var url = _service.Pages.Page("/agent-run/approve", AgentPages.ControlsHtml);
        await using var session = await AgentClient.CreateAsync(_service.Http, url);
        Model.Plan(
            Call("execute_script", new { script = "document.title" }),
            Call("execute_script", new { script = "document.getElementById('out').textContent = 'defaced'" }),
            Say("The title is Controls; the second script was denied."));

        var run = await session.SendAsync("Read the title with a script, then change the text.");
        var first = await session.WaitForApprovalAsync();
        var waiting = await session.StateAsync();
        (await session.DecideAsync(first.Id, approve: true)).Dispose();
        var second = (await session.WaitForStateAsync(s => s.PendingApprovals.Any(a => a.Id != first.Id), "the second approval")).PendingApprovals[0];
        (await session.DecideAsync(second.Id, approve: false)).Dispose();
        var state = await session.WaitForEndAsync(run.Id);
        using var again = await session.DecideAsync(second.Id, approve: true);

        Assert.Equal("execute_script", first.Kind);
        Assert.Equal("waiting_for_approval", waiting.Run!.State);
        Assert.Equal("completed", state.Run!.State);
        Assert.Contains("\"Controls\"", Model.Requests[1].LastToolResult, StringComparison.Ordinal);
        Assert.Contains("denied", Model.Requests[2].LastToolResult, StringComparison.Ordinal);
        Assert.Equal(["ok", "denied"], state.Steps.Where(s => s.RunId == run.Id).Select(s => s.Status));
        Assert.Equal("nothing yet", await EvaluateAsync(session, "document.getElementById('out').textContent"));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Empty(state.PendingApprovals);
    }

    [Fact]
    public async Task Cancel_WhileTheModelIsAnswering_EndsTheRunCancelled()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http);
        Model.Plan(Call("snapshot"), HangUp());

        var run = await session.SendAsync("Look at the page, then think for a long time.");
        var hanging = await Model.WaitForRequestAsync(2);
        using var cancel = await session.PostAsync($"/agent/runs/{run.Id}/cancel", new { });
        var state = await session.WaitForEndAsync(run.Id);
        await hanging.Aborted.WaitAsync(TimeSpan.FromSeconds(30));
        using var twice = await session.PostAsync($"/agent/runs/{run.Id}/cancel", new { });

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("cancelled", state.Run!.State);
        Assert.Equal("user", state.Control.Holder);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(2, Model.Requests.Count);
    }

    [Fact]
    public async Task ToolError_GoesBackToTheModel_AndTheRunRecovers()
    {
        var url = _service.Pages.Page("/agent-run/recover", AgentPages.ControlsHtml);
        await using var session = await AgentClient.CreateAsync(_service.Http, url);
        Model.Plan(
            Call("click", new { description = "Frobnicate the quux button" }),
            Call("click", new { description = "Save button" }),
            Say("Saved."));

        var run = await session.SendAsync("Save the form.");
        var state = await session.WaitForEndAsync(run.Id);

        Assert.Equal("completed", state.Run!.State);
        Assert.StartsWith("Error:", Model.Requests[1].LastToolResult, StringComparison.Ordinal);
        Assert.Contains("button \"Save\"", Model.Requests[1].LastToolResult, StringComparison.Ordinal);
        Assert.Equal(["error", "ok"], state.Steps.Where(s => s.RunId == run.Id).Select(s => s.Status));
        Assert.Equal("saved", await EvaluateAsync(session, "document.getElementById('out').textContent"));
    }

    [Fact]
    public async Task ModelAnswers500_TheRunEndsWithAClearMessage_AndTheSessionKeepsWorking()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http);
        Model.Plan(Call("snapshot"), Error(500, "upstream exploded"));

        var run = await session.SendAsync("Look at the page.");
        var state = await session.WaitForEndAsync(run.Id);
        await session.ActAsync("snapshot");
        Model.Plan(Say("Hello again."));
        var next = await session.SendAsync("Are you there?");
        var after = await session.WaitForEndAsync(next.Id);

        Assert.Equal("failed", state.Run!.State);
        Assert.Contains("HTTP 500", state.Run.Message, StringComparison.Ordinal);
        Assert.Contains("upstream exploded", state.Run.Message, StringComparison.Ordinal);
        Assert.Equal("notice", state.Messages[^1].Role);
        Assert.Equal("user", state.Control.Holder);
        Assert.Equal("completed", after.Run!.State);
        Assert.Equal(3, Model.Requests.Count);
    }

    [Fact]
    public async Task StepLimit_StopsTheRunBeforeTheStepTooMany()
    {
        var url = _service.Pages.Page("/agent-run/limit", AgentPages.ControlsHtml);
        await using var session = await AgentClient.CreateAsync(_service.Http, url);
        for (var i = 0; i <= AgentServiceFixture.MaxSteps; i++)
        {
            Model.Plan(Call("scroll", new { direction = i % 2 == 0 ? "down" : "up" }));
        }

        var run = await session.SendAsync("Scroll forever.");
        var state = await session.WaitForEndAsync(run.Id);

        Assert.Equal("step_limit", state.Run!.State);
        Assert.Equal(AgentServiceFixture.MaxSteps, state.Run.Steps);
        Assert.Equal(AgentServiceFixture.MaxSteps, state.Steps.Count(s => s.RunId == run.Id));
        Assert.Equal(AgentServiceFixture.MaxSteps + 1, Model.Requests.Count);
        Assert.Equal("notice", state.Messages[^1].Role);
    }

    [Fact]
    public async Task SecondMessage_WhileARunIsActive_IsRefusedWith409()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http);
        Model.Plan(HangUp());

        var run = await session.SendAsync("Think.");
        await Model.WaitForRequestAsync(1);
        using var second = await session.PostAsync("/agent/messages", new { text = "And this?" });
        (await session.PostAsync($"/agent/runs/{run.Id}/cancel", new { })).Dispose();
        await session.WaitForEndAsync(run.Id);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task Model_SeesEveryToolAsAPluginFunction_WithEveryParameterDescribed()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http);
        Model.Plan(Say("Hi."));

        var run = await session.SendAsync("Hello");
        await session.WaitForEndAsync(run.Id);
        var request = Model.Requests[0];

        string[] expected =
        [
            "navigate", "snapshot", "click", "type", "select", "hover", "press", "scroll", "wait_for", "fill_form",
            "extract_data", "screenshot", "execute_script", "get_content", "tabs", "go_back", "go_forward", "ask_user",
        ];
        Assert.Equal(expected.Select(t => $"browser-{t}").Order(), request.ToolNames.Order());
        Assert.True(request.Stream);
        Assert.Equal("Bearer test", request.Authorization);
        Assert.Equal("scripted", request.Json["model"]!.GetValue<string>());
        foreach (var name in request.ToolNames)
        {
            var function = request.Tool(name);
            Assert.False(string.IsNullOrWhiteSpace(function["description"]?.GetValue<string>()), $"{name} has no description");
            foreach (var parameter in function["parameters"]!["properties"]!.AsObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter.Value!["description"]?.GetValue<string>()), $"{name}.{parameter.Key} has no description");
            }
        }

        var navigate = request.Tool("browser-navigate")["parameters"]!;
        Assert.Equal(["url"], navigate["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.NotNull(navigate["properties"]!["wait_until"]);
    }

    private static string TabId(string tabsResult, string title) =>
        Regex.Match(tabsResult, $@"(?<id>[a-z0-9]{{8}})(?: \(active\))? ""{Regex.Escape(title)}""").Groups["id"].Value;

    /// <summary>The content between a tool result's boundary markers.</summary>
    private static string Unwrap(string result)
    {
        var start = result.IndexOf('\n', StringComparison.Ordinal) + 1;
        var end = result.LastIndexOf("\n<<<END_PAGE_CONTENT", StringComparison.Ordinal);
        return result[start..end];
    }

    private async Task<string> EvaluateAsync(AgentClient session, string expression) =>
        await _service.Sessions.Find(session.SessionId)!.ActiveTab.Page.EvaluateAsync<string>($"() => {expression}");

    [GeneratedRegex("<<<PAGE_CONTENT nonce=(?<nonce>[0-9a-f]+)>>>")]
    private static partial Regex MarkerNonce();
}
