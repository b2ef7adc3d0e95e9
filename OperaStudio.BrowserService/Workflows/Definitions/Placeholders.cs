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

    /// <summary>
    /// A copy of <paramref name="node"/> with every <c>{{param}}</c> replaced by its input's text. In a <c>url</c>, a
    /// placeholder that starts it is put in as it is (it can be the whole address); anywhere else it is part of the
    /// address and is percent-encoded (an input "gamma, delta" in <c>?q={{query}}</c> made an invalid address).
    /// </summary>
    public static JsonNode? Fill(JsonNode? node, JsonObject inputs, string? key = null) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Fill(p.Value, inputs, p.Key)))),
        JsonArray array => new JsonArray([.. array.Select(item => Fill(item, inputs, key))]),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonValue.Create(
            Parameter().Replace(text, m => inputs[m.Groups[1].Value] is not { } input ? m.Value
                : key == UrlArgument && m.Index > 0 ? Uri.EscapeDataString(TextOf(input))
                : TextOf(input))),
        _ => node?.DeepClone(),
    };

    private const string UrlArgument = "url";

    private static string TextOf(JsonNode input) =>
        input is JsonValue value && value.TryGetValue<string>(out var text) ? text : input.ToJsonString();
}
