using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OperaStudio.BrowserService.Workflows.Definitions;

/// <summary>
/// <c>{{param}}</c> in a step's string arguments. <c>{{secret:NAME}}</c> is not a parameter: it is left for the tools,
/// which put the secret's value in only where it is typed.
/// </summary>
public static partial class Placeholders
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*\}\}")]
    private static partial Regex Parameter();

    /// <summary>Every parameter name the strings in <paramref name="node"/> refer to.</summary>
    public static IEnumerable<string> Names(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Names(p.Value)),
        JsonArray array => array.SelectMany(Names),
        JsonValue value when value.TryGetValue<string>(out var text) => Parameter().Matches(text).Select(m => m.Groups[1].Value),
        _ => [],
    };

    /// <summary>A copy of <paramref name="node"/> with every <c>{{param}}</c> replaced by its input's text.</summary>
    public static JsonNode? Fill(JsonNode? node, JsonObject inputs) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Fill(p.Value, inputs)))),
        JsonArray array => new JsonArray([.. array.Select(item => Fill(item, inputs))]),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonValue.Create(
            Parameter().Replace(text, m => inputs[m.Groups[1].Value] is { } input ? TextOf(input) : m.Value)),
        _ => node?.DeepClone(),
    };

    private static string TextOf(JsonNode input) =>
        input is JsonValue value && value.TryGetValue<string>(out var text) ? text : input.ToJsonString();
}
