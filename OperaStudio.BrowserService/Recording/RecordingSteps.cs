using System.Text.Json;
using System.Text.Json.Nodes;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Data.Records;

namespace OperaStudio.BrowserService.Recording;

/// <summary>
/// A recording's API and agent actions as workflow steps (<c>{"action":"click","description":"…"}</c>). Elements are
/// named by description, never by ref: a ref means nothing in a fresh session. Only steps that succeeded, and only
/// those that change something (reading the page is left out).
/// </summary>
internal static class RecordingSteps
{
    private static readonly HashSet<string> ReadOnly =
        [ToolNames.Snapshot, ToolNames.Screenshot, ToolNames.GetContent, ToolNames.AskUser, "screenshot", "open-session", "close-session"];

    private static readonly string[] Prepositions = ["into ", "on ", "in "];

    /// <summary>The session API's action names, as the workflow actions they are.</summary>
    private static readonly Dictionary<string, string> SessionActions = new(StringComparer.Ordinal)
    {
        ["back"] = ToolNames.GoBack,
        ["forward"] = ToolNames.GoForward,
        ["open-tab"] = "open_tab",
        ["close-tab"] = "close_tab",
        ["switch-tab"] = "switch_tab",
    };

    public static IReadOnlyList<JsonObject> From(IEnumerable<RecordingEventRecord> events) =>
        events.Where(e => e.Kind == MomentKinds.Step && e.Tool is { Length: > 0 } && e.Outcome == "ok" && !ReadOnly.Contains(e.Tool))
            .Select(ToStep).ToList();

    private static JsonObject ToStep(RecordingEventRecord e)
    {
        var action = SessionActions.GetValueOrDefault(e.Tool!, e.Tool!);
        var step = new JsonObject { ["action"] = action };
        if (e.Actor == MomentKinds.Api && e.Detail is { } target && !target.StartsWith('{'))
        {
            // The session API logs its target (a URL) as text.
            if (action == ToolNames.Navigate)
            {
                step["url"] = target;
            }

            return step;
        }

        JsonObject? arguments = null;
        try
        {
            arguments = e.Detail is null ? null : JsonNode.Parse(e.Detail) as JsonObject;
        }
        catch (JsonException)
        {
            // Clipped arguments: the step keeps its action and what its summary says.
        }

        foreach (var (name, value) in arguments ?? [])
        {
            if (name != "ref" && value is not null)
            {
                step[name] = value.DeepClone();
            }
        }

        if (arguments?["ref"] is not null && step["description"] is null && Described(e.Title) is { } description && !description.StartsWith("[ref=", StringComparison.Ordinal))
        {
            step["description"] = description;
        }

        return step;
    }

    /// <summary>The element a step's summary names ("Clicked button "Log in"" → button "Log in").</summary>
    private static string? Described(string summary)
    {
        var space = summary.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return null;
        }

        var rest = summary[(space + 1)..];
        foreach (var preposition in Prepositions)
        {
            if (rest.StartsWith(preposition, StringComparison.Ordinal))
            {
                return rest[preposition.Length..];
            }
        }

        return rest;
    }
}
