using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Workflows.Comparison;
using OperaStudio.BrowserService.Workflows.Definitions;

namespace OperaStudio.BrowserService.Workflows.Runs;

/// <summary>
/// Carries out one step (placeholders already filled in) through the same <see cref="BrowserTools"/> as the agent and
/// the actions API, so the URL policy, approvals, secrets and the step log apply alike, and each step shows in the
/// session's chat as a <c>workflow</c> step card. An element description the page does not resolve is re-grounded by
/// the model once, when one is configured.
/// </summary>
public sealed class StepExecutor(AgentRunner runner, Regrounder regrounder, ComparisonSummarizer summarizer, IOptions<WorkflowOptions> options)
{
    /// <summary>Actions whose element description the model may replace with a ref.</summary>
    private static readonly HashSet<string> Regroundable = [WorkflowActions.Click, WorkflowActions.Type, WorkflowActions.Select, WorkflowActions.Hover];

    public async Task<StepOutcome> RunAsync(AgentSession agent, AgentRun run, JsonObject step, JsonObject outputs, CancellationToken cancellationToken)
    {
        var action = Text(step, StepSpecs.ActionKey)!;
        var origin = StepOrigin.ForWorkflow(run);
        switch (action)
        {
            case WorkflowActions.CompareResults:
                return await CompareAsync(agent, origin, step, outputs, cancellationToken);
            case WorkflowActions.Agent:
                var (text, error) = await runner.CarryOutAsync(agent, run, Text(step, "instruction")!, cancellationToken);
                return error is null ? StepOutcome.Done("The agent carried out the instruction", JsonValue.Create(text)) : StepOutcome.Failed(error);
            case WorkflowActions.AskUser:
                var said = await AgentRunner.AskUserAsync(agent, Text(step, "question")!, cancellationToken);
                return StepOutcome.Done("The user is done", JsonValue.Create(said));
        }

        var timeout = Number(step, StepSpecs.TimeoutKey) ?? options.Value.DefaultStepTimeoutSeconds * 1000;
        var outcome = await BrowserTools.WithTimeout(timeout, () => CallAsync(agent.Tools, action, step, origin, cancellationToken));
        if (outcome.Ok || !outcome.ErrorFromPage || !Regroundable.Contains(action) || Text(step, "description") is not { } description || !regrounder.IsAvailable)
        {
            return FromTool(outcome);
        }

        return await RegroundAsync(agent, run, action, step, description, outcome.Error!, timeout, cancellationToken);
    }

    private async Task<StepOutcome> RegroundAsync(
        AgentSession agent, AgentRun run, string action, JsonObject step, string description, string error, int timeout, CancellationToken cancellationToken)
    {
        var origin = StepOrigin.ForWorkflow(run);
        var snapshot = await BrowserTools.WithTimeout(timeout, () => agent.Tools.SnapshotAsync(origin, cancellationToken));
        if (snapshot.Result is not { } page)
        {
            return StepOutcome.Failed(error, $"The description did not resolve and the page could not be read for the model: {snapshot.Error}");
        }

        string? reference;
        try
        {
            reference = await regrounder.FindRefAsync(run, page.ModelText, page.Source ?? "", action, description, error, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && runner.ModelFailure(ex) is { } reason)
        {
            return StepOutcome.Failed(error, $"The description did not resolve and the model could not be asked: {reason}");
        }

        if (reference is null)
        {
            return StepOutcome.Failed(error, "The description did not resolve; the model found no element for it either.");
        }

        var retried = (JsonObject)step.DeepClone();
        retried.Remove("description");
        retried["ref"] = reference;
        var second = await BrowserTools.WithTimeout(timeout, () => CallAsync(agent.Tools, action, retried, origin, cancellationToken));
        var said = $"\"{BrowserTools.Shorten(description, 80)}\" did not resolve on the page; the model chose {reference}";
        return FromTool(second) with { Regrounded = second.Ok ? said + "." : said + ", which failed too." };
    }

    private static Task<ToolOutcome> CallAsync(BrowserTools tools, string action, JsonObject a, StepOrigin origin, CancellationToken ct) => action switch
    {
        WorkflowActions.Navigate => tools.NavigateAsync(Text(a, "url")!, Text(a, "wait_until"), origin, ct),
        WorkflowActions.FillForm => tools.FillFormAsync(Fields(a), origin, ct),
        WorkflowActions.Click => tools.ClickAsync(
            ClickTarget.Of(Text(a, "ref"), Text(a, "description"), Text(a, "text"), Double(a, "x"), Double(a, "y")), origin, ct),
        WorkflowActions.Type => tools.TypeAsync(Text(a, "ref"), Text(a, "description"), Text(a, "text")!, Flag(a, "submit"), origin, ct),
        WorkflowActions.Select => tools.SelectAsync(Text(a, "ref"), Text(a, "description"), Text(a, "value")!, origin, ct),
        WorkflowActions.Hover => tools.HoverAsync(Text(a, "ref"), Text(a, "description"), origin, ct),
        WorkflowActions.Press => tools.PressAsync(Text(a, "key")!, Text(a, "ref"), origin, ct),
        WorkflowActions.Scroll => tools.ScrollAsync(Text(a, "direction"), Text(a, "ref"), origin, ct),
        WorkflowActions.WaitFor => tools.WaitForAsync(Text(a, "text"), Text(a, "url"), Text(a, "ref"), Number(a, "ms"), origin, ct),
        WorkflowActions.ExtractData => tools.ExtractDataAsync(a["schema"]!.ToJsonString(), origin, ct),
        WorkflowActions.Screenshot => tools.ScreenshotAsync(Flag(a, "full_page"), Text(a, "element_description"), origin, ct),
        WorkflowActions.GetContent => tools.GetContentAsync(Text(a, "format") ?? "text", origin, ct),
        WorkflowActions.Tabs => tools.TabsAsync(Text(a, StepSpecs.TabActionKey)!, Text(a, "tab_id"), Text(a, "url"), origin, ct),
        WorkflowActions.ExecuteScript => tools.ExecuteScriptAsync(Text(a, "script")!, origin, ct),
        WorkflowActions.GoBack => tools.GoBackAsync(origin, ct),
        WorkflowActions.GoForward => tools.GoForwardAsync(origin, ct),
        _ => throw new InvalidOperationException($"The action '{action}' is not one a tool carries out."),
    };

    /// <summary>A tool's outcome as a step's: its data is the output (a screenshot's picture is kept apart from it).</summary>
    private static StepOutcome FromTool(ToolOutcome outcome)
    {
        if (outcome.Result is not { } result)
        {
            // The approval gate's words for a refused step (see BrowserTools.ApproveAsync).
            var denied = outcome.Error is "denied" or "approval timed out";
            return new StepOutcome(denied ? WorkflowStepStatuses.Denied : WorkflowStepStatuses.Error, null, null, outcome.Error);
        }

        var data = result.Data ?? (result.DataIsJson ? null : JsonValue.Create(result.ModelText));
        byte[]? image = null;
        if (data is JsonObject obj && obj["image"] is JsonValue encoded && encoded.TryGetValue<string>(out var base64))
        {
            image = Convert.FromBase64String(base64);
            data = obj.DeepClone();
            ((JsonObject)data).Remove("image");
        }

        return new StepOutcome(WorkflowStepStatuses.Ok, result.Summary, data?.DeepClone(), null, null, image);
    }

    private async Task<StepOutcome> CompareAsync(AgentSession agent, StepOrigin origin, JsonObject step, JsonObject outputs, CancellationToken cancellationToken)
    {
        var of = step["of"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        var card = agent.Steps.Start(WorkflowActions.CompareResults, step.ToJsonString(), origin);
        try
        {
            var comparison = ResultComparer.Compare(of, [.. of.Select(name => outputs[name]?.DeepClone())], step);
            if (await summarizer.SummarizeAsync(comparison, cancellationToken) is { } summary)
            {
                comparison = comparison with { Summary = summary };
            }

            var said = $"Compared {string.Join(", ", of)}: {comparison.Rows.Count} matched records";
            agent.Steps.Finish(card, StepStatuses.Ok, said, null);
            return StepOutcome.Done(said, JsonSerializer.SerializeToNode(comparison, WorkflowJson.Options));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = $"The comparison failed: {ex.Message}";
            agent.Steps.Finish(card, StepStatuses.Error, null, error);
            return StepOutcome.Failed(error);
        }
    }

    private static string? Text(JsonObject step, string name) =>
        step[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static bool Flag(JsonObject step, string name) => step[name]?.GetValueKind() == JsonValueKind.True;

    private static int? Number(JsonObject step, string name) =>
        step[name] is JsonValue value && value.TryGetValue<double>(out var number) ? (int)number : null;

    private static double? Double(JsonObject step, string name) =>
        step[name] is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    private static Dictionary<string, string> Fields(JsonObject step) =>
        step["fields"]!.AsObject().ToDictionary(
            f => f.Key,
            f => f.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text : f.Value!.ToJsonString(),
            StringComparer.Ordinal);
}
