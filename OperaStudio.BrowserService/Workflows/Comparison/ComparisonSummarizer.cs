using System.Text;
using System.Text.Json;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Comparison;

/// <summary>compare_results' short written summary, from the configured model.</summary>
public sealed partial class ComparisonSummarizer(ChatModel model, ILogger<ComparisonSummarizer> logger)
{
    // The table as the model reads it is cut here: a summary needs the gist, not every record of a long list.
    private const int MaxTableChars = 12_000;

    private static readonly JsonSerializerOptions Compact = new(JsonSerializerDefaults.Web);

    /// <summary>The summary; null when no model is configured or it could not answer (the table stands on its own).</summary>
    public async Task<string?> SummarizeAsync(ComparisonDto comparison, CancellationToken cancellationToken)
    {
        if (!model.IsConfigured || comparison.Rows.Count == 0)
        {
            return null;
        }

        // The records come from web pages: they are data for the model, never instructions.
        var markers = new BoundaryMarkers();
        var history = new ChatHistory(
            "You summarize a comparison of data that a workflow extracted from web pages, for the person who runs it. "
            + "Write two to four plain sentences: which source is better for which records (for prices, lower is better "
            + "unless the rule says max), what only one source has, and notable differences. No lists, no tables, no "
            + "markdown. " + markers.Instructions);
        history.AddUserMessage(markers.Wrap(Table(comparison), source: null));

        try
        {
            var settings = new OpenAIPromptExecutionSettings { MaxTokens = 400 };
            var reply = await model.Service.GetChatMessageContentAsync(history, settings, kernel: null, cancellationToken);
            var text = reply.Content?.Trim();
            return string.IsNullOrEmpty(text) ? null : text;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A summary is a nicety: a model that fails (or times out) leaves the comparison without one.
            LogFailed(logger, error);
            return null;
        }
    }

    /// <summary>What the model reads: the compared steps, how records were matched, and each row with its best values.</summary>
    internal static string Table(ComparisonDto comparison)
    {
        var text = new StringBuilder();
        text.Append("Compared outputs: ").AppendJoin(", ", comparison.Of).Append(". Matched by: ").Append(comparison.MatchedBy).Append('.').AppendLine();
        foreach (var row in comparison.Rows)
        {
            text.Append("- ").Append(row.Key).Append(": ");
            for (var i = 0; i < comparison.Of.Count; i++)
            {
                var record = i < row.Records.Count ? row.Records[i] : null;
                text.Append(comparison.Of[i]).Append('=').Append(record is { } r ? JsonSerializer.Serialize(r, Compact) : "(none)").Append("; ");
            }

            if (row.Best.Count > 0)
            {
                text.Append("best: ").AppendJoin(", ", row.Best.Select(b => $"{b.Field} {b.Rule} at {b.Step} ({b.Value})"));
            }

            text.AppendLine();
            if (text.Length > MaxTableChars)
            {
                text.Length = MaxTableChars;
                text.AppendLine().Append("… (more rows cut)");
                break;
            }
        }

        return text.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "compare_results: the model gave no summary")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
