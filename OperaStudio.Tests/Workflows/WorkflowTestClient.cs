using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Workflows;

/// <summary>The workflow API as the tests call it: create from JSON text, start runs, wait for them, read problems.</summary>
internal sealed class WorkflowTestClient(HttpClient http)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    public HttpClient Http { get; } = http;

    public async Task<WorkflowDto> CreateAsync(string json)
    {
        using var response = await PostJsonAsync("/api/workflows", json);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<WorkflowDto>())!;
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        await Http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public async Task<WorkflowRunDto> StartAsync(string workflowId, object? inputs = null, string? sessionId = null)
    {
        using var response = await Http.PostAsJsonAsync($"/api/workflows/{workflowId}/runs", new { inputs, sessionId });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<WorkflowRunDto>())!;
    }

    public async Task<WorkflowRunDto> RunAsync(string runId) =>
        (await Http.GetFromJsonAsync<WorkflowRunDto>($"/api/workflow-runs/{runId}"))!;

    /// <summary>Waits until the run has stopped (completed, failed, cancelled).</summary>
    public Task<WorkflowRunDto> WaitForEndAsync(string runId) =>
        Eventually.ValueAsync(() => RunAsync(runId), run => WorkflowRunStatuses.IsFinal(run.Status), $"workflow run {runId} to end", Patience, Describe);

    public async Task<WorkflowRunDto> ResumeAsync(string runId, int? fromStep = null)
    {
        using var response = fromStep is null
            ? await Http.PostAsync($"/api/workflow-runs/{runId}/resume", null)
            : await Http.PostAsJsonAsync($"/api/workflow-runs/{runId}/resume", new { fromStep });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"resume answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<WorkflowRunDto>())!;
    }

    public async Task CloseSessionAsync(string? sessionId)
    {
        if (sessionId is not null)
        {
            (await Http.DeleteAsync($"/api/sessions/{sessionId}")).Dispose();
        }
    }

    /// <summary>The problems a 400 lists under <c>extensions.problems</c> (ProblemDetails puts extensions at the top level).</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. problem.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!)];
    }

    public static string Describe(WorkflowRunDto run) =>
        $"{run.Status} ({run.Error}); steps: {string.Join(" | ", run.Steps.Select(s => $"{s.Index} {s.Action} {s.Status} {s.Error}"))}";
}
