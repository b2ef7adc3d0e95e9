using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OperaStudio.BrowserService.Workflows.Comparison;

/// <summary>
/// Which field says that two records are the same thing: the step's <c>match_by</c>, else the best identifying text
/// field the outputs share (a name-like field that pairs records up, else the text field that pairs up the most),
/// else none (records are matched by position).
/// </summary>
internal static class MatchKeys
{
    // Field names that identify a record, best first (compared without case and punctuation).
    private static readonly string[] Identifying =
        ["name", "title", "product", "productname", "producttitle", "item", "itemname", "model", "sku", "id", "code", "label"];

    /// <summary>
    /// The key a value is matched on: letters and digits only, lower case, without accents, so "Sony WH-1000XM5" and
    /// "sony wh 1000xm5" match. Null when the value is not a non-empty string or number.
    /// </summary>
    public static string? Normalize(JsonNode? value)
    {
        if (value is not JsonValue scalar || scalar.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number))
        {
            return null;
        }

        var text = scalar.GetValueKind() == JsonValueKind.String ? scalar.GetValue<string>() : scalar.ToJsonString();
        var key = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (char.IsLetterOrDigit(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                key.Append(char.ToLowerInvariant(c));
            }
        }

        return key.Length == 0 ? null : key.ToString();
    }

    /// <summary>The field of the records named <paramref name="requested"/>: exactly, else ignoring case.</summary>
    public static string? Resolve(string requested, IEnumerable<string> fields)
    {
        var all = fields.ToList();
        return all.FirstOrDefault(f => f == requested)
            ?? all.FirstOrDefault(f => string.Equals(f, requested, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The field to match on when the step names none; null to match by position.</summary>
    public static string? Choose(IReadOnlyList<List<JsonObject>> sides, IReadOnlyList<string> fields)
    {
        var filled = sides.Where(s => s.Count > 0).ToList();
        if (filled.Count == 0)
        {
            return null;
        }

        var candidates = fields
            .Where(f => filled.All(side => MostlyText(side, f)))
            .Select((field, order) => (Field: field, Order: order, Rank: IdentifyingRank(field), Unique: filled.All(s => Unique(s, field)), Shared: Shared(filled, field)))
            .ToList();

        // A name-like field that pairs records up (or the only side's name) is what a person would match on.
        var named = candidates
            .Where(c => c.Rank < int.MaxValue && c.Unique && (c.Shared > 0 || filled.Count == 1))
            .OrderBy(c => c.Rank).ThenBy(c => c.Order)
            .FirstOrDefault();
        if (named.Field is not null)
        {
            return named.Field;
        }

        // Else the unique text field that pairs up the most records.
        var pairing = candidates
            .Where(c => c.Unique && c.Shared > 0)
            .OrderByDescending(c => c.Shared).ThenBy(c => c.Rank).ThenBy(c => c.Order)
            .FirstOrDefault();
        if (pairing.Field is not null)
        {
            return pairing.Field;
        }

        // Nothing pairs up: a name-like field still says which records each side has (all of them unmatched).
        return candidates
            .Where(c => c.Rank < int.MaxValue)
            .OrderBy(c => c.Rank).ThenBy(c => c.Order)
            .Select(c => c.Field)
            .FirstOrDefault();
    }

    // Text (not a number) in more than half of the side's records.
    private static bool MostlyText(List<JsonObject> side, string field) =>
        side.Count(r => r[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && NumericText.Read(v) is null && Normalize(v) is not null) * 2 > side.Count;

    private static bool Unique(List<JsonObject> side, string field)
    {
        var keys = side.Select(r => Normalize(r[field])).Where(k => k is not null).ToList();
        return keys.Distinct(StringComparer.Ordinal).Count() == keys.Count;
    }

    // How many distinct keys appear on more than one side.
    private static int Shared(List<List<JsonObject>> sides, string field) =>
        sides.SelectMany(side => side.Select(r => Normalize(r[field])).OfType<string>().Distinct(StringComparer.Ordinal))
            .GroupBy(k => k, StringComparer.Ordinal)
            .Count(g => g.Count() > 1);

    private static int IdentifyingRank(string field)
    {
        var plain = Normalize(JsonValue.Create(field)) ?? "";
        var exact = Array.IndexOf(Identifying, plain);
        if (exact >= 0)
        {
            return exact;
        }

        // "product_name", "itemTitle": a name or title of something, after the exact names.
        return plain.EndsWith("name", StringComparison.Ordinal) || plain.EndsWith("title", StringComparison.Ordinal)
            ? Identifying.Length
            : int.MaxValue;
    }
}
