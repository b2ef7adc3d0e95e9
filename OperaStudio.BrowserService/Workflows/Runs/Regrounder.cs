using System.Text.RegularExpressions;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Runs;

namespace OperaStudio.BrowserService.Workflows.Runs;

/// <summary>
/// When a step's element description matches nothing usable on the page, the model is asked once which element it
/// means: the page's snapshot (inside the run's markers, as page text always reaches the model) and the description
/// go in, a ref comes back, and the step is tried once more with it.
/// </summary>
public sealed partial class Regrounder(ChatModel model)
{
    public bool IsAvailable => model.IsConfigured;

    [GeneratedRegex(@"\b((?:f\d+)?e\d+)\b")]
    private static partial Regex Ref();

    /// <summary>The ref the model chose; null when it named none.</summary>
    public async Task<string?> FindRefAsync(AgentRun run, string snapshot, string source, string action, string description, string error, CancellationToken cancellationToken)
    {
        var history = new ChatHistory($"""
            You find elements on web pages for Opera Studio's workflows. A saved workflow step must act on an element given by
            a description, and the description alone did not pick one. Read the page's accessibility snapshot: elements carry
            refs like [ref=e12]. Answer with the one ref of the element the step means and nothing else, or "none" when no
            element fits.

            Safety: {run.Markers.Instructions}
            """);
        history.AddUserMessage($"""
            Step: {action} "{description}"
            Why the description alone failed: {error}
            The page:
            {run.Markers.Wrap(snapshot, source)}
            """);
        var settings = new OpenAIPromptExecutionSettings { Temperature = 0 };
        var reply = await model.Service.GetChatMessageContentAsync(history, settings, kernel: null, cancellationToken);
        return reply.Content is { } text && Ref().Match(text) is { Success: true } match ? match.Groups[1].Value : null;
    }
}
