using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Diagnostics;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Tools;

// The step frame every tool runs in: the step log, its trace, cancellation and interruption, errors, the thumbnail.
public sealed partial class BrowserTools
{
    private static readonly JsonSerializerOptions ArgumentsJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// The frame every tool runs in: the step is announced, the body runs (interrupted if the user takes control),
    /// failures become errors, and the step finishes with its summary and an image of the tab.
    /// </summary>
    private async Task<ToolOutcome> StepAsync(
        string tool, object arguments, StepOrigin origin, Func<AgentStepDto, CancellationToken, Task<ToolResult>> body, CancellationToken cancellationToken)
    {
        var step = _agent.Steps.Start(tool, JsonSerializer.Serialize(arguments, ArgumentsJson), origin);
        using var activity = BrowserServiceActivities.ToolStep(Browser.Id, tool, origin.Run is null ? "api" : "agent");
        using var interrupt = origin.Run is { } run
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, run.StepInterruptToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Browser.Touch();
        try
        {
            var result = await body(step, interrupt.Token);
            await CaptureThumbnailAsync(step, cancellationToken);
            _agent.Steps.Finish(step, StepStatuses.Ok, result.Summary, null);
            activity.Finish(StepStatuses.Ok);
            return new ToolOutcome(result, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _agent.Steps.Finish(step, StepStatuses.Cancelled, null, "The run was cancelled.");
            activity.Finish(StepStatuses.Cancelled);
            throw;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            const string interrupted = "The user took control and interrupted this step. When control comes back, take a new snapshot before going on.";
            _agent.Steps.Finish(step, StepStatuses.Interrupted, null, interrupted);
            activity.Finish(StepStatuses.Interrupted);
            return new ToolOutcome(null, interrupted);
        }
        catch (ToolException ex)
        {
            await CaptureThumbnailAsync(step, cancellationToken);
            _agent.Steps.Finish(step, ex.Status, null, ex.Message);
            activity.Finish(ex.Status, ex.Message);
            return new ToolOutcome(null, ex.Message, ex.FromPage);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or InvalidOperationException)
        {
            var message = Explain(ex);
            LogToolFailed(Browser.Id, tool, message);
            await CaptureThumbnailAsync(step, cancellationToken);
            _agent.Steps.Finish(step, ToolException.ErrorStatus, null, message);
            activity.Finish(ToolException.ErrorStatus, message);
            return new ToolOutcome(null, message, ErrorFromPage: true);
        }
    }

    private async Task CaptureThumbnailAsync(AgentStepDto step, CancellationToken cancellationToken)
    {
        if (_agent.Steps.HasImage(step.Id) || Browser.IsClosed)
        {
            return;
        }

        try
        {
            var tab = Browser.ActiveTab;
            var viewport = Browser.Viewport;
            var metrics = await tab.Cdp.SendAsync("Page.getLayoutMetrics").WaitAsync(cancellationToken);
            var visual = metrics!.Value.GetProperty("cssVisualViewport");
            var shot = await tab.Cdp.SendAsync("Page.captureScreenshot", new()
            {
                ["format"] = "jpeg",
                ["quality"] = 60,
                ["clip"] = new Dictionary<string, object>
                {
                    ["x"] = visual.GetProperty("pageX").GetDouble(),
                    ["y"] = visual.GetProperty("pageY").GetDouble(),
                    ["width"] = viewport.Width,
                    ["height"] = viewport.Height,
                    ["scale"] = 320.0 / viewport.Width,
                },
            }).WaitAsync(cancellationToken);
            _agent.Steps.SetImage(step.Id, Convert.FromBase64String(shot!.Value.GetProperty("data").GetString()!));
        }
        catch (Exception ex) when (ex is PlaywrightException or InvalidOperationException or KeyNotFoundException or TimeoutException)
        {
            // A closing or crashed tab: the step has no image.
        }
    }

    private static string Explain(Exception exception)
    {
        var first = SessionsApi.FirstLine(exception.Message);
        return exception is TimeoutException || first.Contains("Timeout", StringComparison.Ordinal)
            ? $"Timed out: {first}. The element may be hidden, disabled or covered; take a new snapshot."
            : first;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: tool {Tool} failed: {Reason}")]
    private partial void LogToolFailed(string sessionId, string tool, string reason);
}
