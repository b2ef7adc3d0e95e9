using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
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
    public async Task Run_LogsInThroughAForm_SecretNeverReachesTheModel()
    {
        const string secret = "S3cret-Value-42!";
        string? received = null;
        var login = AgentPages.Login(_service.Pages, "/agent-run/login", secret, p => received = p);
        await using var session = await AgentClient.CreateAsync(_service.Http);
        using (var put = await session.Http.PutAsJsonAsync($"/api/sessions/{session.SessionId}/secrets/site_password", new { value = secret }))
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

    [GeneratedRegex("<<<PAGE_CONTENT nonce=(?<nonce>[0-9a-f]+)>>>")]
    private static partial Regex MarkerNonce();
}
