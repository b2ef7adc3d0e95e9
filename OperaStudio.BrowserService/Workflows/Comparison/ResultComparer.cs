using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Comparison;

/// <summary>compare_results: the outputs of earlier steps, compared deterministically.</summary>
public static class ResultComparer
{
    /// <summary>
    /// Compares <paramref name="data"/> (one output per name in <paramref name="of"/>, same order: arrays of records, or
    /// single objects). <paramref name="step"/> is the compare_results step's own JSON: optional <c>match_by</c> (a field
    /// name) and <c>prefer</c> (<c>{"field": "min" | "max"}</c>).
    /// </summary>
    public static ComparisonDto Compare(IReadOnlyList<string> of, IReadOnlyList<JsonNode?> data, JsonObject step) =>
        throw new NotImplementedException("Comparison is being written (Workflows/Comparison).");
}
