using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>Batches: five inputs from CSV and from JSON, two sessions at a time, results as JSON and CSV.</summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class WorkflowBatchTests(BrowserServiceFixture service)
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    private static readonly string[] Letters = ["a", "b", "c", "d", "e"];

    [Fact]
    public async Task Batch_FiveCsvRowsTwoAtATime_RunsEachInOrderAndDownloadsResults()
    {
        using var http = TestIdentity.ClientFor(service.BaseAddress, "batch-csv");
        var gate = new TwoAtOnce();
        var workflow = await CreateWorkflowAsync(http, Item("/batch/csv", gate));

        const string csv = "query,n\r\nalpha,1\r\nbeta,2\r\n\"gamma,delta\",3\r\nepsilon,\r\nzeta,5\r\n";
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await http.PostAsync($"/api/workflows/{workflow}/batches?concurrency=2", content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = (await response.Content.ReadFromJsonAsync<WorkflowBatchDto>())!;
        Assert.Equal((5, 2), (started.Total, started.Concurrency));

        var batch = await FinishedAsync(http, started.Id);
        Assert.True(batch.Completed == 5, string.Join("; ", batch.Runs.Select(r => $"{r.Inputs}: {r.Status} {r.Error}")));
        Assert.Equal((5, 0, 0, 0), (batch.Completed, batch.Failed, batch.Running, batch.Queued));
        Assert.All(batch.Runs, r => Assert.Equal((WorkflowRunStatuses.Completed, WorkflowActions.BatchTrigger, started.Id), (r.Status, r.Trigger, r.BatchId)));
        Assert.Equal(["alpha", "beta", "gamma,delta", "epsilon", "zeta"], batch.Runs.Select(r => r.Inputs.GetProperty("query").GetString()));

        // Typed by the parameters: "2" became a number, the empty cell took the default.
        Assert.Equal([1, 2, 3, 7, 5], batch.Runs.Select(r => r.Inputs.GetProperty("n").GetInt32()));
        Assert.Equal(2, gate.MostAtOnce);

        var json = JsonNode.Parse(await http.GetStringAsync($"/api/workflow-batches/{started.Id}/results?format=json"))!.AsArray();
        Assert.Equal(5, json.Count);
        Assert.Contains("Item gamma,delta costs 3", json[2]!["outputs"]!["page"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(batch.Runs[2].Id, json[2]!["runId"]!.GetValue<string>());
        Assert.Equal("completed", json[4]!["status"]!.GetValue<string>());

        using var csvResponse = await http.GetAsync($"/api/workflow-batches/{started.Id}/results?format=csv");
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var lines = (await csvResponse.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("query,n,status,error,run_id,page", lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith($"\"gamma,delta\",3,completed,,{batch.Runs[2].Id},\"\"\"", lines[3], StringComparison.Ordinal);
        Assert.Contains("Item gamma,delta costs 3", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_FiveJsonInputsTwoAtATime_RunsAllAndOthersCannotSeeIt()
    {
        using var http = TestIdentity.ClientFor(service.BaseAddress, "batch-json");
        using var other = TestIdentity.ClientFor(service.BaseAddress, "batch-someone-else");
        var gate = new TwoAtOnce();
        var workflow = await CreateWorkflowAsync(http, Item("/batch/json", gate));

        var inputs = Letters.Select((q, i) => JsonSerializer.SerializeToElement(new { query = q, n = i })).ToList();
        using var response = await http.PostAsJsonAsync($"/api/workflows/{workflow}/batches", new WorkflowBatchRequest(inputs, Concurrency: 2));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = (await response.Content.ReadFromJsonAsync<WorkflowBatchDto>())!;

        using (var peek = await other.GetAsync($"/api/workflow-batches/{started.Id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, peek.StatusCode);
        }

        using (var results = await other.GetAsync($"/api/workflow-batches/{started.Id}/results?format=csv"))
        {
            Assert.Equal(HttpStatusCode.NotFound, results.StatusCode);
        }

        using (var start = await other.PostAsJsonAsync($"/api/workflows/{workflow}/batches", new WorkflowBatchRequest(inputs)))
        {
            Assert.Equal(HttpStatusCode.NotFound, start.StatusCode);
        }

        var batch = await FinishedAsync(http, started.Id);
        Assert.Equal(5, batch.Completed);
        Assert.Equal(Letters, batch.Runs.Select(r => r.Inputs.GetProperty("query").GetString()));
        Assert.Equal(2, gate.MostAtOnce);
        var rows = JsonNode.Parse(await http.GetStringAsync($"/api/workflow-batches/{started.Id}/results"))!.AsArray();
        Assert.Contains("Item d costs 3", rows[3]!["outputs"]!["page"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_BadRows_AreAllListedAndNothingRuns()
    {
        using var http = TestIdentity.ClientFor(service.BaseAddress, "batch-bad");
        var workflow = await CreateWorkflowAsync(http, service.Pages.Page("/batch/bad", "<p>never opened</p>"));

        using var content = new StringContent("query,n,colour\r\nfine,1,\r\nalso,many,red\r\n", Encoding.UTF8, "text/csv");
        using var response = await http.PostAsync($"/api/workflows/{workflow}/batches", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = (await response.Content.ReadFromJsonAsync<JsonObject>())!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("Input 2:", p, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("colour", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'n'", StringComparison.Ordinal) || p.Contains(" n ", StringComparison.Ordinal));
        Assert.Empty((await http.GetFromJsonAsync<WorkflowRunSummaryDto[]>($"/api/workflows/{workflow}/runs"))!);

        using var zero = await http.PostAsJsonAsync($"/api/workflows/{workflow}/batches", new { inputs = new[] { new { query = "x" } }, concurrency = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, zero.StatusCode);
    }

    /// <summary>A page showing its query, held until a second request comes in (so two runs must be going at once).</summary>
    private Uri Item(string path, TwoAtOnce gate) => service.Pages.Handle(path, async context =>
    {
        await gate.EnterAsync();
        try
        {
            var query = WebUtility.HtmlEncode(context.Request.Query["q"].ToString());
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync($"<title>{query}</title><p>Item {query} costs {WebUtility.HtmlEncode(context.Request.Query["n"].ToString())}</p>");
        }
        finally
        {
            gate.Leave();
        }
    });

    private static async Task<string> CreateWorkflowAsync(HttpClient http, Uri page)
    {
        var definition = new WorkflowDefinitionDto(
            "Batch item",
            null,
            [new WorkflowParameterDto("query"), new WorkflowParameterDto("n", "number", Default: JsonSerializer.SerializeToElement(7))],
            [
                JsonSerializer.SerializeToElement(new { action = "navigate", url = page + "?q={{query}}&n={{n}}" }),
                JsonSerializer.SerializeToElement(new { action = "get_content", name = "page", format = "text" }),
            ]);
        using var response = await http.PostAsJsonAsync("/api/workflows", definition);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<WorkflowDto>())!.Id;
    }

    private static async Task<WorkflowBatchDto> FinishedAsync(HttpClient http, string id)
    {
        var mostRunning = 0;
        var batch = await Eventually.ValueAsync(
            async () =>
            {
                var read = (await http.GetFromJsonAsync<WorkflowBatchDto>($"/api/workflow-batches/{id}"))!;
                mostRunning = Math.Max(mostRunning, read.Running);
                return read;
            },
            b => b.FinishedAt is not null,
            "the batch to finish",
            Budget,
            b => $"{b.Completed} completed, {b.Failed} failed, {b.Running} running, {b.Queued} queued; {string.Join("; ", b.Runs.Select(r => r.Error).OfType<string>())}");
        Assert.InRange(mostRunning, 0, 2);
        return batch;
    }

    /// <summary>Counts requests in flight; the first waits (a while at most) for a second to arrive.</summary>
    private sealed class TwoAtOnce
    {
        private readonly TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _seen;
        private int _most;

        public int MostAtOnce => Volatile.Read(ref _most);

        public async Task EnterAsync()
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(now);
            if (now >= 2)
            {
                _second.TrySetResult();
            }

            if (Interlocked.Increment(ref _seen) == 1)
            {
                // Serial runs never bring the second: the first goes on after a while and MostAtOnce stays 1.
                await Task.WhenAny(_second.Task, Task.Delay(TimeSpan.FromSeconds(20)));
            }
        }

        public void Leave() => Interlocked.Decrement(ref _inFlight);

        private void InterlockedMax(int value)
        {
            int seen;
            while (value > (seen = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, value, seen) != seen)
            {
            }
        }
    }
}
