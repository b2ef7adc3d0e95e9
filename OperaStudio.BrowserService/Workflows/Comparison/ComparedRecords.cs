using System.Text.Json.Nodes;

namespace OperaStudio.BrowserService.Workflows.Comparison;

/// <summary>One step's output as a list of records, whatever shape extraction gave it.</summary>
internal static class ComparedRecords
{
    /// <summary>The field a lone scalar (or an array of scalars) is compared under.</summary>
    public const string ValueField = "value";

    /// <summary>
    /// An array gives its items; an object that only wraps one array of records (<c>{"products": [...]}</c>, what a
    /// schema with an array property extracts) gives that array's items; any other object is one record; nothing
    /// gives no records. Scalars become <c>{"value": …}</c> so they can still be set side by side.
    /// </summary>
    public static List<JsonObject> From(JsonNode? output)
    {
        switch (output)
        {
            case null:
                return [];
            case JsonArray array:
                return [.. array.Select(AsRecord)];
            case JsonObject obj when WrappedList(obj) is { } inner:
                return [.. inner.Select(AsRecord)];
            default:
                return [AsRecord(output)];
        }
    }

    private static JsonArray? WrappedList(JsonObject obj)
    {
        var lists = obj.Where(p => p.Value is JsonArray a && a.Count > 0 && a.All(i => i is JsonObject)).ToList();
        var others = obj.Count - lists.Count;
        return lists.Count == 1 && others == 0 ? (JsonArray)lists[0].Value! : null;
    }

    private static JsonObject AsRecord(JsonNode? item) =>
        item is JsonObject obj ? obj : new JsonObject { [ValueField] = item?.DeepClone() };
}
