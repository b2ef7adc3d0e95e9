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

    /// <summary>How long a step's image may take before the step goes without one.</summary>
    private static readonly TimeSpan ThumbnailTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The frame every tool runs in: the step is announced, the body runs (interrupted if the user takes control),
    /// failures become errors, and the step finishes with its summary. Every failure but the caller's cancellation
    /// ends the step and comes back as an error: an exception escaping here would leave the step running for good.
    /// The image of the tab is taken after the step answers (it cost most of a fast step's time).
    /// </summary>
    private async Task<ToolOutcome> StepAsync(
        string tool, object arguments, StepOrigin origin, Func<AgentStepDto, CancellationToken, Task<ToolResult>> body, CancellationToken cancellationToken)
    {
        var step = _agent.Steps.Start(tool, _agent.Vault.Scrub(JsonSerializer.Serialize(arguments, ArgumentsJson)), origin);
        using var activity = BrowserServiceActivities.ToolStep(Browser.Id, tool, origin.Run is null ? "api" : "agent");
        using var interrupt = origin.Run is { } run
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, run.StepInterruptToken)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Browser.Touch();
        try
        {
            var result = Scrubbed(await body(step, interrupt.Token));
            CaptureThumbnail(step);
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
            CaptureThumbnail(step);
            var error = _agent.Vault.Scrub(ex.Message);
            _agent.Steps.Finish(step, ex.Status, null, error);
            activity.Finish(ex.Status, error);
            return new ToolOutcome(null, error, ex.FromPage);
        }
        catch (Exception ex)
        {
            var expected = ex is PlaywrightException or TimeoutException or InvalidOperationException;
            var message = _agent.Vault.Scrub(expected ? Explain(ex, tool) : $"The {tool} step failed: {SessionsApi.FirstLine(ex.Message)}");
            if (expected)
            {
                LogToolFailed(Browser.Id, tool, message);
            }
            else
            {
                LogToolFailedUnexpectedly(ex, Browser.Id, tool);
            }

            CaptureThumbnail(step);
            _agent.Steps.Finish(step, ToolException.ErrorStatus, null, message);
            activity.Finish(ToolException.ErrorStatus, message);
            return new ToolOutcome(null, message, ErrorFromPage: true);
        }
    }

    /// <summary>
    /// The result with every stored secret's value replaced by its placeholder: a page can echo what was typed into it
    /// (a snapshot shows a text field's value, a script can return it), and what a step says goes to the model, the
    /// actions API, the step log and history.
    /// </summary>
    private ToolResult Scrubbed(ToolResult result) => result with
    {
        Summary = _agent.Vault.Scrub(result.Summary),
        ModelText = _agent.Vault.Scrub(result.ModelText),
        Data = _agent.Vault.Scrub(result.Data),
    };

    /// <summary>Starts taking the step's image of the tab (unless it has one); the step's answer does not wait for it.</summary>
    private void CaptureThumbnail(AgentStepDto step)
    {
        if (!_agent.Steps.HasImage(step.Id) && !Browser.IsClosed)
        {
            _agent.Steps.SetImage(step.Id, CaptureThumbnailAsync());
        }
    }

    private async Task<byte[]?> CaptureThumbnailAsync()
    {
        try
        {
            var viewport = Browser.Viewport;
            return await Browser.ActiveTab.CaptureViewAsync(viewport, quality: 60, scale: 320.0 / viewport.Width).WaitAsync(ThumbnailTimeout, _time);
        }
        catch (Exception ex) when (ex is PlaywrightException or InvalidOperationException or KeyNotFoundException or TimeoutException)
        {
            // A closing, crashed or busy tab: the step has no image.
            return null;
        }
    }

    /// <summary>An expected failure in one sentence; a timeout says how long it waited and what was in the way.</summary>
    private string Explain(Exception exception, string tool)
    {
        var first = SessionsApi.FirstLine(exception.Message);
        if (exception is not TimeoutException && !first.Contains("Timeout", StringComparison.Ordinal))
        {
            return first;
        }

        if (tool is ToolNames.Navigate or ToolNames.GoBack or ToolNames.GoForward or ToolNames.Tabs)
        {
            // These wait for a page, not an element.
            return $"Timed out after {Seconds(Timeout)}: the page did not finish loading; take a snapshot to see what it shows.";
        }

        // Playwright's call log names what took the click: "<div id="cover">…</div> intercepts pointer events".
        var covering = CoveringElement().Matches(exception.Message).LastOrDefault();
        return covering is null
            ? $"Timed out after {Seconds(Timeout)}: the element stayed hidden, disabled or moving; take a new snapshot."
            : $"Timed out after {Seconds(Timeout)}: the element is covered by {Shorten(covering.Groups[1].Value, 160)}.";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(<[^\n]+?) intercepts pointer events")]
    private static partial System.Text.RegularExpressions.Regex CoveringElement();

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: tool {Tool} failed: {Reason}")]
    private partial void LogToolFailed(string sessionId, string tool, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: tool {Tool} failed unexpectedly")]
    private partial void LogToolFailedUnexpectedly(Exception exception, string sessionId, string tool);
}
