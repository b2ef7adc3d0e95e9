using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Workflows.Authoring;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.Workflows;

/// <summary>Workflows made from a chat run (the scripted model's successful steps) and from recorded actions.</summary>
[Collection(AgentServiceCollection.Name)]
public sealed class WorkflowAuthoringTests : IDisposable
{
    private const string Schema = """
        {"type": "array", "items": {"type": "object", "properties": {"product": {"type": "string"}, "price": {"type": "number"}}, "required": ["product", "price"]}, "minItems": 1}
        """;

    private readonly AgentServiceFixture _service;

    public WorkflowAuthoringTests(AgentServiceFixture service)
    {
        _service = service;
        service.Model.Reset();
    }

    public void Dispose() => Assert.Equal(0, _service.Model.Unplanned);

    [Fact]
    public async Task FromRun_SuccessfulStepsByDescription_MakeAWorkflowThatRunsWithoutTheModel()
    {
        using var http = TestIdentity.ClientFor(_service.BaseAddress, "author-chat");
        using var other = TestIdentity.ClientFor(_service.BaseAddress, "author-someone-else");
        var shop = Shop("/authoring/shop");
        await using var session = await AgentClient.CreateAsync(http);
        _service.Model.Plan(
            Call("navigate", new { url = shop.ToString() }),
            Call("snapshot"),
            Call("fill_form", new { fields = new Dictionary<string, string> { ["Search"] = "lamp" } }),
            Call("click", new { description = "Search button" }),
            Call("click", new { @ref = "e999" }),
            Call("extract_data", new { schema = Schema }),
            Say("Found the lamps."));
        var run = await session.SendAsync("Find lamps in the shop and list their prices");
        var state = await session.WaitForEndAsync(run.Id);
        Assert.Contains(state.Steps, s => s.Tool == "click" && s.Status == "error");

        using (var refused = await other.PostAsJsonAsync("/api/workflows/from-run", new WorkflowFromRunRequest(session.SessionId, run.Id, null)))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        using var response = await http.PostAsJsonAsync("/api/workflows/from-run", new WorkflowFromRunRequest(session.SessionId, run.Id, null));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var workflow = (await response.Content.ReadFromJsonAsync<WorkflowDto>())!;
        Assert.Equal("author-chat", workflow.Owner);
        Assert.Equal("Find lamps in the shop and list their prices", workflow.Definition.Name);

        // The snapshot (reading for the model) and the failed click are not steps; the click is by description.
        var steps = workflow.Definition.Steps!.Select(s => JsonNode.Parse(s.GetRawText())!.AsObject()).ToList();
        Assert.Equal(["navigate", "fill_form", "click", "extract_data"], steps.Select(s => s["action"]!.GetValue<string>()));
        Assert.Equal("Search button", steps[2]["description"]!.GetValue<string>());
        Assert.DoesNotContain(steps, s => s.ContainsKey("ref"));
        Assert.Equal("data", steps[3]["name"]!.GetValue<string>());

        // It runs on its own, in a new session.
        using var start = await http.PostAsJsonAsync($"/api/workflows/{workflow.Id}/runs", new WorkflowRunRequest(null));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var started = (await start.Content.ReadFromJsonAsync<WorkflowRunDto>())!;
        var done = await Eventually.ValueAsync(
            async () => (await http.GetFromJsonAsync<WorkflowRunDto>($"/api/workflow-runs/{started.Id}"))!,
            r => WorkflowRunStatuses.IsFinal(r.Status),
            "the made workflow's run to end",
            TimeSpan.FromMinutes(2),
            r => $"{r.Status}: {r.Error}");
        Assert.True(done.Status == WorkflowRunStatuses.Completed, done.Error);
        var products = done.Outputs.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("product").GetString()).ToList();
        Assert.Equal(["Desk lamp", "Floor lamp"], products);
        await http.DeleteAsync($"/api/sessions/{done.SessionId}");
    }

    [Fact]
    public async Task FromRun_NoSuchSessionOrNothingRepeatable_IsRefusedClearly()
    {
        using var http = TestIdentity.ClientFor(_service.BaseAddress, "author-nothing");
        using (var missing = await http.PostAsJsonAsync("/api/workflows/from-run", new WorkflowFromRunRequest(null, null, null)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        }

        await using var session = await AgentClient.CreateAsync(http);
        _service.Model.Plan(Call("snapshot"), Say("It is a blank page."));
        var run = await session.SendAsync("What is on the page?");
        await session.WaitForEndAsync(run.Id);

        using var response = await http.PostAsJsonAsync("/api/workflows/from-run", new WorkflowFromRunRequest(session.SessionId, run.Id, "Nothing"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no successful steps", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void StepDrafts_RecordedActions_BecomeStepsByDescriptionWithTabs()
    {
        var drafts = new StepDrafts();
        drafts.Add("navigate", Args(new { url = "http://shop.test/" }), "Opened http://shop.test/");
        drafts.Add("snapshot", null, "Read the page");
        drafts.Add("type", Args(new { @ref = "e5", text = "bob", submit = true }), "Typed \"bob\" into textbox \"User name\" [ref=e5] and pressed Enter");
        drafts.Add("click", Args(new { @ref = "e8" }), "Clicked button \"Log \\\"in\\\"\" [ref=e8]");
        drafts.Add("select", Args(new { @ref = "e9", value = "XL" }), "Selected \"XL\" in combobox \"Size\" [ref=e9]");
        drafts.Add("click", Args(new { @ref = "e3" }), "Clicked [ref=e3]");
        drafts.Add("scroll", Args(new { @ref = "e4" }), "Scrolled [ref=e4] into view");
        drafts.Add("open_tab", Args(new { url = "http://shop.test/help" }), "Opened a tab");
        drafts.Add("switch_tab", Args(new { tab_id = "t2" }), "Switched tab");
        drafts.Add("close_tab", Args(new { tab_id = "t2" }), "Closed tab");
        drafts.Add("extract_data", Args(new { schema = Schema }), "Extracted 2");

        Assert.Equal(
            [
                """{"action":"navigate","url":"http://shop.test/"}""",
                """{"action":"type","description":"User name field","text":"bob","submit":true}""",
                """{"action":"click","description":"Log \u0022in\u0022 button"}""",
                """{"action":"select","description":"Size dropdown","value":"XL"}""",
                """{"action":"tabs","tab_action":"open","url":"http://shop.test/help"}""",
                """{"action":"tabs","tab_action":"switch","tab_id":"t2"}""",
                """{"action":"tabs","tab_action":"close"}""",
            ],
            drafts.Steps.Take(7).Select(s => s.ToJsonString()));
        Assert.Equal("data", drafts.Steps[7]["name"]!.GetValue<string>());
        Assert.IsType<JsonObject>(drafts.Steps[7]["schema"]);
        Assert.Equal(2, drafts.LeftOut.Count);
        Assert.Contains("only by ref", drafts.LeftOut[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Clicked button \"Search\" [ref=e13]", "Search button")]
    [InlineData("Typed \"a into b\" into searchbox \"Find\" [ref=e2]", "Find search box")]
    [InlineData("Hovered over link \"Menu\"", "Menu link")]
    [InlineData("Pressed Enter in textbox \"Q\" [ref=e1]", "Q field")]
    [InlineData("Clicked generic \"Card\" [ref=e4]", "Card")]
    [InlineData("Clicked [ref=e3]", null)]
    [InlineData("Clicked textbox [ref=e3]", null)]
    public void ElementNames_FromSummary_DescribesTheElementNotItsRef(string summary, string? expected)
    {
        Assert.Equal(expected, ElementNames.FromSummary(summary));
    }

    private static JsonObject Args(object value) => JsonSerializer.SerializeToNode(value)!.AsObject();

    /// <summary>A shop: a search box and button; the results as a table.</summary>
    private Uri Shop(string path) => _service.Pages.Handle(path, async context =>
    {
        var query = context.Request.Query["q"].ToString();
        var rows = query == "lamp" ? "<tr><td>Desk lamp</td><td>$25.00</td></tr><tr><td>Floor lamp</td><td>$80.00</td></tr>" : "";
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($"""
            <!doctype html><title>Shop</title>
            <form method="get" action="{path}"><label>Search <input name="q" value="{WebUtility.HtmlEncode(query)}"></label><button type="submit">Search</button></form>
            <table><thead><tr><th>Product</th><th>Price</th></tr></thead><tbody>{rows}</tbody></table>
            """);
    });
}
