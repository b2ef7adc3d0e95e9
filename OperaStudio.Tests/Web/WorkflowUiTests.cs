using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Web;

/// <summary>
/// Workflows through the real UI (issue 13): writing one in the editor (and being told every problem the service finds),
/// importing one from a JSON file and running it against two small shops the tests serve until the comparison names the
/// cheaper shop per product, a failed step fixed by hand and resumed, and a batch from a CSV file. Headless Chromium
/// against the web app and the real browser service; no model (the steps are deterministic).
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed partial class WorkflowUiTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    private static readonly TimeSpan RunBudget = TimeSpan.FromSeconds(90);

    private TestPageServer Pages => web.Service.Pages;

    [Fact]
    public async Task Editor_WritesAWorkflowStepByStep_SavesIt_AndListsEveryProblemOfABadOne()
    {
        var shop = ShopPage("/wf-ui/editor/shop", ("Alpha Headphones", "59.00"));
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1400, 1000);
        try
        {
            await page.GotoAsync(web.Url("/workflows"));
            await Expect(page.GetByTestId("workflows-page")).ToHaveAttributeAsync("data-interactive", "true");
            await page.GetByTestId("workflow-new").ClickAsync();
            await Expect(page).ToHaveURLAsync(web.Url("/workflows/new"));
            await Expect(page.GetByTestId("workflow-editor")).ToHaveAttributeAsync("data-interactive", "true");

            await page.GetByTestId("workflow-name").FillAsync("Price check");
            await page.GetByTestId("workflow-param-add").ClickAsync();
            await page.GetByTestId("workflow-param").Locator("[data-field=param-name]").FillAsync("query");
            await AddStepAsync(page, "navigate");
            await Step(page, 0).Locator("[data-field=url]").FillAsync($"{shop}?q={{{{query}}}}");
            await AddStepAsync(page, "extract_data");
            // The schema is checked as it is typed: an array without items is refused before anything is sent.
            var schema = Step(page, 1).GetByTestId("workflow-step-schema");
            await schema.FillAsync("""{ "type": "array" }""");
            await Expect(Step(page, 1).GetByTestId("workflow-step-schema-problem")).ToContainTextAsync("items");
            await schema.FillAsync(ProductsSchema);
            await Expect(Step(page, 1).GetByTestId("workflow-step-schema-problem")).ToHaveCountAsync(0);
            await Step(page, 1).Locator("[data-field=name]").FillAsync("products");
            await Screenshots.SaveAsync(page, "workflow-editor-new");

            await page.GetByTestId("workflow-save").ClickAsync();

            await Expect(page).ToHaveURLAsync(new Regex(@"/workflows/(?!new)[^/?]+$"));
            var id = WorkflowIdOf(page.Url);
            await Expect(page.GetByTestId("workflow-version")).ToHaveTextAsync("version 1");
            var saved = (await web.Http.GetFromJsonAsync<WorkflowDto>($"/api/workflows/{id}"))!;
            Assert.Equal("Price check", saved.Definition.Name);
            Assert.Equal("query", Assert.Single(saved.Definition.Parameters!).Name);
            Assert.Equal(["navigate", "extract_data"], saved.Definition.Steps!.Select(s => s.GetProperty("action").GetString()));
            Assert.Equal($"{shop}?q={{{{query}}}}", saved.Definition.Steps![0].GetProperty("url").GetString());
            Assert.Equal("products", saved.Definition.Steps![1].GetProperty("name").GetString());
            Assert.Equal("array", saved.Definition.Steps![1].GetProperty("schema").GetProperty("type").GetString());

            // Two mistakes at once: a placeholder naming no parameter, and a click that says nothing about what to click.
            await AddStepAsync(page, "navigate");
            await Step(page, 2).Locator("[data-field=url]").FillAsync($"{shop}?q={{{{nope}}}}");
            await AddStepAsync(page, "click");
            await page.GetByTestId("workflow-save").ClickAsync();

            var problems = page.GetByTestId("workflow-problems");
            await Expect(problems).ToBeVisibleAsync();
            await Expect(problems).ToContainTextAsync("nope");
            Assert.True(await problems.GetByTestId("workflow-problem").CountAsync() >= 2, await problems.InnerTextAsync());
            await Screenshots.SaveAsync(page, "workflow-editor-problems");
            // Nothing was saved, and nothing typed was lost.
            Assert.Equal(1, (await web.Http.GetFromJsonAsync<WorkflowDto>($"/api/workflows/{id}"))!.Version);
            await Expect(page.GetByTestId("workflow-step")).ToHaveCountAsync(4);

            // Moving and removing steps: the bad ones go, the order is kept, and the save is version 2.
            await Step(page, 3).GetByTestId("workflow-step-up").ClickAsync();
            await Expect(Step(page, 2)).ToHaveAttributeAsync("data-action", "click");
            await Step(page, 2).GetByTestId("workflow-step-remove").ClickAsync();
            await Step(page, 2).GetByTestId("workflow-step-remove").ClickAsync();
            await Expect(page.GetByTestId("workflow-step")).ToHaveCountAsync(2);
            await page.GetByTestId("workflow-save").ClickAsync();
            await Expect(page.GetByTestId("workflow-version")).ToHaveTextAsync("version 2");
            await Expect(page.GetByTestId("workflow-problems")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("workflow-version-row")).ToHaveCountAsync(2);

            await page.GotoAsync(web.Url("/workflows"));
            await Expect(page.GetByTestId("workflows-page")).ToHaveAttributeAsync("data-interactive", "true");
            await Expect(page.GetByTestId("workflows-count")).ToBeVisibleAsync();
            var row = page.Locator($"[data-testid=workflow-row][data-workflow-id='{id}']");
            await Expect(row).ToContainTextAsync("Price check");
            await Expect(page.Locator("tr", new() { Has = row })).ToContainTextAsync("v2");
            await Screenshots.SaveAsync(page, "workflow-list");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task ImportedPricingWorkflow_RunsLive_StepCardsShowOutputs_AndTheComparisonNamesTheCheaperShop()
    {
        var shopA = ShopPage("/wf-ui/pricing/shop-a", ("Alpha Headphones", "59.00"), ("Beta Buds", "25.00"));
        var shopB = ShopPage("/wf-ui/pricing/shop-b", ("Alpha Headphones", "49.00"), ("Beta Buds", "30.00"));
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1400, 1000);
        try
        {
            await page.GotoAsync(web.Url("/workflows"));
            await Expect(page.GetByTestId("workflows-page")).ToHaveAttributeAsync("data-interactive", "true");

            // A file the service refuses: every problem is listed, and nothing is created.
            var before = (await web.Http.GetFromJsonAsync<List<WorkflowSummaryDto>>("/api/workflows"))!.Count;
            await page.GetByTestId("workflow-import").SetInputFilesAsync(JsonFile("bad.json", """
                { "name": "Bad", "steps": [ { "action": "teleport" }, { "action": "navigate" } ] }
                """));
            await Expect(page.GetByTestId("workflow-problems")).ToContainTextAsync("teleport");
            Assert.True(await page.GetByTestId("workflow-problem").CountAsync() >= 2, await page.GetByTestId("workflow-problems").InnerTextAsync());
            Assert.Equal(before, (await web.Http.GetFromJsonAsync<List<WorkflowSummaryDto>>("/api/workflows"))!.Count);

            await page.GetByTestId("workflow-import").SetInputFilesAsync(JsonFile("pricing.json", PricingWorkflow(shopA, shopB)));

            await Expect(page).ToHaveURLAsync(new Regex(@"/workflows/(?!new)[^/?]+$"));
            await Expect(page.GetByTestId("workflow-editor")).ToHaveAttributeAsync("data-interactive", "true");
            await Expect(page.GetByTestId("workflow-step")).ToHaveCountAsync(5);
            await Step(page, 1).GetByTestId("workflow-step-toggle").ClickAsync();
            await Expect(Step(page, 1).GetByTestId("workflow-step-schema")).ToBeVisibleAsync();
            await Screenshots.SaveAsync(page, "workflow-editor");

            await page.GetByTestId("workflow-run").ClickAsync();
            await page.Locator("[data-testid=workflow-run-input][data-param=query]").FillAsync("headphones");
            await page.GetByTestId("workflow-run-start").ClickAsync();

            await Expect(page).ToHaveURLAsync(new Regex("/workflow-runs/[^/?]+$"));
            var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", WorkflowRunStatuses.Completed, new() { Timeout = (float)RunBudget.TotalMilliseconds });
            await Expect(page.Locator($"[data-testid=run-step][data-status={WorkflowStepStatuses.Ok}]")).ToHaveCountAsync(5);

            var extract = page.Locator("[data-testid=run-step][data-name=shopA]");
            await extract.Locator(".run-step-head").ClickAsync();
            await Expect(extract.GetByTestId("run-step-output").Locator("td")).ToContainTextAsync(["Alpha Headphones", "59", "Beta Buds", "25"]);

            var comparison = page.GetByTestId("run-comparison");
            await Expect(comparison).ToBeVisibleAsync();
            await Expect(Best(page, "Alpha Headphones", "price")).ToHaveAttributeAsync("data-step", "shopB");
            await Expect(Best(page, "Beta Buds", "price")).ToHaveAttributeAsync("data-step", "shopA");
            await Expect(Best(page, "Alpha Headphones", "price")).ToHaveTextAsync("49");
            await extract.Locator(".run-step-head").ClickAsync();
            await Expect(extract.GetByTestId("run-step-output")).ToHaveCountAsync(0);
            await comparison.ScrollIntoViewIfNeededAsync();
            await Screenshots.SaveAsync(page, "workflow-run");

            var run = (await web.Http.GetFromJsonAsync<WorkflowRunDto>($"/api/workflow-runs/{runId}"))!;
            Assert.Equal("headphones", run.Inputs.GetProperty("query").GetString());

            // The list shows the run as the workflow's last.
            await page.GotoAsync(web.Url("/workflows"));
            var row = page.Locator("tr", new() { Has = page.Locator($"[data-testid=workflow-row][data-workflow-id='{run.WorkflowId}']") });
            await Expect(row.GetByTestId("workflow-last-status")).ToHaveAttributeAsync("data-status", WorkflowRunStatuses.Completed);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task FailedStep_ShowsTheErrorAndThePage_AndResumesFromItAfterTheFixByHand()
    {
        var start = Pages.Page("/wf-ui/resume/start", "<!doctype html><title>Start</title><h1>Nothing to press yet</h1>");
        var fixedPage = Pages.Page("/wf-ui/resume/fixed", """
            <!doctype html><title>Fixed</title>
            <button onclick="document.getElementById('out').textContent = 'continued'">Continue</button><p id="out"></p>
            """);
        var workflow = await CreateAsync(new
        {
            name = "Resume me",
            steps = new object[]
            {
                new { action = "navigate", url = start.ToString() },
                new { action = "click", description = "Continue button", timeout_ms = 2000, retries = 0 },
                new { action = "wait_for", text = "continued" },
            },
        });
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1400, 1000);
        try
        {
            await page.GotoAsync(web.Url($"/workflows/{workflow.Id}?run=1"));
            await Expect(page.GetByTestId("workflow-editor")).ToHaveAttributeAsync("data-interactive", "true");
            await page.GetByTestId("workflow-run-start").ClickAsync();

            await Expect(page).ToHaveURLAsync(new Regex("/workflow-runs/[^/?]+$"));
            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", WorkflowRunStatuses.Failed, new() { Timeout = (float)RunBudget.TotalMilliseconds });
            var failed = page.Locator("[data-testid=run-step][data-index='1']");
            await Expect(failed).ToHaveAttributeAsync("data-status", WorkflowStepStatuses.Error);
            await Expect(failed.GetByTestId("run-step-error")).ToBeVisibleAsync();
            await Expect(failed.GetByTestId("run-step-image")).ToBeVisibleAsync();
            Assert.True(await failed.GetByTestId("run-step-image").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), "the failed page's picture did not load");
            await Expect(page.GetByTestId("run-resume")).ToHaveTextAsync("Resume from step 2");
            await Screenshots.SaveAsync(page, "workflow-run-failed");

            // The person fixes the page by hand in the run's session (here: through the API a panel uses).
            var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
            var run = (await web.Http.GetFromJsonAsync<WorkflowRunDto>($"/api/workflow-runs/{runId}"))!;
            var session = (await web.Http.GetFromJsonAsync<SessionDto>($"/api/sessions/{run.SessionId}"))!;
            using (var navigated = await web.Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate", new { url = fixedPage.ToString() }))
            {
                navigated.EnsureSuccessStatusCode();
            }

            await page.GetByTestId("run-resume").ClickAsync();

            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", WorkflowRunStatuses.Completed, new() { Timeout = (float)RunBudget.TotalMilliseconds });
            await Expect(page.Locator("[data-testid=run-step][data-index='1']")).ToHaveAttributeAsync("data-status", WorkflowStepStatuses.Ok);
            await Expect(page.Locator("[data-testid=run-step][data-index='2']")).ToHaveAttributeAsync("data-status", WorkflowStepStatuses.Ok);
            await Expect(page.GetByTestId("run-resume")).ToHaveCountAsync(0);
            await web.Http.DeleteAsync($"/api/sessions/{session.Id}");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task RunWaitingForThePerson_ShowsTheSessionLive_AndDoneGoesOn()
    {
        var start = Pages.Page("/wf-ui/live/start", "<!doctype html><title>Sign in</title><h1>Please sign in</h1>");
        var workflow = await CreateAsync(new
        {
            name = "Needs a person",
            steps = new object[]
            {
                new { action = "navigate", url = start.ToString() },
                new { action = "ask_user", question = "Sign in, then press Done." },
                new { action = "get_content", name = "page", format = "text" },
            },
        });
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1400, 1000);
        try
        {
            await page.GotoAsync(web.Url($"/workflows/{workflow.Id}?run=1"));
            await Expect(page.GetByTestId("workflow-editor")).ToHaveAttributeAsync("data-interactive", "true");
            await page.GetByTestId("workflow-run-start").ClickAsync();

            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", WorkflowRunStatuses.WaitingForUser, new() { Timeout = (float)RunBudget.TotalMilliseconds });
            var panel = page.GetByTestId("run-live-panel").GetByTestId("browser-panel");
            await Expect(panel).ToBeVisibleAsync();
            var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
            var run = (await web.Http.GetFromJsonAsync<WorkflowRunDto>($"/api/workflow-runs/{runId}"))!;
            await Expect(panel).ToHaveAttributeAsync("data-session-id", run.SessionId!);
            await Expect(page.GetByTestId("run-question")).ToContainTextAsync("Sign in, then press Done.");
            await Expect(page.Locator("[data-testid=run-step][data-index='1']")).ToHaveAttributeAsync("data-status", WorkflowStepStatuses.WaitingForUser);
            await Screenshots.SaveAsync(page, "workflow-run-live");

            await page.GetByTestId("run-question-done").ClickAsync();

            await Expect(page.GetByTestId("run-status")).ToHaveAttributeAsync("data-status", WorkflowRunStatuses.Completed, new() { Timeout = (float)RunBudget.TotalMilliseconds });
            await Expect(page.Locator("[data-testid=run-step][data-name=page]").GetByTestId("run-step-status")).ToHaveAttributeAsync("data-status", WorkflowStepStatuses.Ok);
            // Over, the live view gives its room back to the steps.
            await Expect(page.GetByTestId("run-live-panel")).ToHaveCountAsync(0);
            await web.Http.DeleteAsync($"/api/sessions/{run.SessionId}");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task BatchFromCsv_ShowsARowPerInput_UntilAllAreDone_AndOffersTheResults()
    {
        var item = ShopPage("/wf-ui/batch/item", ("Gamma Speaker", "80.00"));
        var workflow = await CreateAsync(new
        {
            name = "Batch me",
            parameters = new[] { new { name = "item", type = "string" } },
            steps = new object[]
            {
                new { action = "navigate", url = $"{item}?item={{{{item}}}}" },
                new { action = "extract_data", name = "products", schema = JsonDocument.Parse(ProductsSchema).RootElement },
            },
        });
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress, 1400, 1000);
        try
        {
            await page.GotoAsync(web.Url($"/workflows/{workflow.Id}"));
            await Expect(page.GetByTestId("workflow-editor")).ToHaveAttributeAsync("data-interactive", "true");
            await page.GetByTestId("workflow-batch-concurrency").FillAsync("2");
            await page.GetByTestId("workflow-batch-upload").SetInputFilesAsync(new FilePayload
            {
                Name = "items.csv",
                MimeType = "text/csv",
                Buffer = Encoding.UTF8.GetBytes("item\nred\ngreen\nblue\n"),
            });

            await Expect(page).ToHaveURLAsync(new Regex("/workflow-batches/[^/?]+$"));
            var progress = page.GetByTestId("batch-progress");
            await Expect(progress).ToHaveAttributeAsync("data-total", "3");
            await Expect(page.GetByTestId("batch-row")).ToHaveCountAsync(3);
            await Expect(progress).ToHaveAttributeAsync("data-completed", "3", new() { Timeout = (float)RunBudget.TotalMilliseconds * 2 });
            await Expect(page.Locator($"[data-testid=batch-row][data-status={WorkflowRunStatuses.Completed}]")).ToHaveCountAsync(3);
            await Expect(page.GetByTestId("workflow-batch-page")).ToContainTextAsync("green");
            await Screenshots.SaveAsync(page, "workflow-batch");

            // The downloads are the service's results, through the web app's own origin.
            var csvLink = await page.GetByTestId("batch-download-csv").GetAttributeAsync("href");
            Assert.NotNull(csvLink);
            var csv = await page.APIRequest.GetAsync(web.Url(csvLink!));
            Assert.True(csv.Ok, $"{csv.Status} {await csv.TextAsync()}");
            var lines = (await csv.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(4, lines.Length);
            Assert.Contains(lines, l => l.Contains("green", StringComparison.Ordinal) && l.Contains("Gamma Speaker", StringComparison.Ordinal));
            var json = await page.APIRequest.GetAsync(web.Url((await page.GetByTestId("batch-download-json").GetAttributeAsync("href"))!));
            Assert.True(json.Ok);
            Assert.Equal(3, JsonDocument.Parse(await json.TextAsync()).RootElement.GetArrayLength());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private const string ProductsSchema = """
        { "type": "array", "items": { "type": "object",
          "properties": { "name": { "type": "string", "title": "Name" }, "price": { "type": "number", "title": "Price" } },
          "required": ["name", "price"] } }
        """;

    private static string PricingWorkflow(Uri shopA, Uri shopB) => $$$"""
        { "name": "Research Product Pricing",
          "description": "The same products at two shops, side by side.",
          "parameters": [ { "name": "query", "type": "string" } ],
          "steps": [
            { "action": "navigate", "url": "{{{shopA}}}?q={{query}}" },
            { "action": "extract_data", "name": "shopA", "schema": {{{ProductsSchema}}} },
            { "action": "navigate", "url": "{{{shopB}}}?q={{query}}" },
            { "action": "extract_data", "name": "shopB", "schema": {{{ProductsSchema}}} },
            { "action": "compare_results", "of": ["shopA", "shopB"], "match_by": "name" } ] }
        """;

    /// <summary>A shop's results page: a table of products with their prices.</summary>
    private Uri ShopPage(string path, params (string Name, string Price)[] products) =>
        Pages.Page(path, $"""
            <!doctype html><title>Shop</title><h1>Results</h1>
            <table><thead><tr><th>Name</th><th>Price</th></tr></thead><tbody>
            {string.Concat(products.Select(p => $"<tr><td>{p.Name}</td><td>${p.Price}</td></tr>"))}
            </tbody></table>
            """);

    private async Task<WorkflowDto> CreateAsync(object definition)
    {
        using var response = await web.Http.PostAsJsonAsync("/api/workflows", definition);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<WorkflowDto>())!;
    }

    private static async Task AddStepAsync(IPage page, string action)
    {
        var count = await page.GetByTestId("workflow-step").CountAsync();
        await page.GetByTestId("workflow-step-add-action").SelectOptionAsync(action);
        await page.GetByTestId("workflow-step-add").ClickAsync();
        await Expect(page.GetByTestId("workflow-step")).ToHaveCountAsync(count + 1);
        await Expect(Step(page, count)).ToHaveAttributeAsync("data-action", action);
    }

    private static ILocator Step(IPage page, int index) => page.Locator($"[data-testid=workflow-step][data-index='{index}']");

    private static ILocator Best(IPage page, string key, string field) =>
        page.Locator($"[data-testid=comparison-row][data-key='{key}'] [data-testid=comparison-best][data-field={field}]");

    private static FilePayload JsonFile(string name, string json) =>
        new() { Name = name, MimeType = "application/json", Buffer = Encoding.UTF8.GetBytes(json) };

    private static string WorkflowIdOf(string url) => WorkflowUrl().Match(url).Groups[1].Value;

    [GeneratedRegex(@"/workflows/([^/?]+)")]
    private static partial Regex WorkflowUrl();
}
