using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using OperaStudio.BrowserService.Agent.Snapshots;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Agent;

/// <summary>
/// The actions API: every tool without a model, through the same code as the agent's (policy, approvals, step
/// log), against real pages. Bad input answers {ok: false, error} with the reason and changes nothing.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed partial class ActionsApiTests(AgentServiceFixture service)
{
    private TestPageServer Pages => service.Pages;

    [Fact]
    public async Task Navigate_OpensThePage_AndReturnsItsUrlAndTitle()
    {
        var url = Pages.Page("/actions/navigate", "<!doctype html><title>Navigated</title><h1>here</h1>");
        await using var session = await AgentClient.CreateAsync(service.Http);

        var result = await session.ActAsync("navigate", new { url = url.ToString(), wait_until = "domcontentloaded" });

        Assert.Equal(url.ToString(), result.GetProperty("url").GetString());
        Assert.Equal("Navigated", result.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    public async Task Navigate_UrlThePolicyRefuses_IsAnErrorAndTheTabExplainsIt(string url)
    {
        await using var session = await AgentClient.CreateAsync(service.Http);

        var (status, response) = await session.ActionAsync("navigate", new { url });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(response.Ok);
        Assert.Contains("URL policy", response.Error, StringComparison.Ordinal);
        Assert.Equal("Blocked", service.Sessions.Find(session.SessionId)!.ActiveTab.ToDto().Title);
    }

    [Fact]
    public async Task Snapshot_ReturnsTheTreeWithRefs_AndMasksPasswords()
    {
        var url = AgentPages.Login(Pages, "/actions/snapshot", "pw");
        await using var session = await AgentClient.CreateAsync(service.Http, url);
        var before = (await session.ActAsync("snapshot")).GetString()!;
        await session.ActAsync("type", new { @ref = RefOf(before, "textbox \"Password\""), text = "hunter2" });

        var snapshot = (await session.ActAsync("snapshot")).GetString()!;

        Assert.Matches(@"button ""Log in"" \[ref=(f\d+)?e\d+\]", snapshot);
        Assert.Matches(@"textbox ""Username"" \[ref=(f\d+)?e\d+\]", snapshot);
        Assert.DoesNotContain("hunter2", snapshot, StringComparison.Ordinal);
        Assert.Contains("••••••", snapshot, StringComparison.Ordinal);
        Assert.StartsWith("Page: \"Sign in\"", snapshot, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snapshot_OfABigPage_IsTrimmedForTheModel_AndWholeForTheApi()
    {
        var html = "<!doctype html><title>Catalog</title><h1>Catalog</h1>"
            + string.Concat(Enumerable.Range(0, 300).Select(i => $"<a href='/p/{i}'>Product number {i} with a fairly long descriptive name</a><br>"))
            + "<table>" + string.Concat(Enumerable.Range(0, 1000).Select(i => $"<tr><td>Row {i}</td><td>{i * 3}</td><td><button>Buy {i}</button></td></tr>")) + "</table>"
            + string.Concat(Enumerable.Range(0, 200).Select(i => $"<p>Paragraph {i} lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor.</p>"));
        var url = Pages.Page("/actions/big", html);
        await using var session = await AgentClient.CreateAsync(service.Http, url);

        var full = (await session.ActAsync("snapshot")).GetString()!;
        var step = (await session.StateAsync()).Steps[^1];
        var sizes = SnapshotSizes().Match(step.Summary!);
        await session.ActAsync("click", new { description = "Buy 777 button" });
        var forModel = SnapshotTrimmer.Trim(AriaSnapshotParser.Parse(full[(full.IndexOf('\n', StringComparison.Ordinal) + 1)..]), 16_000).Text;
        TestContext.Current.TestOutputHelper?.WriteLine($"Big page: {full.Length} characters from the API; for the model: {step.Summary}");

        Assert.True(full.Length > 100_000, $"full snapshot: {full.Length} characters");
        Assert.True(sizes.Success, step.Summary);
        Assert.Equal(full.Length - full.IndexOf('\n', StringComparison.Ordinal) - 1, int.Parse(sizes.Groups["full"].Value));
        Assert.True(int.Parse(sizes.Groups["sent"].Value) <= 16_000, step.Summary);
        Assert.Contains("button \"Buy 999\"", full, StringComparison.Ordinal);
        Assert.Contains("heading \"Catalog\"", forModel, StringComparison.Ordinal);
        Assert.Matches(@"button ""Buy 0"" \[ref=", forModel);
        Assert.Matches(@"… \d+ more row items", forModel);
        Assert.Matches(@"… \d+ more link items", forModel);
    }

    [Fact]
    public async Task Click_ByRef_ClicksThatElement()
    {
        await using var session = await ControlsAsync("/actions/click-ref");
        var snapshot = (await session.ActAsync("snapshot")).GetString()!;

        var result = await session.ActAsync("click", new { @ref = RefOf(snapshot, "button \"Save\"") });

        Assert.Contains("Clicked", result.GetString(), StringComparison.Ordinal);
        Assert.Equal("saved", await TextAsync(session, "#out"));
    }

    [Fact]
    public async Task Click_ByDescription_ResolvesItAgainstTheSnapshot()
    {
        await using var session = await ControlsAsync("/actions/click-description");

        var result = await session.ActAsync("click", new { description = "the Save button" });

        Assert.Matches(@"button ""Save"" \[ref=(f\d+)?e\d+\]", result.GetString());
        Assert.Equal("saved", await TextAsync(session, "#out"));
    }

    [Fact]
    public async Task Click_AmbiguousDescription_ListsTheCandidatesAndClicksNothing()
    {
        await using var session = await ControlsAsync("/actions/click-ambiguous");

        var (status, response) = await session.ActionAsync("click", new { description = "Delete button" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(response.Ok);
        Assert.Contains("ambiguous", response.Error, StringComparison.Ordinal);
        Assert.Equal(2, RefMention().Count(response.Error!));
        Assert.Equal("nothing yet", await TextAsync(session, "#out"));
    }

    [Fact]
    public async Task Click_UnknownRef_SaysToTakeANewSnapshot()
    {
        await using var session = await ControlsAsync("/actions/click-stale");

        var (_, response) = await session.ActionAsync("click", new { @ref = "e9999" });

        Assert.False(response.Ok);
        Assert.Contains("new snapshot", response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Type_FillsTheInput_AndSubmitPressesEnter()
    {
        await using var session = await ControlsAsync("/actions/type");
        var snapshot = (await session.ActAsync("snapshot")).GetString()!;

        await session.ActAsync("type", new { @ref = RefOf(snapshot, "textbox \"Full name\""), text = "Ada Lovelace", submit = true });

        Assert.Equal("entered Ada Lovelace", await TextAsync(session, "#out"));
    }

    [Fact]
    public async Task Select_ChoosesTheOption()
    {
        await using var session = await ControlsAsync("/actions/select");
        var snapshot = (await session.ActAsync("snapshot")).GetString()!;

        await session.ActAsync("select", new { @ref = RefOf(snapshot, "combobox \"Color\""), value = "Green" });

        Assert.Equal("g", await EvaluateAsync(session, "document.getElementById('color').value"));
    }

    [Fact]
    public async Task Hover_MovesThePointerOverTheElement()
    {
        await using var session = await ControlsAsync("/actions/hover");
        var snapshot = (await session.ActAsync("snapshot")).GetString()!;

        await session.ActAsync("hover", new { @ref = RefOf(snapshot, "button \"Hover me\"") });

        Assert.Equal("hovered", await TextAsync(session, "#out"));
    }

    [Fact]
    public async Task Press_SendsTheKeyToTheElement()
    {
        await using var session = await ControlsAsync("/actions/press");
        var snapshot = (await session.ActAsync("snapshot")).GetString()!;
        var name = RefOf(snapshot, "textbox \"Full name\"");
        await session.ActAsync("type", new { @ref = name, text = "Grace" });

        await session.ActAsync("press", new { key = "Enter", @ref = name });

        Assert.Equal("entered Grace", await TextAsync(session, "#out"));
    }

    [Fact]
    public async Task Scroll_MovesThePage_AndBringsAnElementIntoView()
    {
        await using var session = await ControlsAsync("/actions/scroll");

        await session.ActAsync("scroll", new { direction = "down" });
        var afterDown = await EvaluateAsync(session, "String(scrollY)");
        await session.ActAsync("scroll", new { direction = "top" });
        var snapshot = (await session.ActAsync("snapshot")).GetString()!;
        await session.ActAsync("scroll", new { @ref = RefOfLineWith(snapshot, "The end") });

        Assert.True(int.Parse(afterDown) > 100, afterDown);
        Assert.True(int.Parse(await EvaluateAsync(session, "String(scrollY)")) > 1000);
    }

    [Fact]
    public async Task WaitFor_TextThatAppearsLater_ReturnsOnceItIsThere()
    {
        await using var session = await ControlsAsync("/actions/wait");
        await session.ActAsync("click", new { description = "Load more button" });

        var result = await session.ActAsync("wait_for", new { text = "Loaded later" });
        await session.ActAsync("wait_for", new { ms = 10 });

        Assert.Contains("Loaded later", result.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FillForm_FillsFieldsByLabel_WithSecretsPutIn()
    {
        await using var session = await ControlsAsync("/actions/fill");
        var site = Pages.BaseAddress.GetLeftPart(UriPartial.Authority);
        using (await session.Http.PutAsJsonAsync($"/api/sessions/{session.SessionId}/secrets/full_name", new { value = "Secret Name", origins = new[] { site } }))
        {
        }

        // Not a password field: the secret goes in once the user approves (see SecretBindingTests for the rules).
        var fill = session.ActionAsync("fill_form", new { fields = new Dictionary<string, object> { ["Full name"] = "{{secret:full_name}}", ["Color"] = "Blue", ["I agree"] = true } });
        (await session.DecideAsync((await session.WaitForApprovalAsync()).Id, approve: true)).Dispose();
        Assert.True((await fill).Response.Ok);

        Assert.Equal("Secret Name", await EvaluateAsync(session, "document.getElementById('name').value"));
        Assert.Equal("b", await EvaluateAsync(session, "document.getElementById('color').value"));
        Assert.Equal("true", await EvaluateAsync(session, "String(document.getElementById('agree').checked)"));
    }

    [Fact]
    public async Task FillForm_UnknownLabel_FillsNothingAndNamesTheFields()
    {
        await using var session = await ControlsAsync("/actions/fill-unknown");

        var (_, response) = await session.ActionAsync("fill_form", new { fields = new Dictionary<string, string> { ["Nickname"] = "x", ["Color"] = "Blue" } });

        Assert.False(response.Ok);
        Assert.Contains("Nickname", response.Error, StringComparison.Ordinal);
        Assert.Contains("Full name", response.Error, StringComparison.Ordinal);
        Assert.Equal("r", await EvaluateAsync(session, "document.getElementById('color').value"));
    }

    [Fact]
    public async Task ExtractData_TableIntoSchema_ReturnsJsonThatValidates()
    {
        var url = Pages.Page("/actions/extract", AgentPages.ProductsHtml);
        await using var session = await AgentClient.CreateAsync(service.Http, url);

        var result = await session.ActAsync("extract_data", new { schema = JsonDocument.Parse(AgentPages.ProductsSchema).RootElement });

        Assert.True(JsonSchema.FromText(AgentPages.ProductsSchema).Evaluate(result).IsValid, result.GetRawText());
        Assert.Equal(3, result.GetArrayLength());
        Assert.Equal(12.0, result[2].GetProperty("price").GetDouble());
        Assert.True(result[2].GetProperty("in_stock").GetBoolean());
    }

    [Fact]
    public async Task ExtractData_LabelledValuesIntoAnObject()
    {
        var url = Pages.Page("/actions/extract-object", """
            <!doctype html><title>Order</title>
            <dl><dt>Order number</dt><dd>A-1001</dd><dt>Total</dt><dd>€ 1,234.50</dd></dl>
            <p>Status: shipped</p>
            """);
        await using var session = await AgentClient.CreateAsync(service.Http, url);
        const string schema = """
            {"type":"object","properties":{"order_number":{"type":"string","title":"Order number"},"total":{"type":"number"},
             "status":{"enum":["pending","shipped"]}},"required":["order_number","total","status"]}
            """;

        var result = await session.ActAsync("extract_data", new { schema });

        Assert.Equal("A-1001", result.GetProperty("order_number").GetString());
        Assert.Equal(1234.5, result.GetProperty("total").GetDouble());
        Assert.Equal("shipped", result.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ExtractData_PageDataNotMatchingTheSchema_SaysWhy()
    {
        var url = Pages.Page("/actions/extract-invalid", AgentPages.ProductsHtml);
        await using var session = await AgentClient.CreateAsync(service.Http, url);
        const string schema = """
            {"type":"array","items":{"type":"object","properties":{"product":{"type":"string","title":"Product name"},"sku":{"type":"string"}},"required":["product","sku"]}}
            """;

        var (_, response) = await session.ActionAsync("extract_data", new { schema });
        var (_, invalid) = await session.ActionAsync("extract_data", new { schema = "{\"type\": 5}" });

        Assert.False(response.Ok);
        Assert.Contains("does not validate", response.Error, StringComparison.Ordinal);
        Assert.Contains("sku", response.Error, StringComparison.Ordinal);
        Assert.False(invalid.Ok);
        Assert.Contains("not a valid JSON Schema", invalid.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Screenshot_OfThePageAndOfAnElement_AreJpegs()
    {
        await using var session = await ControlsAsync("/actions/screenshot");

        var page = await session.ActAsync("screenshot", new { full_page = true });
        var element = await session.ActAsync("screenshot", new { element_description = "Save button" });
        var image = Convert.FromBase64String(page.GetProperty("image").GetString()!);

        Assert.True(image is [0xFF, 0xD8, ..], "not a JPEG");
        Assert.True(page.GetProperty("height").GetInt32() > 3000);
        Assert.True(element.GetProperty("width").GetInt32() < 200);
        Assert.Equal("image/jpeg", page.GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task ExecuteScript_WaitsForApproval_ApprovedReturnsTheValue()
    {
        await using var session = await ControlsAsync("/actions/script-approved");

        var call = session.ActionAsync("execute_script", new { script = "return [document.title, 6 * 7];" });
        var approval = await session.WaitForApprovalAsync();
        (await session.DecideAsync(approval.Id, approve: true)).Dispose();
        var (status, response) = await call;

        Assert.Equal("execute_script", approval.Kind);
        Assert.Equal("actions", approval.Source);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(response.Ok, response.Error);
        Assert.Equal("[\"Controls\",42]", response.Result!.Value.GetRawText());
    }

    [Fact]
    public async Task ExecuteScript_Denied_DoesNotRun()
    {
        await using var session = await ControlsAsync("/actions/script-denied");

        var call = session.ActionAsync("execute_script", new { script = "document.getElementById('out').textContent = 'ran'" });
        var approval = await session.WaitForApprovalAsync();
        (await session.DecideAsync(approval.Id, approve: false)).Dispose();
        var (_, response) = await call;

        Assert.False(response.Ok);
        Assert.Equal("denied", response.Error);
        Assert.Equal("nothing yet", await TextAsync(session, "#out"));
    }

    [Theory]
    [InlineData("text", "Full name")]
    [InlineData("html", "<label for=\"name\">Full name</label>")]
    [InlineData("markdown", "# Controls")]
    public async Task GetContent_InEachFormat(string format, string expected)
    {
        await using var session = await ControlsAsync($"/actions/content-{format}");

        var result = await session.ActAsync("get_content", new { format });

        Assert.Contains(expected, result.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tabs_ListOpenSwitchAndClose()
    {
        var first = Pages.Page("/actions/tabs-1", "<!doctype html><title>One</title>");
        var second = Pages.Page("/actions/tabs-2", "<!doctype html><title>Two</title>");
        await using var session = await AgentClient.CreateAsync(service.Http, first);

        var listed = await session.ActAsync("tabs", new { action = "list" });
        var opened = await session.ActAsync("tabs", new { action = "open", url = second.ToString() });
        var firstId = listed[0].GetProperty("id").GetString();
        var switched = await session.ActAsync("tabs", new { action = "switch", tab_id = firstId });
        var secondId = opened.EnumerateArray().First(t => t.GetProperty("title").GetString() == "Two").GetProperty("id").GetString();
        var closed = await session.ActAsync("tabs", new { action = "close", tab_id = secondId });
        var (_, missing) = await session.ActionAsync("tabs", new { action = "switch", tab_id = "nope" });

        Assert.Equal(1, listed.GetArrayLength());
        Assert.Equal(2, opened.GetArrayLength());
        Assert.True(opened.EnumerateArray().Single(t => t.GetProperty("active").GetBoolean()).GetProperty("title").GetString() == "Two");
        Assert.True(switched.EnumerateArray().Single(t => t.GetProperty("active").GetBoolean()).GetProperty("id").GetString() == firstId);
        Assert.Equal(firstId, Assert.Single(closed.EnumerateArray()).GetProperty("id").GetString());
        Assert.False(missing.Ok);
    }

    [Fact]
    public async Task GoBackAndGoForward_MoveThroughTheTabsHistory()
    {
        var first = Pages.Page("/actions/history-1", "<!doctype html><title>One</title>");
        var second = Pages.Page("/actions/history-2", "<!doctype html><title>Two</title>");
        await using var session = await AgentClient.CreateAsync(service.Http, first);
        await session.ActAsync("navigate", new { url = second.ToString() });

        var back = await session.ActAsync("go_back");
        var forward = await session.ActAsync("go_forward");
        var (_, tooFar) = await session.ActionAsync("go_forward");

        Assert.Contains(first.ToString(), back.GetString(), StringComparison.Ordinal);
        Assert.Contains(second.ToString(), forward.GetString(), StringComparison.Ordinal);
        Assert.False(tooFar.Ok);
        Assert.Contains("no later page", tooFar.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTool_IsABadRequestNamingTheTools()
    {
        await using var session = await AgentClient.CreateAsync(service.Http);

        var (status, response) = await session.ActionAsync("teleport", new { });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(response.Ok);
        Assert.Contains("Unknown tool 'teleport'", response.Error, StringComparison.Ordinal);
        Assert.Contains("navigate", response.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("navigate", "{}", "needs 'url'")]
    [InlineData("navigate", "{\"url\": 42}", "must be a non-empty string")]
    [InlineData("click", "{}", "exactly one of ref, description")]
    [InlineData("click", "{\"ref\": \"e1\", \"description\": \"Save\"}", "exactly one of ref, description")]
    [InlineData("click", "{\"selector\": \"#save\"}", "no argument 'selector'")]
    [InlineData("wait_for", "{\"ms\": \"soon\"}", "whole number")]
    [InlineData("type", "{\"ref\": \"e1\", \"text\": \"x\", \"submit\": \"yes\"}", "true or false")]
    [InlineData("fill_form", "{\"fields\": []}", "object of label")]
    [InlineData("snapshot", "[1, 2]", "must be a JSON object")]
    public async Task BadArguments_AreABadRequestSayingWhy(string tool, string args, string reason)
    {
        await using var session = await AgentClient.CreateAsync(service.Http);

        var (status, response) = await session.ActionAsync(tool, JsonDocument.Parse(args).RootElement);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(response.Ok);
        Assert.Contains(reason, response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Actions_OnAnUnknownSession_Are404()
    {
        using var response = await service.Http.PostAsJsonAsync("/api/sessions/no-such-session/actions", new { tool = "snapshot" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Secrets_AreStored_ButOnlyTheirNamesComeBack()
    {
        await using var session = await AgentClient.CreateAsync(service.Http);
        var secrets = $"/api/sessions/{session.SessionId}/secrets";

        using var put = await session.Http.PutAsJsonAsync($"{secrets}/bank_pin", new { value = "9876-secret", origins = BankSite });
        using var bad = await session.Http.PutAsJsonAsync($"{secrets}/bad name!", new { value = "x" });
        var list = await session.Http.GetStringAsync(secrets);
        var state = await session.Http.GetStringAsync($"/api/sessions/{session.SessionId}/agent");
        using var deleted = await session.Http.DeleteAsync($"{secrets}/bank_pin");

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("[{\"name\":\"bank_pin\",\"origins\":[\"https://bank.example\"]}]", list);
        Assert.DoesNotContain("9876-secret", state, StringComparison.Ordinal);
        Assert.Contains("bank_pin", state, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    private static readonly string[] BankSite = ["https://bank.example"];

    private async Task<AgentClient> ControlsAsync(string path) =>
        await AgentClient.CreateAsync(service.Http, Pages.Page(path, AgentPages.ControlsHtml));

    /// <summary>The ref on the first snapshot line that starts with <paramref name="element"/> (role and name).</summary>
    private static string RefOf(string snapshot, string element)
    {
        var match = Regex.Match(snapshot, $@"- (?:[a-z]+ )?{Regex.Escape(element)}[^\n]*?\[ref=(?<ref>[^\]]+)\]");
        Assert.True(match.Success, $"no '{element}' with a ref in:\n{snapshot}");
        return match.Groups["ref"].Value;
    }

    /// <summary>The ref on the first snapshot line that contains <paramref name="text"/> anywhere (e.g. a paragraph's text).</summary>
    private static string RefOfLineWith(string snapshot, string text)
    {
        var match = Regex.Match(snapshot, $@"\[ref=(?<ref>[^\]]+)\][^\n]*{Regex.Escape(text)}");
        Assert.True(match.Success, $"no line with '{text}' and a ref in:\n{snapshot}");
        return match.Groups["ref"].Value;
    }

    private Task<string> TextAsync(AgentClient session, string selector) =>
        EvaluateAsync(session, $"document.querySelector('{selector}').textContent");

    private async Task<string> EvaluateAsync(AgentClient session, string expression) =>
        await service.Sessions.Find(session.SessionId)!.ActiveTab.Page.EvaluateAsync<string>($"() => {expression}");

    [GeneratedRegex(@"trimmed from (?<full>\d+) to (?<sent>\d+) characters")]
    private static partial Regex SnapshotSizes();

    [GeneratedRegex(@"\[ref=(?:f\d+)?e\d+\]")]
    private static partial Regex RefMention();
}
