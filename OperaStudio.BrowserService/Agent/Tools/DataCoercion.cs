using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>
/// Turns the strings read from a page into the types a JSON Schema asks for: numbers without currency signs or
/// thousands separators, booleans from yes/no words, enum values in the schema's own spelling. What cannot be
/// turned stays as it is, and the schema validation says what is wrong.
/// </summary>
internal static partial class DataCoercion
{
    public static JsonNode? Coerce(JsonNode? value, JsonElement schema)
    {
        if (value is null || schema.ValueKind != JsonValueKind.Object)
        {
            return value;
        }

        var type = TypeOf(schema);
        switch (value)
        {
            case JsonArray array when type is "array" or null && schema.TryGetProperty("items", out var items):
                for (var i = 0; i < array.Count; i++)
                {
                    var item = array[i];
                    array[i] = null;
                    array[i] = Coerce(item, items);
                }

                return array;
            case JsonObject obj when type is "object" or null && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object:
                foreach (var property in properties.EnumerateObject())
                {
                    if (obj[property.Name] is { } child)
                    {
                        obj[property.Name] = null;
                        obj[property.Name] = Coerce(child, property.Value);
                    }
                }

                return obj;
            case JsonValue scalar when scalar.TryGetValue<string>(out var text):
                return CoerceText(text.Trim(), type, schema) ?? value;
            default:
                return value;
        }
    }

    private static JsonValue? CoerceText(string text, string? type, JsonElement schema)
    {
        if (schema.TryGetProperty("enum", out var options) && options.ValueKind == JsonValueKind.Array)
        {
            foreach (var option in options.EnumerateArray())
            {
                if (option.ValueKind == JsonValueKind.String && string.Equals(option.GetString(), text, StringComparison.OrdinalIgnoreCase))
                {
                    return JsonValue.Create(option.GetString());
                }
            }
        }

        switch (type)
        {
            case "number" or "integer":
                var match = NumberText().Match(text.Replace('\u2212', '-'));
                if (match.Success && double.TryParse(match.Value.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return type == "integer" && number == Math.Floor(number) && Math.Abs(number) < 1e15
                        ? JsonValue.Create((long)number)
                        : JsonValue.Create(number);
                }

                return null;
            case "boolean":
                return text.ToLowerInvariant() switch
                {
                    "true" or "yes" or "y" or "1" or "✓" or "✔" or "on" or "in stock" or "available" or "checked" => JsonValue.Create(true),
                    "false" or "no" or "n" or "0" or "✗" or "✘" or "off" or "out of stock" or "unavailable" or "-" or "" => JsonValue.Create(false),
                    _ => null,
                };
            case "null" when text.Length == 0:
                return null;
            default:
                return null;
        }
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return null;
        }

        return type.ValueKind switch
        {
            JsonValueKind.String => type.GetString(),
            JsonValueKind.Array => type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t is not "null"),
            _ => null,
        };
    }

    [GeneratedRegex(@"[-+]?\d[\d, ]*(?:\.\d+)?(?:[eE][-+]?\d+)?")]
    private static partial Regex NumberText();
}
