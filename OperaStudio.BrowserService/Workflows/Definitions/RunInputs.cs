using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Definitions;

/// <summary>A run's inputs checked against the workflow's parameters, with the defaults filled in.</summary>
public static class RunInputs
{
    public const string StringType = "string";
    public const string NumberType = "number";
    public const string BooleanType = "boolean";

    /// <summary>
    /// The inputs to run with (every parameter given or defaulted); throws <see cref="WorkflowInvalidException"/> listing
    /// every unknown, missing or mistyped input. Text for a number or a boolean ("12", "true": a CSV cell) is converted.
    /// </summary>
    public static JsonObject Resolve(IReadOnlyList<WorkflowParameterDto> parameters, JsonNode? inputs)
    {
        var problems = new List<string>();
        var given = inputs switch
        {
            null => [],
            JsonObject obj => obj,
            _ => null,
        };
        if (given is null)
        {
            throw new WorkflowInvalidException(["inputs must be a JSON object of parameter name → value."]);
        }

        var known = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in given.Select(p => p.Key).Where(name => !known.Contains(name)))
        {
            problems.Add($"Input '{name}' is not a parameter of this workflow" + (known.Count == 0 ? " (it has none)." : $"; its parameters: {string.Join(", ", known)}."));
        }

        var resolved = new JsonObject();
        foreach (var parameter in parameters)
        {
            var value = given[parameter.Name];
            if (value is null)
            {
                if (parameter.Default is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } fallback)
                {
                    resolved[parameter.Name] = JsonNode.Parse(fallback.GetRawText());
                }
                else
                {
                    problems.Add($"Input '{parameter.Name}' is required (the parameter has no default).");
                }

                continue;
            }

            if (Typed(value, parameter.Type ?? StringType) is { } typed)
            {
                resolved[parameter.Name] = typed;
            }
            else
            {
                problems.Add($"Input '{parameter.Name}' must be a {parameter.Type}; it is {value.ToJsonString()}.");
            }
        }

        return problems.Count == 0 ? resolved : throw new WorkflowInvalidException(problems);
    }

    /// <summary>The value as the parameter's type; null when it is not one.</summary>
    public static JsonNode? Typed(JsonNode value, string type)
    {
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return type switch
        {
            StringType => text is not null ? JsonValue.Create(text) : value is JsonValue ? JsonValue.Create(value.ToJsonString()) : null,
            NumberType when value.GetValueKind() == JsonValueKind.Number => value.DeepClone(),
            NumberType when text is not null && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            BooleanType when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.DeepClone(),
            BooleanType when bool.TryParse(text?.Trim(), out var flag) => JsonValue.Create(flag),
            _ => null,
        };
    }
}
