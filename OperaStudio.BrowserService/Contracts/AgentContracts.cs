using System.Text.Json;

namespace OperaStudio.BrowserService.Contracts;

// The agent's wire shapes: chat, runs, steps, approvals, control, secrets and the actions API (JSON, camelCase; the
// same records travel over the live view hub with MessagePack). The web app compiles this folder too; keep it free
// of server types.

/// <summary>A chat message from the user: starts a run.</summary>
public sealed record AgentMessageRequest(string? Text);

/// <summary>
/// One chat entry. <see cref="Role"/>: <c>user</c>, <c>assistant</c> (the model's text), or <c>notice</c> (the service
/// itself: a missing model key, a model error, a step limit).
/// </summary>
public sealed record AgentMessageDto(string Id, string? RunId, string Role, string Text, DateTimeOffset At, string? Author = null);

/// <summary>A piece of assistant text as the model streams it; the complete <see cref="AgentMessageDto"/> follows.</summary>
public sealed record AgentTextDeltaDto(string RunId, string MessageId, string Delta);

/// <summary>
/// One tool call, by the agent (<see cref="Source"/> <c>agent</c>), through the actions API (<c>actions</c>), by a
/// workflow (<c>workflow</c>) or by an MCP client (<c>mcp</c>; <see cref="Client"/> is the name the client gave).
/// <see cref="Status"/>: <c>running</c>, <c>waiting_for_approval</c>, <c>ok</c>, <c>error</c>, <c>denied</c>,
/// <c>interrupted</c> (the user took control) or <c>cancelled</c>. <see cref="Arguments"/> is the call's JSON, with
/// secrets as placeholders. <see cref="ThumbnailUrl"/> serves a small JPEG of the tab after the step.
/// </summary>
public sealed record AgentStepDto(
    string Id,
    string? RunId,
    string Source,
    int Index,
    string Tool,
    string Arguments,
    string Status,
    string? Summary,
    string? Error,
    string? ThumbnailUrl,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Client = null);

/// <summary>
/// A run: one chat message worked through by the model and its tools. <see cref="State"/>: <c>running</c>,
/// <c>paused</c> (the user took control), <c>waiting_for_user</c> (ask_user), <c>waiting_for_approval</c>, then one of
/// <c>completed</c>, <c>cancelled</c>, <c>failed</c>, <c>step_limit</c>. <see cref="Message"/> says why it ended.
/// </summary>
public sealed record AgentRunDto(
    string Id,
    string State,
    int Steps,
    int MaxSteps,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Message);

/// <summary>Where the element a step targets is, in the page's CSS pixels (the live view's coordinates).</summary>
public sealed record ElementBoxDto(string TabId, string? Ref, string? Name, double X, double Y, double Width, double Height);

/// <summary>
/// A sensitive step waiting for the user. <see cref="Kind"/>: <c>execute_script</c>, <c>password_submit</c>,
/// <c>download</c>, <c>leave_origins</c>, or <c>always</c> (the options ask for every call of that tool).
/// <see cref="Status"/>: <c>pending</c>, <c>approved</c>, <c>denied</c>, <c>expired</c>, <c>cancelled</c>.
/// </summary>
public sealed record ApprovalDto(
    string Id,
    string? RunId,
    string StepId,
    string Source,
    string Tool,
    string Arguments,
    string Kind,
    string Reason,
    ElementBoxDto? Element,
    string Status,
    DateTimeOffset RequestedAt,
    DateTimeOffset ExpiresAt);

public sealed record ApprovalDecisionRequest(bool Approve);

/// <summary>
/// Who may act on the page. <see cref="Holder"/>: <c>user</c> or <c>agent</c>. While the agent holds control the
/// panel's input is refused. <see cref="Question"/> is set while ask_user waits for the user to say done.
/// </summary>
public sealed record ControlDto(string Holder, string? RunId, string Reason, string? Question);

/// <summary>Take control (<c>user</c>: pauses the run) or give it back (<c>agent</c>: resumes it).</summary>
public sealed record ControlRequest(string? Holder);

/// <summary>The user is done with what ask_user asked (logged in, solved the captcha); optional note for the agent.</summary>
public sealed record ResumeRequest(string? Text);

/// <summary>Which model the agent uses, and, when it cannot run, exactly how to configure it.</summary>
public sealed record AgentModelDto(string Provider, string Model, string? Endpoint, bool Configured, string? SetupHint);

/// <summary>Everything the chat panel needs when it opens: transcript, recent steps, the run, control, approvals.</summary>
public sealed record AgentStateDto(
    string SessionId,
    AgentModelDto Model,
    ControlDto Control,
    AgentRunDto? Run,
    IReadOnlyList<AgentMessageDto> Messages,
    IReadOnlyList<AgentStepDto> Steps,
    IReadOnlyList<ApprovalDto> PendingApprovals,
    IReadOnlyList<string> SecretNames);

/// <summary>
/// A secret for this session (a site password, a one-time code) and the sites it may be typed on (origins such as
/// <c>https://accounts.example.com</c>; a bare host means https); the value is never echoed back.
/// </summary>
public sealed record SecretRequest(string? Value, IReadOnlyList<string>? Origins);

/// <summary>A stored secret as the API lists it: its name and where it may be used, never its value.</summary>
public sealed record SecretDto(string Name, IReadOnlyList<string> Origins);

/// <summary>The actions API: one tool, by name, with its arguments (see docs/agent.md).</summary>
public sealed record ActionRequest(string? Tool, JsonElement? Args);

/// <summary>The actions API's answer: <c>{ok: true, result}</c> or <c>{ok: false, error}</c>.</summary>
public sealed record ActionResponse(bool Ok, JsonElement? Result, string? Error);
