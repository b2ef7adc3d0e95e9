using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Definitions;

/// <summary>What kind of value a step argument takes.</summary>
internal enum ArgumentKind
{
    /// <summary>A non-empty string (placeholders allowed).</summary>
    Text,
    Flag,
    WholeNumber,
    Number,

    /// <summary>fill_form's label → value object (scalar values).</summary>
    Fields,

    /// <summary>extract_data's JSON Schema (an object).</summary>
    Schema,

    /// <summary>compare_results' list of step names.</summary>
    Names,

    /// <summary>compare_results' <c>prefer</c>: field → min | max.</summary>
    Preferences,
}

internal sealed record ArgumentSpec(string Name, ArgumentKind Kind, bool Required = false);

/// <summary>
/// One action a step may name: its arguments (the tools' own snake_case names) and, where the tool takes one of several
/// ways to name its target, which of them must be given alone.
/// </summary>
internal sealed record ActionSpec(string Action, ArgumentSpec[] Arguments, string[]? ExactlyOneOf = null)
{
    public string Describe() => string.Join(", ", Arguments.Select(a => a.Required ? a.Name : a.Name + "?"));
}

/// <summary>The actions a workflow step may name, and the keys every step may carry beside its arguments.</summary>
internal static class StepSpecs
{
    public const string ActionKey = "action";
    public const string NameKey = "name";
    public const string TimeoutKey = "timeout_ms";
    public const string RetriesKey = "retries";
    public const string TabActionKey = "tab_action";

    public static readonly string[] CommonKeys = [ActionKey, NameKey, TimeoutKey, RetriesKey];

    private static ArgumentSpec Text(string name, bool required = false) => new(name, ArgumentKind.Text, required);

    private static readonly Dictionary<string, ActionSpec> Specs = new ActionSpec[]
    {
        new(WorkflowActions.Navigate, [Text("url", true), Text("wait_until")]),
        new(WorkflowActions.FillForm, [new("fields", ArgumentKind.Fields, true)]),
        new(WorkflowActions.Click, [Text("ref"), Text("description"), Text("text"), new("x", ArgumentKind.Number), new("y", ArgumentKind.Number)],
            ["ref", "description", "text", "x"]),
        new(WorkflowActions.Type, [Text("ref"), Text("description"), Text("text", true), new("submit", ArgumentKind.Flag)], ["ref", "description"]),
        new(WorkflowActions.Select, [Text("ref"), Text("description"), Text("value", true)], ["ref", "description"]),
        new(WorkflowActions.Hover, [Text("ref"), Text("description")], ["ref", "description"]),
        new(WorkflowActions.Press, [Text("key", true), Text("ref")]),
        new(WorkflowActions.Scroll, [Text("direction"), Text("ref")]),
        new(WorkflowActions.WaitFor, [Text("text"), Text("url"), Text("ref"), new("ms", ArgumentKind.WholeNumber)], ["text", "url", "ref", "ms"]),
        new(WorkflowActions.ExtractData, [new("schema", ArgumentKind.Schema, true)]),
        new(WorkflowActions.Screenshot, [new("full_page", ArgumentKind.Flag), Text("element_description")]),
        new(WorkflowActions.GetContent, [Text("format")]),
        // The tool's own "action" would collide with the step's: here it is tab_action (list, open, switch, close).
        new(WorkflowActions.Tabs, [Text(TabActionKey, true), Text("tab_id"), Text("url")]),
        new(WorkflowActions.ExecuteScript, [Text("script", true)]),
        new(WorkflowActions.AskUser, [Text("question", true)]),
        new(WorkflowActions.Agent, [Text("instruction", true)]),
        new(WorkflowActions.CompareResults, [new("of", ArgumentKind.Names, true), Text("match_by"), new("prefer", ArgumentKind.Preferences)]),
        new(WorkflowActions.GoBack, []),
        new(WorkflowActions.GoForward, []),
    }.ToDictionary(s => s.Action, StringComparer.Ordinal);

    public static IEnumerable<string> Actions => Specs.Keys;

    public static ActionSpec? Find(string action) => Specs.GetValueOrDefault(action);

    /// <summary>The arguments of a step: everything but the keys every step has.</summary>
    public static IEnumerable<KeyValuePair<string, JsonNode?>> ArgumentsOf(JsonObject step) =>
        step.Where(p => !CommonKeys.Contains(p.Key));
}
