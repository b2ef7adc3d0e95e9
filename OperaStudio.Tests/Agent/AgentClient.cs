using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Agent;

/// <summary>A session of the agent service driven over its REST API, as the chat panel or a script would.</summary>
public sealed class AgentClient(HttpClient http, string sessionId) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public string SessionId { get; } = sessionId;

    public HttpClient Http { get; } = http;

    public static async Task<AgentClient> CreateAsync(HttpClient http, Uri? url = null)
    {
        using var response = await http.PostAsJsonAsync("/api/sessions", new { url = url?.ToString() });
        response.EnsureSuccessStatusCode();
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        var client = new AgentClient(http, session.Id);
        if (url is not null)
        {
            await client.ActAsync("wait_for", new { url = url.AbsolutePath });
        }

        return client;
    }

    public async Task<(HttpStatusCode Status, ActionResponse Response)> ActionAsync(string tool, object? args = null)
    {
        using var response = await Http.PostAsJsonAsync($"/api/sessions/{SessionId}/actions", new { tool, args });
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<ActionResponse>())!);
    }

    /// <summary>An action that must succeed; returns its result.</summary>
    public async Task<JsonElement> ActAsync(string tool, object? args = null)
    {
        var (status, response) = await ActionAsync(tool, args);
        Assert.True(status == HttpStatusCode.OK && response.Ok, $"{tool} failed ({status}): {response.Error}");
        return response.Result!.Value;
    }

    public async Task<AgentRunDto> SendAsync(string text)
    {
        using var response = await Http.PostAsJsonAsync($"/api/sessions/{SessionId}/agent/messages", new { text });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AgentRunDto>())!;
    }

    public async Task<AgentStateDto> StateAsync() =>
        (await Http.GetFromJsonAsync<AgentStateDto>($"/api/sessions/{SessionId}/agent"))!;

    public Task<AgentStateDto> WaitForStateAsync(Func<AgentStateDto, bool> condition, string what) =>
        Eventually.ValueAsync(StateAsync, condition, what, Patience,
            state => $"run {state.Run}; messages: {string.Join(" | ", state.Messages.TakeLast(3).Select(m => m.Text))}");

    /// <summary>Waits until the run has ended; returns the final state.</summary>
    public Task<AgentStateDto> WaitForEndAsync(string runId) =>
        WaitForStateAsync(s => s.Run is { FinishedAt: not null } run && run.Id == runId, $"run {runId} to end");

    public async Task<ApprovalDto> WaitForApprovalAsync()
    {
        var state = await WaitForStateAsync(s => s.PendingApprovals.Count > 0, "an approval request");
        return state.PendingApprovals[0];
    }

    public async Task<HttpResponseMessage> DecideAsync(string approvalId, bool approve) =>
        await Http.PostAsJsonAsync($"/api/sessions/{SessionId}/approvals/{approvalId}", new { approve });

    public async Task<HttpResponseMessage> PostAsync(string path, object body) =>
        await Http.PostAsJsonAsync($"/api/sessions/{SessionId}{path}", body);

    public async ValueTask DisposeAsync() => (await Http.DeleteAsync($"/api/sessions/{SessionId}")).Dispose();
}
