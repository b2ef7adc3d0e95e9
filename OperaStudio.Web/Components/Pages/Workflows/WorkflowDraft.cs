using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Components.Pages.Workflows;

/// <summary>
/// The editor's working copy of a definition: plain mutable fields the forms bind to, turned back into the contract's
/// record on save. A step keeps its JSON object, so arguments the forms do not know about survive an edit.
/// </summary>
public sealed class WorkflowDraft
{
    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    public string Schedule { get; set; } = "";

    /// <summary>The schedule's inputs as JSON text (an object), kept as typed.</summary>
    public string ScheduleInputs { get; set; } = "";

    public List<ParameterDraft> Parameters { get; } = [];

    public List<StepDraft> Steps { get; } = [];

    public static WorkflowDraft From(WorkflowDefinitionDto definition)
    {
        var draft = new WorkflowDraft
        {
            Name = definition.Name ?? "",
            Description = definition.Description ?? "",
            Schedule = definition.Schedule ?? "",
            ScheduleInputs = definition.ScheduleInputs is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } inputs ? inputs.GetRawText() : "",
        };
        foreach (var p in definition.Parameters ?? [])
        {
            draft.Parameters.Add(new ParameterDraft
            {
                Name = p.Name,
                Type = string.IsNullOrEmpty(p.Type) ? "string" : p.Type,
                Description = p.Description ?? "",
                Default = p.Default is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } d
                    ? d.ValueKind == JsonValueKind.String ? d.GetString() ?? "" : d.GetRawText()
                    : "",
            });
        }

        foreach (var step in definition.Steps ?? [])
        {
            draft.Steps.Add(StepDraft.From(step));
        }

        return draft;
    }

    /// <summary>The definition as the service takes it; a schedule's inputs that are not JSON go as text for the service to refuse.</summary>
    public WorkflowDefinitionDto ToDefinition() => new(
        Name.Trim(),
        string.IsNullOrWhiteSpace(Description) ? null : Description.Trim(),
        [.. Parameters.Select(p => p.ToDto())],
        [.. Steps.Select(s => s.ToJson())],
        string.IsNullOrWhiteSpace(Schedule) ? null : Schedule.Trim(),
        string.IsNullOrWhiteSpace(ScheduleInputs) ? null : ParseOrText(ScheduleInputs));

    /// <summary>What is wrong before anything is sent (the service checks again, and lists more).</summary>
    public IReadOnlyList<string> LocalProblems()
    {
        var problems = new List<string>();
        foreach (var (step, i) in Steps.Select((s, i) => (s, i)))
        {
            if (step.SchemaProblem() is { } schema)
            {
                problems.Add($"Step {i + 1} ({step.Action}): {schema}");
            }
        }

        if (!string.IsNullOrWhiteSpace(ScheduleInputs) && !IsJsonObject(ScheduleInputs))
        {
            problems.Add("The schedule's inputs must be a JSON object, e.g. {\"query\": \"headphones\"}.");
        }

        return problems;
    }

    /// <summary>Step names before <paramref name="index"/>: what compare_results may compare.</summary>
    public IEnumerable<string> NamesBefore(int index) =>
        Steps.Take(index).Select(s => s.Name).Where(n => !string.IsNullOrWhiteSpace(n));

    internal static JsonElement ParseOrText(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>A parameter row: the default is typed as text and sent as the parameter's type.</summary>
public sealed class ParameterDraft
{
    public string Name { get; set; } = "";

    public string Type { get; set; } = "string";

    public string Description { get; set; } = "";

    public string Default { get; set; } = "";

    public WorkflowParameterDto ToDto() => new(
        Name.Trim(),
        Type,
        string.IsNullOrWhiteSpace(Description) ? null : Description.Trim(),
        Default.Length == 0 ? null : TypedValue(Type, Default));

    /// <summary>A number or boolean that reads as one goes as one; anything else as text (the service names the mistake).</summary>
    public static JsonElement TypedValue(string type, string text) => type switch
    {
        "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => JsonSerializer.SerializeToElement(n),
        "boolean" when bool.TryParse(text, out var b) => JsonSerializer.SerializeToElement(b),
        _ => JsonSerializer.SerializeToElement(text),
    };
}
