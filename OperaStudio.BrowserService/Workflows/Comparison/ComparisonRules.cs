using System.Text.Json;
using System.Text.Json.Nodes;

namespace OperaStudio.BrowserService.Workflows.Comparison;

/// <summary>
/// A compare_results step's own options: <c>match_by</c> (a field name) and <c>prefer</c> (<c>{"field": "min" |
/// "max"}</c>, or one of those words for every numeric field). Prices are the common case, so the default is min.
/// </summary>
public sealed record ComparisonRules(string? MatchBy, string DefaultRule, IReadOnlyDictionary<string, string> Prefer)
{
    public const string Min = "min";
    public const string Max = "max";

    /// <summary>The rule for a numeric field: its own <c>prefer</c> (the name's case aside), else the default.</summary>
    public string RuleFor(string field) =>
        Prefer.TryGetValue(field, out var rule) ? rule
        : Prefer.FirstOrDefault(p => string.Equals(p.Key, field, StringComparison.OrdinalIgnoreCase)).Value ?? DefaultRule;

    /// <summary>Reads the step's options; throws <see cref="WorkflowInvalidException"/> listing what is wrong.</summary>
    public static ComparisonRules Read(JsonObject step)
    {
        var problems = Problems(step);
        if (problems.Count > 0)
        {
            throw new WorkflowInvalidException(problems);
        }

        var matchBy = step["match_by"]?.GetValue<string>().Trim();
        var prefer = new Dictionary<string, string>(StringComparer.Ordinal);
        var defaultRule = Min;
        switch (step["prefer"])
        {
            case JsonValue word:
                defaultRule = word.GetValue<string>().Trim().ToLowerInvariant();
                break;
            case JsonObject fields:
                foreach (var (field, rule) in fields)
                {
                    prefer[field] = rule!.GetValue<string>().Trim().ToLowerInvariant();
                }

                break;
        }

        return new ComparisonRules(string.IsNullOrEmpty(matchBy) ? null : matchBy, defaultRule, prefer);
    }

    /// <summary>What is wrong with the step's <c>match_by</c> and <c>prefer</c>, each one sentence (validation can list them).</summary>
    public static IReadOnlyList<string> Problems(JsonObject step)
    {
        var problems = new List<string>();
        if (step["match_by"] is { } matchBy && matchBy.GetValueKind() != JsonValueKind.String)
        {
            problems.Add("compare_results: \"match_by\" must be a field name (a string).");
        }

        switch (step["prefer"])
        {
            case null:
                break;
            case JsonValue word when word.GetValueKind() == JsonValueKind.String:
                if (!IsRule(word.GetValue<string>()))
                {
                    problems.Add($"compare_results: \"prefer\" must be \"min\" or \"max\", not \"{word.GetValue<string>()}\".");
                }

                break;
            case JsonObject fields:
                foreach (var (field, rule) in fields)
                {
                    if (rule is not JsonValue value || value.GetValueKind() != JsonValueKind.String || !IsRule(value.GetValue<string>()))
                    {
                        problems.Add($"compare_results: \"prefer\" for \"{field}\" must be \"min\" or \"max\", not {rule?.ToJsonString() ?? "null"}.");
                    }
                }

                break;
            default:
                problems.Add("compare_results: \"prefer\" must be an object of field name → \"min\" or \"max\" (or one of those words for every field).");
                break;
        }

        return problems;
    }

    private static bool IsRule(string text) => text.Trim().ToLowerInvariant() is Min or Max;
}
