using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Agent;

/// <summary>
/// The agent over HTTP: chat messages start runs; runs can be cancelled; control can be taken and given back;
/// sensitive steps are approved or denied; secrets are stored (never read back); and the actions API runs one tool
/// without a model, through the same tools, policy and approvals. Errors are ProblemDetails, except the actions
/// API's, which answer <c>{ok: false, error}</c>.
/// </summary>
public static partial class AgentApi
{
    public const int MaxMessageLength = InputLimits.ChatMessage;

    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/api/sessions/{id}").WithTags("Agent").RequireSessionAccess().AddEndpointFilter(RestoreSessionAsync);
        // Everything that acts (on the page, the agent, approvals, secrets) needs control in a shared session; reading does not.
        session.MapPost("/actions", RunActionAsync).RequirePageControl();

        session.MapGet("/agent", GetState);
        session.MapGet("/agent/events", AgentEventStream.Get);
        session.MapPost("/agent/messages", SendMessage).RequirePageControl();
        session.MapPost("/agent/runs/{runId}/cancel", CancelRun).RequirePageControl();
        session.MapPost("/agent/control", SetControl).RequirePageControl();
        session.MapPost("/agent/resume", Resume).RequirePageControl();
        session.MapGet("/agent/steps/{stepId}/thumbnail", GetThumbnailAsync);

        session.MapGet("/approvals", ListApprovals);
        session.MapPost("/approvals/{approvalId}", DecideApproval).RequirePageControl();

        session.MapGet("/secrets", ListSecrets).RequirePageControl();
        session.MapPut("/secrets/{name}", PutSecret).RequirePageControl();
        session.MapDelete("/secrets/{name}", DeleteSecret).RequirePageControl();
        return app;
    }

    /// <summary>A released or suspended session comes back before the agent acts on it (its transcript starts afresh).</summary>
    private static async ValueTask<object?> RestoreSessionAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.GetRouteValue("id") is string id)
        {
            try
            {
                await context.HttpContext.RequestServices.GetRequiredService<SessionManager>()
                    .GetOrRestoreAsync(id, context.HttpContext.RequestAborted);
            }
            catch (Exception ex) when (ex is SessionLimitException or Browsers.BrowserUnavailableException)
            {
                // The handler answers 404 for a session that is not live; the limits are the sessions API's to report.
            }
        }

        return await next(context);
    }

    private static async Task<Results<Ok<ActionResponse>, BadRequest<ActionResponse>, ProblemHttpResult>> RunActionAsync(
        string id, ActionRequest? request, AgentSessions agents, CancellationToken cancellationToken)
    {
        if (agents.Find(id) is not { } agent)
        {
            return Problems.SessionNotFound(id);
        }

        if (request?.Tool is { Length: > InputLimits.ToolName } tool)
        {
            return TypedResults.BadRequest(new ActionResponse(false, null, $"'tool' is {tool.Length} characters long; the limit is {InputLimits.ToolName}."));
        }

        if (request?.Args is { } args && args.GetRawText().Length is var length and > InputLimits.ActionArguments)
        {
            return TypedResults.BadRequest(new ActionResponse(false, null, $"'args' is {length} characters long; the limit is {InputLimits.ActionArguments}."));
        }

        var (response, badRequest) = await ActionCatalog.RunAsync(agent.Tools, request?.Tool, request?.Args, cancellationToken);
        return badRequest ? TypedResults.BadRequest(response) : TypedResults.Ok(response);
    }

    private static Results<Ok<AgentStateDto>, ProblemHttpResult> GetState(string id, AgentSessions agents, ChatModel model) =>
        agents.Find(id) is { } agent ? TypedResults.Ok(agent.ToDto(model.Describe())) : Problems.SessionNotFound(id);

    private static Results<Accepted<AgentRunDto>, ProblemHttpResult> SendMessage(
        string id, AgentMessageRequest? request, AgentSessions agents, AgentRunner runner, ClaimsPrincipal caller)
    {
        if (agents.Find(id) is not { } agent)
        {
            return Problems.SessionNotFound(id);
        }

        var text = request?.Text?.Trim();
        if (text?.Length > MaxMessageLength)
        {
            return Problems.TooLong("text", text.Length, MaxMessageLength);
        }

        if (string.IsNullOrEmpty(text))
        {
            return Problems.BadRequest("Invalid message", $"Send {{\"text\": \"...\"}} with 1 to {MaxMessageLength} characters.");
        }

        return runner.Start(agent, text, caller.Identity?.Name) is { } run
            ? TypedResults.Accepted($"/api/sessions/{id}/agent", run.ToDto())
            : Problems.Conflict("A run is active", "The agent is still working on the previous message. Wait for it, or cancel it first.");
    }

    private static Results<Accepted<AgentRunDto>, ProblemHttpResult> CancelRun(string id, string runId, AgentSessions agents)
    {
        if (agents.Find(id) is not { } agent)
        {
            return Problems.SessionNotFound(id);
        }

        if (agent.CurrentRun is not { } run || run.Id != runId)
        {
            return Problems.NotFound("Run not found", $"Session {id} has no run '{runId}'.");
        }

        if (run.IsFinished)
        {
            return Problems.Conflict("Run already ended", $"Run {runId} already ended ({run.State}).");
        }

        run.Cancel();
        return TypedResults.Accepted($"/api/sessions/{id}/agent", run.ToDto());
    }

    private static Results<Ok<ControlDto>, ProblemHttpResult> SetControl(string id, ControlRequest? request, AgentSessions agents)
    {
        if (agents.Find(id) is not { } agent)
        {
            return Problems.SessionNotFound(id);
        }

        switch (request?.Holder?.Trim().ToLowerInvariant())
        {
            case AgentSession.UserHolder:
                // Idempotent: with no run active the user already has control (and outside clients now wait for it).
                agent.HoldClients(true);
                agent.TakeControl();
                return TypedResults.Ok(agent.Control);
            case AgentSession.AgentHolder:
                var clientsLetGo = agent.HoldClients(false);
                return agent.GiveBack(null)
                    ? TypedResults.Ok(agent.Control)
                    : agent.AgentHoldsControl || clientsLetGo
                        ? TypedResults.Ok(agent.Control)
                        : Problems.Conflict("No run to hand control to", "No run is waiting for control. Send the agent a message to start one.");
            default:
                return Problems.BadRequest("Invalid holder", "Send {\"holder\": \"user\"} to take control or {\"holder\": \"agent\"} to give it back.");
        }
    }

    private static Results<Ok<ControlDto>, ProblemHttpResult> Resume(string id, ResumeRequest? request, AgentSessions agents)
    {
        if (agents.Find(id) is not { } agent)
        {
            return Problems.SessionNotFound(id);
        }

        if (request?.Text is { Length: > InputLimits.ResumeText } text)
        {
            return Problems.TooLong("text", text.Length, InputLimits.ResumeText);
        }

        return agent.GiveBack(request?.Text)
            ? TypedResults.Ok(agent.Control)
            : Problems.Conflict("Nothing to resume", "The agent is not waiting for you.");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetThumbnailAsync(string id, string stepId, AgentSessions agents)
    {
        if (agents.Find(id) is not { } agent)
        {
            return Problems.SessionNotFound(id);
        }

        return await agent.Steps.ImageAsync(stepId) is { } jpeg
            ? TypedResults.File(jpeg, "image/jpeg")
            : Problems.NotFound("No image", $"Step '{stepId}' has no image (it is unknown, or no longer kept).");
    }

    private static Results<Ok<IReadOnlyList<ApprovalDto>>, ProblemHttpResult> ListApprovals(string id, AgentSessions agents) =>
        agents.Find(id) is { } agent ? TypedResults.Ok(agent.Approvals.PendingApprovals) : Problems.SessionNotFound(id);

    private static Results<Ok<ApprovalDto>, ProblemHttpResult> DecideApproval(
        string id, string approvalId, ApprovalDecisionRequest? request, AgentSessions agents, ClaimsPrincipal user, ILogger<ApprovalGate> logger)
    {
        if (agents.Find(id) is not { } agent)
        {
            LogDecisionRefused(logger, id, approvalId, "the session is not live here");
            return Problems.SessionNotFound(id);
        }

        if (request is null)
        {
            return Problems.BadRequest("Missing decision", "Send {\"approve\": true} or {\"approve\": false}.");
        }

        if (agent.Approvals.Decide(approvalId, request.Approve) is not { } decided)
        {
            LogDecisionRefused(logger, id, approvalId, "no step is waiting for it");
            return Problems.NotFound("Approval not found", $"No step is waiting for approval '{approvalId}': it was decided, expired, or never existed.");
        }

        // Who let a sensitive step through (or stopped it) belongs in the operators' log, next to the run's own lines.
        var caller = Callers.Name(user);
        LogDecided(logger, id, approvalId, decided.Tool, decided.Status, caller);
        return TypedResults.Ok(decided);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: approval {ApprovalId} ({Tool}) {Status} by {Caller}")]
    private static partial void LogDecided(ILogger logger, string sessionId, string approvalId, string tool, string status, string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: a decision on approval {ApprovalId} was refused: {Reason}")]
    private static partial void LogDecisionRefused(ILogger logger, string sessionId, string approvalId, string reason);

    private static Results<Ok<IReadOnlyList<SecretDto>>, ProblemHttpResult> ListSecrets(string id, AgentSessions agents) =>
        agents.Find(id) is { } agent ? TypedResults.Ok(agent.Vault.List) : Problems.SessionNotFound(id);

    private static Results<NoContent, ProblemHttpResult> PutSecret(string id, string name, SecretRequest? request, AgentSessions agents)
    {
        if (agents.Find(id) is not { } agent)
        {
            return Problems.SessionNotFound(id);
        }

        if (!SecretVault.IsValidName(name))
        {
            return Problems.BadRequest("Invalid secret name", "A secret's name is 1 to 64 letters, digits, '_', '-' or '.'.");
        }

        if (request?.Value?.Length > SecretVault.MaxValueLength)
        {
            return Problems.TooLong("value", request.Value.Length, SecretVault.MaxValueLength);
        }

        if (string.IsNullOrEmpty(request?.Value))
        {
            return Problems.BadRequest("Invalid secret", $"Send {{\"value\": \"...\", \"origins\": [\"https://example.com\"]}} with 1 to {SecretVault.MaxValueLength} characters.");
        }

        if (request.Origins is not { Count: > 0 and <= InputLimits.SecretOrigins } origins)
        {
            return Problems.BadRequest(
                "Invalid secret",
                $"Send 'origins': the 1 to {InputLimits.SecretOrigins} sites the secret may be typed on, e.g. [\"https://accounts.example.com\"]. A secret is never usable everywhere.");
        }

        if (origins.FirstOrDefault(o => SecretVault.ParseOrigin(o) is null) is { } bad)
        {
            return Problems.BadRequest("Invalid secret", $"'{(bad.Length > 100 ? bad[..100] + "…" : bad)}' is not a site: give an http or https origin such as https://accounts.example.com, without wildcards.");
        }

        agent.Vault.Set(name, request.Value, origins);
        return TypedResults.NoContent();
    }

    private static Results<NoContent, ProblemHttpResult> DeleteSecret(string id, string name, AgentSessions agents)
    {
        if (agents.Find(id) is not { } agent)
        {
            return Problems.SessionNotFound(id);
        }

        return agent.Vault.Remove(name) ? TypedResults.NoContent() : Problems.NotFound("Secret not found", $"There is no secret '{name}'.");
    }
}
