using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Safety;

namespace OperaStudio.BrowserService.Agent.Tools;

// execute_script: runs the caller's script in the page after approval.
public sealed partial class BrowserTools
{
    public Task<ToolOutcome> ExecuteScriptAsync(string script, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.ExecuteScript, new { script }, origin, async (step, ct) =>
        {
            if (string.IsNullOrWhiteSpace(script))
            {
                throw new ToolException("script is empty.");
            }

            await ApproveAsync(step, [Sensitivity.ExecuteScript], null, ct);
            var page = Browser.ActiveTab.Page;
            // The value as the page's JSON.stringify writes it: Playwright's own conversion of a result adds $id keys
            // to objects. A handle, because the script may be a statement list that cannot be wrapped in an expression.
            var handle = await BoundedAsync(page.EvaluateHandleAsync(AsEvaluable(script)), ct);
            string json;
            try
            {
                json = await BoundedAsync(handle.EvaluateAsync<string?>("v => JSON.stringify(v) ?? null"), ct) ?? "null";
            }
            finally
            {
                _ = handle.DisposeAsync().AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            }

            return new ToolResult(
                $"Ran a script: {Shorten(json, 80)}", Shorten(json, _options.MaxContentChars), JsonNode.Parse(json), Source: page.Url, DataIsJson: true);
        }, cancellationToken);

    /// <summary>A bare function body with <c>return</c> runs as an async function; expressions and functions run as given.</summary>
    private static string AsEvaluable(string script)
    {
        var trimmed = script.Trim();
        var isFunction = trimmed.StartsWith('(') || trimmed.StartsWith("function", StringComparison.Ordinal) || trimmed.StartsWith("async", StringComparison.Ordinal);
        return !isFunction && ReturnStatement().IsMatch(trimmed) ? $"async () => {{\n{trimmed}\n}}" : trimmed;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(^|[;{}\n])\s*return\b")]
    private static partial System.Text.RegularExpressions.Regex ReturnStatement();
}
