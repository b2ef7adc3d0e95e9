using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>
/// The actions API's table of tools: each name with the arguments it takes, checked strictly (unknown tool, unknown
/// or missing argument, wrong type: a bad request that says why), then run through the same <see cref="BrowserTools"/>
/// as the model's plugin.
/// </summary>
internal static class ActionCatalog
{
    private static readonly Dictionary<string, Spec> Specs = new(StringComparer.Ordinal)
    {
        [ToolNames.Navigate] = new(["url"], ["wait_until"], (t, a, o, ct) => t.NavigateAsync(a.Text("url")!, a.Text("wait_until"), o, ct)),
        [ToolNames.Snapshot] = new([], [], (t, _, o, ct) => t.SnapshotAsync(o, ct)),
        [ToolNames.Click] = new([], ["ref", "description", "text", "x", "y"], (t, a, o, ct) =>
            t.ClickAsync(ClickTarget.Of(a.Text("ref"), a.Text("description"), a.Text("text"), a.Coordinate("x"), a.Coordinate("y")), o, ct)),
        [ToolNames.Type] = new(["ref", "text"], ["submit"], (t, a, o, ct) => t.TypeAsync(a.Text("ref")!, a.Text("text")!, a.Flag("submit") ?? false, o, ct)),
        [ToolNames.Select] = new(["ref", "value"], [], (t, a, o, ct) => t.SelectAsync(a.Text("ref")!, a.Text("value")!, o, ct)),
        [ToolNames.Hover] = new(["ref"], [], (t, a, o, ct) => t.HoverAsync(a.Text("ref")!, o, ct)),
        [ToolNames.Press] = new(["key"], ["ref"], (t, a, o, ct) => t.PressAsync(a.Text("key")!, a.Text("ref"), o, ct)),
        [ToolNames.Scroll] = new([], ["direction", "ref"], (t, a, o, ct) => t.ScrollAsync(a.Text("direction"), a.Text("ref"), o, ct)),
        [ToolNames.WaitFor] = new([], ["text", "url", "ref", "ms"], (t, a, o, ct) =>
        {
            a.ExactlyOne("text", "url", "ref", "ms");
            return t.WaitForAsync(a.Text("text"), a.Text("url"), a.Text("ref"), a.Number("ms"), o, ct);
        }),
        [ToolNames.FillForm] = new(["fields"], [], (t, a, o, ct) => t.FillFormAsync(a.Fields("fields"), o, ct)),
        [ToolNames.ExtractData] = new(["schema"], [], (t, a, o, ct) => t.ExtractDataAsync(a.Json("schema"), o, ct)),
        [ToolNames.Screenshot] = new([], ["full_page", "element_description"], (t, a, o, ct) =>
            t.ScreenshotAsync(a.Flag("full_page") ?? false, a.Text("element_description"), o, ct)),
        [ToolNames.ExecuteScript] = new(["script"], [], (t, a, o, ct) => t.ExecuteScriptAsync(a.Text("script")!, o, ct)),
        [ToolNames.GetContent] = new(["format"], [], (t, a, o, ct) => t.GetContentAsync(a.Text("format"), o, ct)),
        [ToolNames.Tabs] = new(["action"], ["tab_id", "url"], (t, a, o, ct) => t.TabsAsync(a.Text("action")!, a.Text("tab_id"), a.Text("url"), o, ct)),
        [ToolNames.GoBack] = new([], [], (t, _, o, ct) => t.GoBackAsync(o, ct)),
        [ToolNames.GoForward] = new([], [], (t, _, o, ct) => t.GoForwardAsync(o, ct)),
    };

    /// <summary>Runs the action; <c>BadRequest</c> is true when the tool or its arguments were wrong (nothing ran).</summary>
    public static async Task<(ActionResponse Response, bool BadRequest)> RunAsync(
        BrowserTools tools, string? tool, JsonElement? args, CancellationToken cancellationToken)
    {
        var (outcome, badRequest) = await RunAsync(tools, tool, args, StepOrigin.Actions, cancellationToken);
        if (badRequest is not null)
        {
            return (Fail(badRequest), true);
        }

        if (outcome!.Result is not { } result)
        {
            return (Fail(outcome.Error!), false);
        }

        return (new ActionResponse(true, JsonSerializer.SerializeToElement(ValueOf(result)), null), false);
    }

    /// <summary>A result as a caller gets it: its data, else the text the model would read (JSON null when the data is null).</summary>
    public static JsonNode? ValueOf(ToolResult result) => result.Data ?? (result.DataIsJson ? null : JsonValue.Create(result.ModelText));

    /// <summary>
    /// Runs the action as <paramref name="origin"/> (the actions API, an MCP client); <c>BadRequest</c> says what was
    /// wrong with the tool or its arguments (then nothing ran), otherwise <c>Outcome</c> is the tool's.
    /// </summary>
    public static async Task<(ToolOutcome? Outcome, string? BadRequest)> RunAsync(
        BrowserTools tools, string? tool, JsonElement? args, StepOrigin origin, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(tool) || !Specs.TryGetValue(tool.Trim(), out var spec))
        {
            var known = string.Join(", ", Specs.Keys);
            return (null, string.IsNullOrWhiteSpace(tool) ? $"Missing tool. Tools: {known}." : $"Unknown tool '{tool}'. Tools: {known}.");
        }

        Task<ToolOutcome> run;
        try
        {
            var arguments = Arguments.Check(tool.Trim(), args, spec);
            run = BrowserTools.WithTimeout(arguments.Number(TimeoutArgument), () => spec.Invoke(tools, arguments, origin, cancellationToken));
        }
        catch (ArgumentException ex)
        {
            return (null, ex.Message);
        }

        return (await run, null);
    }

    /// <summary>The arguments a tool cannot do without (an MCP client's schema marks them required).</summary>
    public static IReadOnlyList<string> RequiredArguments(string tool) => Specs[tool].Required;

    /// <summary>Every tool takes it: how long this call may wait (instead of the global tool timeout).</summary>
    private const string TimeoutArgument = "timeout_ms";

    private static ActionResponse Fail(string error) => new(false, null, error);

    private sealed record Spec(string[] Required, string[] Optional, Func<BrowserTools, Arguments, StepOrigin, CancellationToken, Task<ToolOutcome>> Invoke);

    /// <summary>A tool's arguments, checked against its spec; getters throw <see cref="ArgumentException"/> with the reason.</summary>
    private sealed class Arguments
    {
        private readonly string _tool;
        private readonly Dictionary<string, JsonElement> _values;

        private Arguments(string tool, Dictionary<string, JsonElement> values)
        {
            _tool = tool;
            _values = values;
        }

        public static Arguments Check(string tool, JsonElement? args, Spec spec)
        {
            var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (args is { ValueKind: JsonValueKind.Object } obj)
            {
                foreach (var property in obj.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null))
                {
                    values[property.Name] = property.Value;
                }
            }
            else if (args is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) })
            {
                throw new ArgumentException($"args must be a JSON object; {tool} takes {Describe(spec)}.");
            }

            foreach (var name in values.Keys.Where(name => name != TimeoutArgument && !spec.Required.Contains(name) && !spec.Optional.Contains(name)))
            {
                throw new ArgumentException($"{tool} has no argument '{name}'; it takes {Describe(spec)}.");
            }

            foreach (var name in spec.Required.Where(name => !values.ContainsKey(name)))
            {
                throw new ArgumentException($"{tool} needs '{name}'; it takes {Describe(spec)}.");
            }

            return new Arguments(tool, values);
        }

        public string? Text(string name)
        {
            if (!_values.TryGetValue(name, out var value))
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw new ArgumentException($"{_tool}: '{name}' must be a non-empty string.");
        }

        public bool? Flag(string name) => !_values.TryGetValue(name, out var value) ? null : value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ArgumentException($"{_tool}: '{name}' must be true or false."),
        };

        public int? Number(string name) => !_values.TryGetValue(name, out var value) ? null
            : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number
            : throw new ArgumentException($"{_tool}: '{name}' must be a whole number.");

        public double? Coordinate(string name) => !_values.TryGetValue(name, out var value) ? null
            : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) ? number
            : throw new ArgumentException($"{_tool}: '{name}' must be a number (CSS pixels).");

        /// <summary>A JSON value given inline (an object) or as JSON text (a string).</summary>
        public string Json(string name)
        {
            var value = _values[name];
            return value.ValueKind switch
            {
                JsonValueKind.Object or JsonValueKind.Array => value.GetRawText(),
                JsonValueKind.String => value.GetString()!,
                _ => throw new ArgumentException($"{_tool}: '{name}' must be a JSON Schema object."),
            };
        }

        public Dictionary<string, string> Fields(string name)
        {
            var value = _values[name];
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"{_tool}: '{name}' must be an object of label → value.");
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in value.EnumerateObject())
            {
                fields[field.Name] = field.Value.ValueKind switch
                {
                    JsonValueKind.String => field.Value.GetString()!,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Number => field.Value.GetRawText(),
                    _ => throw new ArgumentException($"{_tool}: the value for '{field.Name}' must be a string, number or boolean."),
                };
            }

            return fields.Count > 0 ? fields : throw new ArgumentException($"{_tool}: '{name}' is empty.");
        }

        public void ExactlyOne(params string[] names)
        {
            if (names.Count(_values.ContainsKey) != 1)
            {
                throw new ArgumentException($"{_tool} takes exactly one of {string.Join(", ", names)}.");
            }
        }

        private static string Describe(Spec spec)
        {
            var parts = spec.Required.Select(n => n).Concat(spec.Optional.Select(n => n + "?")).Append(TimeoutArgument + "?").ToList();
            return string.Join(", ", parts);
        }
    }
}
