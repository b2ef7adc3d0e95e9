using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Comparison;

/// <summary>compare_results: the outputs of earlier steps, compared deterministically.</summary>
public static class ResultComparer
{
    /// <summary>What <see cref="ComparisonDto.MatchedBy"/> says when records are paired by their place in each list.</summary>
    public const string ByPosition = "position";

    /// <summary>
    /// Compares <paramref name="data"/> (one output per name in <paramref name="of"/>, same order: arrays of records, or
    /// single objects). <paramref name="step"/> is the compare_results step's own JSON: optional <c>match_by</c> (a field
    /// name) and <c>prefer</c> (<c>{"field": "min" | "max"}</c>). Throws <see cref="WorkflowInvalidException"/> when the
    /// options are wrong or <c>match_by</c> names a field no record has.
    /// </summary>
    public static ComparisonDto Compare(IReadOnlyList<string> of, IReadOnlyList<JsonNode?> data, JsonObject step)
    {
        if (of.Count != data.Count)
        {
            throw new ArgumentException($"{of.Count} step names but {data.Count} outputs.", nameof(data));
        }

        var rules = ComparisonRules.Read(step);
        var sides = data.Select(ComparedRecords.From).ToList();
        var fields = sides.SelectMany(s => s).SelectMany(r => r.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToList();

        string? key;
        if (rules.MatchBy is { } requested)
        {
            key = MatchKeys.Resolve(requested, fields)
                ?? throw new WorkflowInvalidException([$"compare_results: no record of {string.Join(", ", of)} has the field \"{requested}\" named by match_by (fields: {(fields.Count == 0 ? "none" : string.Join(", ", fields))})."]);
        }
        else
        {
            key = MatchKeys.Choose(sides, fields);
        }

        var numeric = fields.Where(f => f != key && IsNumeric(sides, f)).ToList();
        var rows = Pair(sides, key).Select(row => Row(row.Key, row.Records, of, fields, numeric, rules)).ToList();
        return new ComparisonDto(of, key ?? ByPosition, fields, rows, Summary: null);
    }

    // Rows in the order their records first appear (the first step's, then what only later steps have). A key seen
    // twice on one side pairs with its second occurrence on the others.
    private static List<(string Key, JsonObject?[] Records)> Pair(List<List<JsonObject>> sides, string? key)
    {
        var rows = new List<(string Key, JsonObject?[] Records)>();
        if (key is null)
        {
            var longest = sides.Count == 0 ? 0 : sides.Max(s => s.Count);
            for (var i = 0; i < longest; i++)
            {
                rows.Add(($"#{i + 1}", [.. sides.Select(s => i < s.Count ? s[i] : null)]));
            }

            return rows;
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var side = 0; side < sides.Count; side++)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < sides[side].Count; i++)
            {
                var record = sides[side][i];
                var value = record[key];
                var normalized = MatchKeys.Normalize(value);

                // A record without a key cannot be matched: it gets a row of its own.
                var identity = normalized is null ? $"\0{side}:{i}" : normalized;
                var occurrence = seen[identity] = seen.GetValueOrDefault(identity) + 1;
                var rowKey = occurrence == 1 ? identity : $"{identity}\0{occurrence}";
                if (!index.TryGetValue(rowKey, out var at))
                {
                    at = rows.Count;
                    index[rowKey] = at;
                    var shown = normalized is null ? $"#{i + 1} of {side + 1}" : Display(value!);
                    rows.Add((occurrence == 1 ? shown : $"{shown} ({occurrence})", new JsonObject?[sides.Count]));
                }

                rows[at].Records[side] = record;
            }
        }

        return rows;
    }

    private static ComparisonRowDto Row(string key, JsonObject?[] records, IReadOnlyList<string> of, List<string> fields, List<string> numeric, ComparisonRules rules)
    {
        var present = records.Where(r => r is not null).Select(r => r!).ToList();
        var differing = present.Count < 2
            ? []
            : fields.Where(f => present.Skip(1).Any(r => !SameValue(present[0][f], r[f]))).ToList();

        var best = new List<BestValueDto>();
        foreach (var field in numeric)
        {
            var values = records
                .Select((r, side) => (Side: side, Value: r is null ? null : NumericText.Read(r[field])))
                .Where(v => v.Value is not null)
                .Select(v => (v.Side, Value: v.Value!.Value))
                .ToList();
            if (values.Count < 2)
            {
                continue;
            }

            var rule = rules.RuleFor(field);
            var top = rule == ComparisonRules.Max ? values.Max(v => v.Value) : values.Min(v => v.Value);
            var winners = values.Where(v => v.Value == top).ToList();

            // A tie names no step: none of them is better.
            if (winners.Count == 1)
            {
                best.Add(new BestValueDto(field, of[winners[0].Side], top, rule));
            }
        }

        return new ComparisonRowDto(key, [.. records.Select(r => r is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(r))], differing, best);
    }

    // A numeric field: every value it has anywhere is a number (or a price written as text), and it has one.
    private static bool IsNumeric(List<List<JsonObject>> sides, string field)
    {
        var values = sides.SelectMany(s => s).Select(r => r[field]).Where(v => !IsBlank(v)).ToList();
        return values.Count > 0 && values.All(v => NumericText.Read(v) is not null);
    }

    // Numbers by value ("$1,299.00" is 1299), text without regard to case or runs of spaces, the rest as JSON.
    private static bool SameValue(JsonNode? a, JsonNode? b)
    {
        if (IsBlank(a) || IsBlank(b))
        {
            return IsBlank(a) && IsBlank(b);
        }

        if (NumericText.Read(a) is { } x && NumericText.Read(b) is { } y)
        {
            return x == y;
        }

        if (a is JsonValue va && b is JsonValue vb && va.GetValueKind() == JsonValueKind.String && vb.GetValueKind() == JsonValueKind.String)
        {
            return string.Equals(Squeeze(va.GetValue<string>()), Squeeze(vb.GetValue<string>()), StringComparison.OrdinalIgnoreCase);
        }

        return JsonNode.DeepEquals(a, b);
    }

    private static bool IsBlank(JsonNode? value) =>
        value is null || (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(v.GetValue<string>()));

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Display(JsonNode value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Squeeze(v.GetValue<string>()) : value.ToJsonString();
}
