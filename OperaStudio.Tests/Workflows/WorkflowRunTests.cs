using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>
/// Workflow runs against real pages in real sessions: the issue's "Research Product Pricing" example end to end, steps
/// as workflow step cards in the session's chat, and an element description re-grounded by the (scripted) model.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed partial class WorkflowRunTests(AgentServiceFixture service)
{
    private readonly WorkflowTestClient _client = new(service.Http);

    [Fact]
    public async Task ResearchProductPricing_SearchesBothShops_AndTheComparisonNamesTheCheaperShopPerProduct()
    {
        service.Model.Reset();
        var (shopA, shopB) = ShopSites.Serve(service.Pages, "pricing");
        var workflow = await _client.CreateAsync(ShopSites.PricingWorkflow(shopA, shopB));

        var started = await _client.StartAsync(workflow.Id, new { query = "wireless headphones" });
        var run = await _client.WaitForEndAsync(started.Id);

        try
        {
            Assert.True(run.Status == WorkflowRunStatuses.Completed, WorkflowTestClient.Describe(run));
            Assert.Equal(workflow.Version, run.WorkflowVersion);
            Assert.All(run.Steps, step => Assert.Equal(WorkflowStepStatuses.Ok, step.Status));
            Assert.Equal("wireless headphones", run.Inputs.GetProperty("query").GetString());
            // fill_form ran with the placeholder filled in.
            Assert.Equal("wireless headphones", run.Steps[1].Arguments.GetProperty("fields").GetProperty("Search").GetString());

            var a = run.Outputs.GetProperty("shopA");
            var b = run.Outputs.GetProperty("shopB");
            Assert.Equal(2, a.GetArrayLength());
            Assert.Equal(2, b.GetArrayLength());
            Assert.Equal(199.0, a.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Wireless Headphones Pro").GetProperty("price").GetDouble());
            Assert.Equal(179.5, b.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Wireless Headphones Pro").GetProperty("price").GetDouble());

            var comparison = run.Steps[^1].Output!.Value.Deserialize<ComparisonDto>(JsonSerializerOptions.Web)!;
            Assert.Equal(["shopA", "shopB"], comparison.Of);
            Assert.Equal(2, comparison.Rows.Count);
            Assert.Equal("shopB", CheaperShop(comparison, "Pro"));
            Assert.Equal("shopA", CheaperShop(comparison, "Lite"));

            // Each step showed in the session's chat as a step card from the workflow.
            var state = (await service.Http.GetFromJsonAsync<AgentStateDto>($"/api/sessions/{run.SessionId}/agent"))!;
            var cards = state.Steps.Where(s => s.Source == "workflow").Select(s => s.Tool).ToList();
            Assert.Contains("extract_data", cards);
            Assert.Contains("fill_form", cards);
            Assert.Equal("user", state.Control.Holder);
        }
        finally
        {
            await _client.CloseSessionAsync(run.SessionId);
        }
    }

    [Fact]
    public async Task Click_ByADescriptionThePageDoesNotResolve_IsRegroundedByTheModel_AndTheRunSaysSo()
    {
        service.Model.Reset();
        var page = service.Pages.Page("/workflows/reground", """
            <!doctype html><title>Finder</title><h1>Finder</h1>
            <input aria-label="Query">
            <button onclick="document.getElementById('out').textContent = 'Searched'">Go</button>
            <button onclick="document.getElementById('out').textContent = 'Reset'">Clear</button>
            <p id="out"></p>
            """);
        string? chosen = null;
        service.Model.Plan(request =>
        {
            chosen = GoButton().Match(request.LastUserMessage).Groups[1].Value;
            return ScriptedReply.Say(chosen);
        });
        var workflow = await _client.CreateAsync($$"""
            { "name": "Reground", "steps": [
                { "action": "navigate", "url": "{{page}}" },
                { "action": "click", "description": "magnifier icon" },
                { "action": "wait_for", "text": "Searched", "timeout_ms": 10000 } ] }
            """);

        var run = await _client.WaitForEndAsync((await _client.StartAsync(workflow.Id)).Id);

        try
        {
            Assert.True(run.Status == WorkflowRunStatuses.Completed, WorkflowTestClient.Describe(run));
            Assert.False(string.IsNullOrEmpty(chosen));
            Assert.Contains("magnifier icon", service.Model.Requests.Single().LastUserMessage, StringComparison.Ordinal);
            Assert.Contains(chosen!, run.Steps[1].Regrounded, StringComparison.Ordinal);
            Assert.Null(run.Steps[0].Regrounded);
        }
        finally
        {
            await _client.CloseSessionAsync(run.SessionId);
        }
    }

    [Fact]
    public async Task AskUser_WaitsForThePerson_TheirDoneGoesOn_AndAnAgentStepCarriesOutItsInstruction()
    {
        service.Model.Reset();
        var page = service.Pages.Page("/workflows/ask-and-agent", """
            <!doctype html><title>Terms</title><h1>Terms</h1>
            <label><input type="checkbox" id="agree" onchange="document.getElementById('go').hidden = !this.checked"> I agree</label>
            <button id="go" hidden onclick="document.getElementById('out').textContent = 'Welcome aboard'">Continue</button>
            <p id="out"></p>
            """);
        service.Model.Plan(
            ScriptedReply.Call("click", new { description = "Continue button" }),
            ScriptedReply.Say("Clicked Continue."));
        var workflow = await _client.CreateAsync($$"""
            { "name": "Ask then agent", "steps": [
                { "action": "navigate", "url": "{{page}}" },
                { "action": "ask_user", "question": "Please accept the terms, then say done." },
                { "action": "agent", "name": "agent", "instruction": "Click the Continue button." },
                { "action": "wait_for", "text": "Welcome aboard", "timeout_ms": 10000 } ] }
            """);
        var started = await _client.StartAsync(workflow.Id);

        var waiting = await Eventually.ValueAsync(
            () => _client.RunAsync(started.Id), r => r.Status == WorkflowRunStatuses.WaitingForUser || WorkflowRunStatuses.IsFinal(r.Status),
            "the run to wait for the person", WorkflowTestClient.Patience, WorkflowTestClient.Describe);
        try
        {
            Assert.True(waiting.Status == WorkflowRunStatuses.WaitingForUser, WorkflowTestClient.Describe(waiting));
            Assert.Equal(WorkflowStepStatuses.WaitingForUser, waiting.Steps[1].Status);
            var session = new Agent.AgentClient(service.Http, started.SessionId!);
            await session.ActAsync("click", new { text = "I agree" });
            using (var done = await session.PostAsync("/agent/resume", new { text = "done" }))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, done.StatusCode);
            }

            var run = await _client.WaitForEndAsync(started.Id);

            Assert.True(run.Status == WorkflowRunStatuses.Completed, WorkflowTestClient.Describe(run));
            Assert.Contains("done", run.Steps[1].Output!.Value.GetString(), StringComparison.Ordinal);
            Assert.Equal("Clicked Continue.", run.Outputs.GetProperty("agent").GetString());
            Assert.Equal(2, service.Model.Requests.Count);
            Assert.Contains("Click the Continue button.", service.Model.Requests[0].LastUserMessage, StringComparison.Ordinal);
        }
        finally
        {
            await _client.CloseSessionAsync(started.SessionId);
        }
    }

    [Fact]
    public async Task Changed_ComparesOutputsWithThePreviousCompletedRunWithTheSameInputs()
    {
        var price = "12.00";
        var page = service.Pages.Handle("/workflows/changed", context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(
                context.Response, $"<!doctype html><title>Price</title><dl><dt>Price</dt><dd>{Volatile.Read(ref price)}</dd></dl>");
        });
        var workflow = await _client.CreateAsync($$$"""
            { "name": "Watch a price", "parameters": [ { "name": "item", "default": "a" } ], "steps": [
                { "action": "navigate", "url": "{{{page}}}?item={{item}}" },
                { "action": "extract_data", "name": "price",
                  "schema": { "type": "object", "properties": { "price": { "type": "number" } }, "required": ["price"] } } ] }
            """);

        async Task<WorkflowRunDto> RunAsync(string item)
        {
            var run = await _client.WaitForEndAsync((await _client.StartAsync(workflow.Id, new { item })).Id);
            await _client.CloseSessionAsync(run.SessionId);
            Assert.True(run.Status == WorkflowRunStatuses.Completed, WorkflowTestClient.Describe(run));
            return run;
        }

        var first = await RunAsync("a");
        var same = await RunAsync("a");
        var otherInputs = await RunAsync("b");
        Volatile.Write(ref price, "13.50");
        var changed = await RunAsync("a");

        Assert.Null(first.Changed);
        Assert.False(same.Changed);
        Assert.Null(otherInputs.Changed);
        Assert.True(changed.Changed);
        Assert.Equal(13.5, changed.Outputs.GetProperty("price").GetProperty("price").GetDouble());
    }

    /// <summary>The shop with the best (lowest) price in the row whose key mentions <paramref name="product"/>.</summary>
    private static string CheaperShop(ComparisonDto comparison, string product) =>
        comparison.Rows.Single(r => r.Key.Contains(product, StringComparison.OrdinalIgnoreCase)).Best.Single(b => b.Field == "price").Step;

    [GeneratedRegex(@"button ""Go"" \[ref=((?:f\d+)?e\d+)\]")]
    private static partial Regex GoButton();
}
