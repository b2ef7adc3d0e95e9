using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Services;

// The agent's REST API (docs/agent.md), for the chat panel. Same rules as the sessions API: no throwing for HTTP or
// network failures, and only the GETs are retried (the typed client's resilience setup).
public sealed partial class BrowserServiceClient
{
    /// <summary>Everything the chat shows when it opens: model, control, run, transcript, recent steps, approvals, secret names.</summary>
    public Task<ApiResult<AgentStateDto>> GetAgentStateAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<AgentStateDto>(HttpMethod.Get, AgentPath(sessionId), null, cancellationToken);

    /// <summary>
    /// The agent's events as they happen (<c>GET /agent/events</c>, Server-Sent Events): each event's name and JSON,
    /// <c>Ready</c> first. Ends when the session ends here; a refused request or a dropped connection throws
    /// (<see cref="HttpRequestException"/> with the status, or <see cref="IOException"/>), for the reader to retry.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAgentEventsAsync(
        string sessionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{AgentPath(sessionId)}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        // Headers only: the client's timeout is for calls, not for a stream that stays open while the session lives.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The agent's events answered {(int)response.StatusCode}.", null, response.StatusCode);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>Starts a run (202); a run already active is a 409 problem.</summary>
    public Task<ApiResult<AgentRunDto>> SendAgentMessageAsync(string sessionId, string text, CancellationToken cancellationToken = default) =>
        SendAsync<AgentRunDto>(HttpMethod.Post, $"{AgentPath(sessionId)}/messages", new AgentMessageRequest(text), cancellationToken);

    public Task<ApiResult<AgentRunDto>> CancelRunAsync(string sessionId, string runId, CancellationToken cancellationToken = default) =>
        SendAsync<AgentRunDto>(HttpMethod.Post, $"{AgentPath(sessionId)}/runs/{Uri.EscapeDataString(runId)}/cancel", new { }, cancellationToken);

    /// <summary><c>user</c> takes control (pauses the run); <c>agent</c> gives it back.</summary>
    public Task<ApiResult<ControlDto>> SetControlAsync(string sessionId, string holder, CancellationToken cancellationToken = default) =>
        SendAsync<ControlDto>(HttpMethod.Post, $"{AgentPath(sessionId)}/control", new ControlRequest(holder), cancellationToken);

    /// <summary>The user is done with what ask_user asked; the optional note reaches the model.</summary>
    public Task<ApiResult<ControlDto>> ResumeAgentAsync(string sessionId, string? text, CancellationToken cancellationToken = default) =>
        SendAsync<ControlDto>(HttpMethod.Post, $"{AgentPath(sessionId)}/resume", new ResumeRequest(text), cancellationToken);

    public Task<ApiResult<ApprovalDto>> DecideApprovalAsync(string sessionId, string approvalId, bool approve, CancellationToken cancellationToken = default) =>
        SendAsync<ApprovalDto>(
            HttpMethod.Post, $"{SessionPath(sessionId)}/approvals/{Uri.EscapeDataString(approvalId)}", new ApprovalDecisionRequest(approve), cancellationToken);

    public Task<ApiResult<IReadOnlyList<SecretDto>>> ListSecretsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<SecretDto>>(HttpMethod.Get, $"{SessionPath(sessionId)}/secrets", null, cancellationToken);

    /// <summary>Stores a secret for the sites it may be typed on (204); the service never sends its value back.</summary>
    public Task<ApiResult<bool>> PutSecretAsync(
        string sessionId, string name, string value, IReadOnlyList<string> origins, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Put, SecretPath(sessionId, name), new SecretRequest(value, origins), cancellationToken);

    public Task<ApiResult<bool>> DeleteSecretAsync(string sessionId, string name, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, SecretPath(sessionId, name), null, cancellationToken);

    private static string AgentPath(string sessionId) => $"{SessionPath(sessionId)}/agent";

    private static string SecretPath(string sessionId, string name) => $"{SessionPath(sessionId)}/secrets/{Uri.EscapeDataString(name)}";
}
