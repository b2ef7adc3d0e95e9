using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Workflows.Authoring;

/// <summary>
/// A tool call that succeeded (from a chat run's step log or a recording) as a workflow step. Elements are named by
/// description (the call's own, or the one its summary gives), never by ref. Reading the page for the model
/// (snapshot, get_content, screenshot, ask_user) is left out; extract_data stays, with a name so its output is kept.
/// A call that cannot be repeated in a fresh session (an element known only by ref) is left out with the reason.
/// </summary>
public sealed class StepDrafts
{
    private static readonly HashSet<string> Reading = new(StringComparer.Ordinal)
    {
        ToolNames.Snapshot, ToolNames.GetContent, ToolNames.Screenshot, ToolNames.AskUser, "open-session", "close-session",
    };

    private readonly List<JsonObject> _steps = [];
    private readonly List<string> _leftOut = [];
    private int _extracts;

    public IReadOnlyList<JsonObject> Steps => _steps;

    /// <summary>Why some calls did not become steps, one sentence each.</summary>
    public IReadOnlyList<string> LeftOut => _leftOut;

    /// <summary>Adds the call <paramref name="tool"/> with <paramref name="arguments"/>, whose step summary was <paramref name="summary"/>.</summary>
    public void Add(string tool, JsonObject? arguments, string? summary)
    {
        if (Reading.Contains(tool))
        {
            return;
        }

        var args = arguments ?? [];
        var step = Draft(tool, args, summary, out var why);
        if (step is null)
        {
            if (why is not null)
            {
                _leftOut.Add($"Step {_steps.Count + _leftOut.Count + 1} ({tool}: {summary}) was left out: {why}");
            }

            return;
        }

        _steps.Add(step);
    }

    private JsonObject? Draft(string tool, JsonObject args, string? summary, out string? why)
    {
        why = null;
        switch (tool)
        {
            case ToolNames.Navigate:
                return Text(args, "url") is { } url ? Step(WorkflowActions.Navigate, ("url", url), ("wait_until", Text(args, "wait_until"))) : null;
            case ToolNames.GoBack:
                return Step(WorkflowActions.GoBack);
            case ToolNames.GoForward:
                return Step(WorkflowActions.GoForward);
            case ToolNames.Click:
                if (Text(args, "text") is { } visible && Text(args, "description") is null)
                {
                    return Step(WorkflowActions.Click, ("text", visible));
                }

                if (args["x"] is JsonValue x && args["y"] is JsonValue y && Text(args, "description") is null && Text(args, "ref") is null)
                {
                    return Step(WorkflowActions.Click, ("x", x.DeepClone()), ("y", y.DeepClone()));
                }

                return Targeted(WorkflowActions.Click, args, summary, out why);
            case ToolNames.Type:
                return Targeted(WorkflowActions.Type, args, summary, out why, ("text", Text(args, "text")), ("submit", args["submit"] is JsonValue s && s.GetValueKind() == JsonValueKind.True ? true : null));
            case ToolNames.Select:
                return Targeted(WorkflowActions.Select, args, summary, out why, ("value", Text(args, "value")));
            case ToolNames.Hover:
                return Targeted(WorkflowActions.Hover, args, summary, out why);
            case ToolNames.Press:
                // In the element the previous step acted on: it has the focus again when the workflow runs.
                return Text(args, "key") is { } key ? Step(WorkflowActions.Press, ("key", key)) : null;
            case ToolNames.Scroll:
                if (Text(args, "direction") is { } direction)
                {
                    return Step(WorkflowActions.Scroll, ("direction", direction));
                }

                why = "it scrolled an element known only by ref into view (clicks and typing scroll by themselves).";
                return null;
            case ToolNames.WaitFor:
                if (Text(args, "text") is { } text)
                {
                    return Step(WorkflowActions.WaitFor, ("text", text));
                }

                if (Text(args, "url") is { } part)
                {
                    return Step(WorkflowActions.WaitFor, ("url", part));
                }

                if (args["ms"] is JsonValue ms)
                {
                    return Step(WorkflowActions.WaitFor, ("ms", ms.DeepClone()));
                }

                why = "it waited for an element known only by ref.";
                return null;
            case ToolNames.FillForm:
                return args["fields"] is JsonObject fields && fields.Count > 0 ? Step(WorkflowActions.FillForm, ("fields", fields.DeepClone())) : null;
            case ToolNames.ExtractData:
                var schema = args["schema"] is JsonValue schemaText && schemaText.GetValueKind() == JsonValueKind.String
                    ? TryParse(schemaText.GetValue<string>())
                    : args["schema"]?.DeepClone();
                if (schema is not JsonObject)
                {
                    why = "its schema was not kept whole.";
                    return null;
                }

                _extracts++;
                return Step(WorkflowActions.ExtractData, ("name", _extracts == 1 ? "data" : $"data_{_extracts}"), ("schema", schema));
            case ToolNames.ExecuteScript:
                return Text(args, "script") is { } script ? Step(WorkflowActions.ExecuteScript, ("script", script)) : null;
            case ToolNames.Tabs:
            case "open_tab" or "close_tab" or "switch_tab":
                return Tabs(tool, args);
            default:
                why = $"'{tool}' is not a workflow action.";
                return null;
        }
    }

    // click, type, select, hover: by the call's description, else the one its summary gives.
    private static JsonObject? Targeted(string action, JsonObject args, string? summary, out string? why, params (string Key, JsonNode? Value)[] rest)
    {
        why = null;
        var description = Text(args, "description") ?? ElementNames.FromSummary(summary);
        if (description is null)
        {
            why = "its element is known only by ref, which means nothing in another session.";
            return null;
        }

        return Step(action, [("description", description), .. rest]);
    }

    // The tabs tool's own calls, and a recording's open_tab / close_tab / switch_tab. A closing step closes the tab the
    // workflow is on (tab ids differ in every session); switching keeps the recorded id.
    private static JsonObject? Tabs(string tool, JsonObject args)
    {
        var which = tool switch
        {
            "open_tab" => "open",
            "close_tab" => "close",
            "switch_tab" => "switch",
            _ => Text(args, "action")?.ToLowerInvariant(),
        };
        var tabId = Text(args, "tab_id") ?? Text(args, "tabId") ?? Text(args, "id");
        return which switch
        {
            "open" => Step(WorkflowActions.Tabs, ("tab_action", "open"), ("url", Text(args, "url"))),
            "close" => Step(WorkflowActions.Tabs, ("tab_action", "close")),
            "switch" when tabId is not null => Step(WorkflowActions.Tabs, ("tab_action", "switch"), ("tab_id", tabId)),
            _ => null,
        };
    }

    private static JsonObject Step(string action, params (string Key, JsonNode? Value)[] arguments)
    {
        var step = new JsonObject { ["action"] = action };
        foreach (var (key, value) in arguments)
        {
            if (value is not null)
            {
                step[key] = value;
            }
        }

        return step;
    }

    private static string? Text(JsonObject args, string key) =>
        args[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 } text ? text : null;

    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
