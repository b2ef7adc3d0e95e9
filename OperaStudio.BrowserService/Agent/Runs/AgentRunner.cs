using OperaStudio.BrowserService.Diagnostics;
using System.ClientModel;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Runs;

/// <summary>
/// Runs chat messages: one run at a time per session, on the session's kernel, with automatic function calling.
/// Streams the model's text and the tool steps, holds steps while the user has control, stops at the step limit,
/// and ends with a clear message on cancellation or a model error (tool errors go back to the model instead).
/// </summary>
public sealed partial class AgentRunner(ChatModel model, IOptions<AgentOptions> options, ILogger<AgentRunner> logger)
{
    public const string UserRole = "user";
    public const string AssistantRole = "assistant";
    public const string NoticeRole = "notice";

    /// <summary>Earlier chat turns sent with each run (tool traffic of earlier runs is not resent).</summary>
    private const int HistoryTurns = 40;

    private readonly AgentOptions _options = options.Value;

    /// <summary>Starts a run for <paramref name="author"/>'s message; null while another run is active.</summary>
    public AgentRun? Start(AgentSession agent, string text, string? author = null)
    {
        if (agent.TryBeginRun(_options.MaxSteps) is not { } run)
        {
            return null;
        }

        agent.AddMessage(UserRole, text, run.Id, author: author);
        _ = Task.Run(() => RunAsync(agent, run));
        return run;
    }

    /// <summary>
    /// A workflow's <c>agent</c> step: the model carries out <paramref name="instruction"/> with the browser tools inside
    /// <paramref name="run"/>, which the workflow began and keeps (it is not finished here). The model's closing text, or
    /// the reason it could not be done.
    /// </summary>
    internal async Task<(string? Text, string? Error)> CarryOutAsync(AgentSession agent, AgentRun run, string instruction, CancellationToken cancellationToken)
    {
        if (!model.IsConfigured)
        {
            return (null, model.SetupHint);
        }

        agent.AddMessage(UserRole, instruction, run.Id, author: StepOrigin.WorkflowSource);
        try
        {
            var chat = model.Service;
            var kernel = agent.Kernel ??= BuildKernel(agent, chat);
            var history = new ChatHistory(SystemPrompt(agent, run));
            history.AddUserMessage(instruction);
            var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), Temperature = _options.Temperature };
            var reply = await chat.GetChatMessageContentAsync(history, settings, kernel, cancellationToken);
            FlushText(agent, run, reply.Content);
            return run.StepLimitHit
                ? (null, $"Stopped after {run.MaxSteps} steps: the step limit (Agent:MaxSteps) was reached before the instruction was done.")
                : (reply.Content?.Trim() ?? "", null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ModelFailure(ex) is { } reason)
        {
            LogModelFailed(ex, agent.Browser.Id, run.Id);
            FlushText(agent, run, null);
            return (null, reason);
        }
    }

    /// <summary>The text a tool's outcome becomes for the model: page content inside the run's markers, secrets as placeholders.</summary>
    internal static string ForModel(AgentSession agent, ToolOutcome outcome)
    {
        var markers = agent.ActiveRun?.Markers ?? new BoundaryMarkers();
        var text = outcome.Result is { } result
            ? markers.Wrap(result.ModelText, result.Source)
            : "Error: " + (outcome.ErrorFromPage ? markers.Wrap(outcome.Error!, null) : outcome.Error);
        return agent.Vault.Scrub(text);
    }

    /// <summary>ask_user: control goes to the user until they say done; their note comes back as the result.</summary>
    internal static async Task<string> AskUserAsync(AgentSession agent, string question, CancellationToken cancellationToken)
    {
        var run = agent.ActiveRun ?? throw new InvalidOperationException("No run is active.");
        FlushText(agent, run, null);
        var step = agent.Steps.Start(ToolNames.AskUser, JsonSerializer.Serialize(new { question }), StepOrigin.ForRun(run));
        agent.AddMessage(AssistantRole, question, run.Id);
        agent.Steps.Update(step, StepStatuses.WaitingForUser);
        try
        {
            var note = await agent.HandToUserAsync(run, question, cancellationToken);
            agent.Steps.Finish(step, StepStatuses.Ok, "The user is done", null);
            var said = string.IsNullOrWhiteSpace(note) ? "" : $" They said: \"{agent.Vault.Scrub(note.Trim())}\".";
            return $"The user is done and gave control back.{said} Take a new snapshot before going on.";
        }
        catch (OperationCanceledException)
        {
            agent.Steps.Finish(step, StepStatuses.Cancelled, null, "The run ended while waiting for the user.");
            throw;
        }
    }

    private async Task RunAsync(AgentSession agent, AgentRun run)
    {
        // A child of the request that started the run; Semantic Kernel's model and function spans nest inside it.
        using var activity = BrowserServiceActivities.AgentRun(agent.Browser.Id, run.Id);
        LogRunStarted(agent.Browser.Id, run.Id);
        if (!model.IsConfigured)
        {
            agent.AddMessage(NoticeRole, model.SetupHint, run.Id);
            agent.FinishRun(run, RunStates.Failed, model.SetupHint);
            return;
        }

        try
        {
            var chat = model.Service;
            var kernel = agent.Kernel ??= BuildKernel(agent, chat);
            var history = History(agent, run);
            var settings = new OpenAIPromptExecutionSettings
            {
                FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(),
                Temperature = _options.Temperature,
            };
            if (_options.Streaming)
            {
                await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(history, settings, kernel, run.Token))
                {
                    if (!string.IsNullOrEmpty(chunk.Content))
                    {
                        run.PendingText.Append(chunk.Content);
                        agent.Browser.Publish(new AgentTextStreamed(agent.Browser.Id, new AgentTextDeltaDto(run.Id, run.PendingMessageId, chunk.Content)));
                    }
                }

                FlushText(agent, run, null);
            }
            else
            {
                var reply = await chat.GetChatMessageContentAsync(history, settings, kernel, run.Token);
                FlushText(agent, run, reply.Content);
            }

            if (run.StepLimitHit)
            {
                End(agent, run, RunStates.StepLimit, $"Stopped after {run.MaxSteps} steps: the step limit (Agent:MaxSteps) was reached before the task was done.");
            }
            else
            {
                agent.FinishRun(run, RunStates.Completed, "Done.");
            }
        }
        catch (OperationCanceledException) when (run.Token.IsCancellationRequested)
        {
            FlushText(agent, run, null);
            End(agent, run, RunStates.Cancelled, "Cancelled.");
        }
        catch (Exception ex) when (ModelFailure(ex) is { } reason)
        {
            LogModelFailed(ex, agent.Browser.Id, run.Id);
            FlushText(agent, run, null);
            End(agent, run, RunStates.Failed, reason);
        }
        finally
        {
            activity.Finish(run.State, run.State is RunStates.Completed ? null : run.State);
            LogRunFinished(agent.Browser.Id, run.Id, run.State, run.Steps);
        }
    }

    /// <summary>Ends a run with a notice in the chat saying why.</summary>
    private static void End(AgentSession agent, AgentRun run, string state, string message)
    {
        agent.AddMessage(NoticeRole, message, run.Id);
        agent.FinishRun(run, state, message);
    }

    /// <summary>The model's text so far becomes a chat entry (the streamed deltas carried the same id).</summary>
    private static void FlushText(AgentSession agent, AgentRun run, string? fallback)
    {
        var text = run.PendingText.Length > 0 ? run.PendingText.ToString() : fallback;
        run.PendingText.Clear();
        if (!string.IsNullOrWhiteSpace(text))
        {
            agent.AddMessage(AssistantRole, text.Trim(), run.Id, run.PendingMessageId);
            run.PendingMessageId = Ids.New(10);
        }
    }

    private static Kernel BuildKernel(AgentSession agent, IChatCompletionService chat)
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(chat);
        var kernel = builder.Build();
        kernel.Plugins.AddFromObject(new BrowserPlugin(agent), BrowserPlugin.Name);
        kernel.AutoFunctionInvocationFilters.Add(new RunStepFilter(agent));
        return kernel;
    }

    private ChatHistory History(AgentSession agent, AgentRun run)
    {
        var history = new ChatHistory(SystemPrompt(agent, run));
        foreach (var message in agent.Messages.Where(m => m.Role is UserRole or AssistantRole).TakeLast(HistoryTurns))
        {
            var text = agent.Vault.Scrub(message.Text);
            if (message.Role == UserRole)
            {
                history.AddUserMessage(text);
            }
            else
            {
                history.AddAssistantMessage(text);
            }
        }

        return history;
    }

    private string SystemPrompt(AgentSession agent, AgentRun run)
    {
        var secrets = agent.Vault.Names;
        var secretLine = secrets.Count == 0
            ? "The user has stored no secrets in this session."
            : $"The user stored these secrets: {string.Join(", ", secrets)}. You never see their values: write {{{{secret:NAME}}}} "
              + "where one is needed (type, fill_form) and the browser fills it in. Never ask the user to tell you a secret.";
        var origins = _options.AllowedOrigins.Length == 0
            ? ""
            : $"\nThe allowed sites are {string.Join(", ", _options.AllowedOrigins)}; going elsewhere needs the user's approval.";
        return $"""
            You are Opera Studio's browser agent. You act in the user's real browser session through the browser tools, while
            the user watches live and can take over at any time. Work step by step and keep answers short.

            How to act:
            - Call snapshot to read the page: an accessibility tree in which elements you can act on carry refs like [ref=e12].
              Act by ref (click, type, select, hover, press) or by a short description (click with description, fill_form with
              field labels). Refs change when the page changes: take a new snapshot after navigating or submitting.
            - Never invent CSS selectors or element ids; use refs and descriptions only.
            - {secretLine}
            - When you need the user (to log in, enter a 2FA code, solve a captcha, or decide), call ask_user and wait.
            - Some steps need the user's approval (running a script, submitting a password form, a download, leaving the
              allowed sites). If a step comes back "denied", do not retry it: choose another way or explain and stop.
            - When a tool answers with an error, read it and try another way; stop and explain after repeated failures.
            - When the task is done, say so in one or two sentences.{origins}

            Safety: {run.Markers.Instructions}
            """;
    }

    /// <summary>
    /// Why the run must end, for errors of the model endpoint; null for anything else. Plain requests fail with SK's
    /// HttpOperationException; streaming ones with the OpenAI library's ClientResultException (SK does not wrap those).
    /// </summary>
    internal string? ModelFailure(Exception exception) => exception switch
    {
        HttpOperationException { StatusCode: { } status } http => HttpFailure((int)status, http.ResponseContent),
        ClientResultException { Status: > 0 } client => HttpFailure(client.Status, client.GetRawResponse()?.Content?.ToString()),
        HttpOperationException { InnerException: OperationCanceledException or TimeoutException } or OperationCanceledException or TimeoutException =>
            $"The model did not answer within {_options.RequestTimeoutSeconds} s (Agent:RequestTimeoutSeconds). The run stopped; send a message to try again.",
        HttpOperationException or ClientResultException or HttpRequestException =>
            $"The model endpoint could not be reached: {SessionsApi.FirstLine(exception.InnerException?.Message ?? exception.Message)}. The run stopped.",
        KernelException or JsonException or InvalidOperationException or NotSupportedException =>
            $"The model's answer could not be used: {SessionsApi.FirstLine(exception.Message)}. The run stopped.",
        _ => null,
    };

    private static string HttpFailure(int status, string? body) =>
        $"The model endpoint answered HTTP {status}{Excerpt(body)}. "
        + (status is 401 or 403 ? "Check the API key (Agent:ApiKey). " : status == 404 ? "Check Agent:BaseUrl and Agent:Model. " : "")
        + "The run stopped; send a message to try again.";

    /// <summary>The error's own message when the body is OpenAI's error JSON, else the start of the body.</summary>
    private static string Excerpt(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "";
        }

        var text = body;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement.ValueKind == JsonValueKind.Array && json.RootElement.GetArrayLength() > 0 ? json.RootElement[0] : json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                text = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) ? message.ToString() : error.ToString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: quote the start of it.
        }

        text = text.ReplaceLineEndings(" ").Trim();
        return ": " + (text.Length <= 300 ? text : text[..300] + "…");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: agent run {RunId} started")]
    private partial void LogRunStarted(string sessionId, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: agent run {RunId} ended {State} after {Steps} step(s)")]
    private partial void LogRunFinished(string sessionId, string runId, string state, int steps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: agent run {RunId} stopped on a model error")]
    private partial void LogModelFailed(Exception exception, string sessionId, string runId);

    /// <summary>
    /// Before each tool call of a run: posts the model's text so far, holds the call while the user has control,
    /// and ends the run (without calling) when the step limit is reached.
    /// </summary>
    private sealed class RunStepFilter(AgentSession agent) : IAutoFunctionInvocationFilter
    {
        public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
        {
            if (agent.ActiveRun is not { } run)
            {
                context.Terminate = true;
                return;
            }

            if (context.FunctionSequenceIndex == 0)
            {
                FlushText(agent, run, context.ChatMessageContent.Content);
            }

            await run.WaitForAgentTurnAsync(context.CancellationToken);
            if (!run.TryTakeStep())
            {
                run.StepLimitHit = true;
                context.Result = new FunctionResult(context.Function, "The step limit is reached; the run stops here.");
                context.Terminate = true;
                return;
            }

            agent.SetRunState(run, RunStates.Running);
            await next(context);
        }
    }
}
