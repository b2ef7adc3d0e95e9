using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Definitions;

/// <summary>
/// Checks a workflow definition before anything is stored or run, and lists every problem at once (a person fixing a
/// JSON file wants the whole list, not one error per attempt). Steps are named <c>steps[i]</c>, counted from 0 as a run's
/// step indexes are.
/// </summary>
public static partial class DefinitionValidator
{
    public const int MaxNameLength = 200;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_\-]*$")]
    private static partial Regex Identifier();

    private static readonly string[] ParameterTypes = [RunInputs.StringType, RunInputs.NumberType, RunInputs.BooleanType];

    /// <summary>Throws <see cref="WorkflowInvalidException"/> with every problem; returns when there is none.</summary>
    public static void Check(WorkflowDefinitionDto? definition, WorkflowOptions options)
    {
        var problems = Problems(definition, options);
        if (problems.Count > 0)
        {
            throw new WorkflowInvalidException(problems);
        }
    }

    public static List<string> Problems(WorkflowDefinitionDto? definition, WorkflowOptions options)
    {
        var problems = new List<string>();
        if (definition is null)
        {
            problems.Add("The body must be a workflow: {\"name\": …, \"parameters\": […], \"steps\": […]}.");
            return problems;
        }

        if (string.IsNullOrWhiteSpace(definition.Name))
        {
            problems.Add("name is required.");
        }
        else if (definition.Name.Length > MaxNameLength)
        {
            problems.Add($"name is {definition.Name.Length} characters long; the limit is {MaxNameLength}.");
        }

        var parameters = CheckParameters(definition.Parameters ?? [], problems);
        var steps = definition.Steps ?? [];
        if (steps.Count == 0)
        {
            problems.Add("steps is empty: a workflow needs at least one step.");
        }
        else if (steps.Count > options.MaxSteps)
        {
            problems.Add($"There are {steps.Count} steps; the limit is {options.MaxSteps} (Workflows:MaxSteps).");
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Count; i++)
        {
            CheckStep(i, steps[i], parameters, named, options, problems);
        }

        CheckSchedule(definition, parameters, problems);
        return problems;
    }

    private static Dictionary<string, WorkflowParameterDto> CheckParameters(IReadOnlyList<WorkflowParameterDto?> parameters, List<string> problems)
    {
        var known = new Dictionary<string, WorkflowParameterDto>(StringComparer.Ordinal);
        for (var i = 0; i < parameters.Count; i++)
        {
            if (parameters[i] is not { } parameter || string.IsNullOrWhiteSpace(parameter.Name))
            {
                problems.Add($"parameters[{i}] needs a name.");
                continue;
            }

            if (!Identifier().IsMatch(parameter.Name))
            {
                problems.Add($"Parameter '{parameter.Name}': a name is letters, digits, _ and - (starting with a letter or _).");
            }

            if (!known.TryAdd(parameter.Name, parameter))
            {
                problems.Add($"Parameter '{parameter.Name}' is declared twice.");
            }

            var type = parameter.Type ?? RunInputs.StringType;
            if (!ParameterTypes.Contains(type))
            {
                problems.Add($"Parameter '{parameter.Name}' has type '{type}'; the types are {string.Join(", ", ParameterTypes)}.");
            }
            else if (parameter.Default is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } fallback
                     && RunInputs.Typed(JsonNode.Parse(fallback.GetRawText())!, type) is null)
            {
                problems.Add($"Parameter '{parameter.Name}': its default {fallback.GetRawText()} is not a {type}.");
            }
        }

        return known;
    }

    private static void CheckStep(
        int index, JsonElement element, Dictionary<string, WorkflowParameterDto> parameters, HashSet<string> named, WorkflowOptions options, List<string> problems)
    {
        var at = $"steps[{index}]";
        if (element.ValueKind != JsonValueKind.Object || JsonNode.Parse(element.GetRawText()) is not JsonObject step)
        {
            problems.Add($"{at} must be an object like {{\"action\": \"navigate\", \"url\": \"…\"}}.");
            return;
        }

        var action = step[StepSpecs.ActionKey] is JsonValue a && a.TryGetValue<string>(out var text) ? text : null;
        var spec = action is null ? null : StepSpecs.Find(action);
        if (spec is null)
        {
            problems.Add(action is null
                ? $"{at} has no action; the actions are {string.Join(", ", StepSpecs.Actions)}."
                : $"{at}: unknown action '{action}'; the actions are {string.Join(", ", StepSpecs.Actions)}.");
        }
        else
        {
            at = $"{at} ({action})";
            CheckArguments(at, spec, step, named, problems);
        }

        CheckCommon(at, step, named, options, problems);
        foreach (var unknown in Placeholders.Names(new JsonObject(StepSpecs.ArgumentsOf(step).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))))
                     .Where(name => !parameters.ContainsKey(name)).Distinct())
        {
            problems.Add($"{at}: {{{{{unknown}}}}} is not a parameter" + (parameters.Count == 0 ? " (the workflow declares none)." : $"; the parameters are {string.Join(", ", parameters.Keys)}."));
        }
    }

    private static void CheckCommon(string at, JsonObject step, HashSet<string> named, WorkflowOptions options, List<string> problems)
    {
        if (step[StepSpecs.NameKey] is { } nameNode)
        {
            if (nameNode is not JsonValue v || !v.TryGetValue<string>(out var name) || !Identifier().IsMatch(name))
            {
                problems.Add($"{at}: name must be letters, digits, _ and - (starting with a letter or _).");
            }
            else if (!named.Add(name))
            {
                problems.Add($"{at}: another step is already named '{name}'.");
            }
        }

        if (step[StepSpecs.TimeoutKey] is { } timeout && !(WholeNumber(timeout) is { } ms && ms is >= 1 and <= Agent.Tools.BrowserTools.MaxTimeoutMilliseconds))
        {
            problems.Add($"{at}: timeout_ms must be a whole number from 1 to {Agent.Tools.BrowserTools.MaxTimeoutMilliseconds}.");
        }

        if (step[StepSpecs.RetriesKey] is { } retries && !(WholeNumber(retries) is { } n && n >= 0 && n <= options.MaxStepRetries))
        {
            problems.Add($"{at}: retries must be a whole number from 0 to {options.MaxStepRetries} (Workflows:MaxStepRetries).");
        }
    }

    private static void CheckArguments(string at, ActionSpec spec, JsonObject step, HashSet<string> named, List<string> problems)
    {
        var given = StepSpecs.ArgumentsOf(step).Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
        foreach (var name in given.Keys.Where(name => spec.Arguments.All(a => a.Name != name)))
        {
            problems.Add($"{at}: unknown argument '{name}'; it takes {Describe(spec)}.");
        }

        foreach (var argument in spec.Arguments)
        {
            if (!given.TryGetValue(argument.Name, out var value))
            {
                if (argument.Required)
                {
                    problems.Add($"{at}: missing argument '{argument.Name}'; it takes {Describe(spec)}.");
                }

                continue;
            }

            if (KindProblem(argument, value, named) is { } problem)
            {
                problems.Add($"{at}: {problem}");
            }
        }

        if (spec.ExactlyOneOf is { } ways && ways.Count(given.ContainsKey) != 1)
        {
            problems.Add($"{at}: give exactly one of {string.Join(", ", ways)}" + (spec.Action == WorkflowActions.Click ? " (x with y)." : "."));
        }

        if (spec.Action == WorkflowActions.Click && given.ContainsKey("x") != given.ContainsKey("y"))
        {
            problems.Add($"{at}: a click at a point needs both x and y.");
        }
    }

    private static string Describe(ActionSpec spec) =>
        spec.Arguments.Length == 0 ? "no arguments" : spec.Describe() + $" (and {StepSpecs.NameKey}?, {StepSpecs.TimeoutKey}?, {StepSpecs.RetriesKey}?)";

    private static string? KindProblem(ArgumentSpec argument, JsonNode value, HashSet<string> named)
    {
        var kind = value.GetValueKind();
        return argument.Kind switch
        {
            ArgumentKind.Text when kind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetValue<string>()) =>
                $"'{argument.Name}' must be a non-empty string.",
            ArgumentKind.Flag when kind is not (JsonValueKind.True or JsonValueKind.False) => $"'{argument.Name}' must be true or false.",
            ArgumentKind.WholeNumber when WholeNumber(value) is null => $"'{argument.Name}' must be a whole number.",
            ArgumentKind.Number when kind != JsonValueKind.Number => $"'{argument.Name}' must be a number.",
            ArgumentKind.Fields => FieldsProblem(value),
            ArgumentKind.Schema => SchemaProblem(value),
            ArgumentKind.Names => NamesProblem(value, named),
            ArgumentKind.Preferences when value is not JsonObject prefer || prefer.Any(p => p.Value?.GetValueKind() != JsonValueKind.String || p.Value.GetValue<string>() is not ("min" or "max")) =>
                "'prefer' must be an object of field → \"min\" or \"max\".",
            _ => null,
        };
    }

    private static string? FieldsProblem(JsonNode value) =>
        value is not JsonObject fields || fields.Count == 0
            ? "'fields' must be a non-empty object of field label → value."
            : fields.FirstOrDefault(f => f.Value?.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)) is { Key: { } bad }
                ? $"the value for field '{bad}' must be a string, number or boolean."
                : null;

    private static string? SchemaProblem(JsonNode value)
    {
        if (value is not JsonObject)
        {
            return "'schema' must be a JSON Schema object, like {\"type\": \"array\", \"items\": {…}}.";
        }

        try
        {
            JsonSchema.FromText(value.ToJsonString());
            return value["type"] is null && value["properties"] is null && value["items"] is null
                ? "'schema' says nothing to extract: give it a type with properties or items."
                : null;
        }
        catch (Exception ex) when (ex is JsonException or JsonSchemaException or ArgumentException or InvalidOperationException)
        {
            return $"'schema' is not a valid JSON Schema: {ex.Message}";
        }
    }

    /// <summary>compare_results compares outputs of steps named before it.</summary>
    private static string? NamesProblem(JsonNode value, HashSet<string> named)
    {
        if (value is not JsonArray names || names.Count < 2 || names.Any(n => n?.GetValueKind() != JsonValueKind.String))
        {
            return "'of' must list at least two step names.";
        }

        var missing = names.Select(n => n!.GetValue<string>()).Where(n => !named.Contains(n)).ToList();
        return missing.Count == 0
            ? null
            : $"'of' names {string.Join(", ", missing.Select(m => $"'{m}'"))}, which no earlier step is named" + (named.Count == 0 ? "." : $"; the earlier named steps: {string.Join(", ", named)}.");
    }

    private static int? WholeNumber(JsonNode value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n) ? n
        : value is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue ? (int)x
        : null;

    /// <summary>A schedule is five cron fields (UTC); its inputs must suit the parameters as a run's would.</summary>
    private static void CheckSchedule(WorkflowDefinitionDto definition, Dictionary<string, WorkflowParameterDto> parameters, List<string> problems)
    {
        if (!string.IsNullOrWhiteSpace(definition.Schedule) && definition.Schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
        {
            problems.Add($"schedule '{definition.Schedule}' is not a five-field cron expression (minute hour day month weekday, UTC).");
        }

        if (string.IsNullOrWhiteSpace(definition.Schedule))
        {
            return;
        }

        try
        {
            var inputs = definition.ScheduleInputs is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given ? JsonNode.Parse(given.GetRawText()) : null;
            RunInputs.Resolve([.. parameters.Values], inputs);
        }
        catch (WorkflowInvalidException ex)
        {
            problems.AddRange(ex.Problems.Select(p => "scheduleInputs: " + p));
        }
    }
}
