using System.Text.Json;
using System.Text.Json.Nodes;

namespace OperaStudio.Web.Components.Pages.Workflows;

/// <summary>
/// The editor's check of an extraction schema as it is typed: the JSON-schema subset the extractor reads (type,
/// properties, items). The service validates again on save.
/// </summary>
internal static class SchemaChecks
{
    public const string Example = """
        {
          "type": "array",
          "items": {
            "type": "object",
            "properties": {
              "name": { "type": "string" },
              "price": { "type": "number" }
            }
          }
        }
        """;

    private static readonly HashSet<string> Types = ["object", "array", "string", "number", "integer", "boolean"];

    /// <summary>The first problem found at <paramref name="path"/>, or null.</summary>
    public static string? Problem(JsonObject schema, string path)
    {
        if (schema["type"] is not JsonValue t || t.GetValueKind() != JsonValueKind.String || !Types.Contains(t.GetValue<string>()))
        {
            return $"{path}.type must be one of {string.Join(", ", Types)}.";
        }

        switch (t.GetValue<string>())
        {
            case "array":
                return schema["items"] is JsonObject items ? Problem(items, $"{path}.items") : $"{path}.items must describe the array's items.";
            case "object":
                if (schema["properties"] is not JsonObject properties || properties.Count == 0)
                {
                    return $"{path}.properties must name at least one field.";
                }

                foreach (var (name, value) in properties)
                {
                    if (value is not JsonObject property)
                    {
                        return $"{path}.properties.{name} must be a schema object.";
                    }

                    if (Problem(property, $"{path}.properties.{name}") is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}
