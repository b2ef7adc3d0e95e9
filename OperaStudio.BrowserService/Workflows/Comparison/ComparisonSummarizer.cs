using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Comparison;

/// <summary>compare_results' short written summary, from the configured model.</summary>
public sealed class ComparisonSummarizer
{
    /// <summary>The summary; null when no model is configured or it could not answer (the table stands on its own).</summary>
    public Task<string?> SummarizeAsync(ComparisonDto comparison, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(null);
}
