using System.Globalization;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Components.Pages.Recordings;

/// <summary>How the player shows a recording's events: which kinds get a marker on the timeline, and their icons.</summary>
public static class RecordingEventKinds
{
    /// <summary>The kinds worth a marker; the rest (typing, scrolling, tabs, viewport…) are only in the event list.</summary>
    private static readonly HashSet<string> Marked = new(StringComparer.Ordinal) { "navigation", "click", "step", "approval", "chat", "error" };

    public static bool HasMarker(RecordingEventDto e) => Marked.Contains(e.Kind);

    public static string Icon(RecordingEventDto e) => e.Kind switch
    {
        "navigation" => Icons.Material.Outlined.Public,
        "click" => Icons.Material.Outlined.Mouse,
        "input" => Icons.Material.Outlined.Keyboard,
        "step" => Icons.Material.Outlined.SmartToy,
        "approval" => Icons.Material.Outlined.VerifiedUser,
        "chat" => Icons.Material.Outlined.ChatBubbleOutline,
        "error" => Icons.Material.Outlined.ErrorOutline,
        "tab" => Icons.Material.Outlined.Tab,
        "viewport" => Icons.Material.Outlined.AspectRatio,
        "dialog" => Icons.Material.Outlined.ChatBubble,
        "upload" => Icons.Material.Outlined.Upload,
        "download" => Icons.Material.Outlined.Download,
        _ => Icons.Material.Outlined.Circle,
    };

    /// <summary>The time as the page's JS reads it back: exactly the double the service sent (round-trip format).</summary>
    public static string Ms(double ms) => ms.ToString("R", CultureInfo.InvariantCulture);

    private static readonly HashSet<string> Fine = new(StringComparer.OrdinalIgnoreCase) { "ok", "completed", "approved", "done", "success" };

    /// <summary>The event list's main line: a chat message reads as what was said (its title is only who said it).</summary>
    public static string Headline(RecordingEventDto e) =>
        e.Kind == "chat" && !string.IsNullOrWhiteSpace(e.Detail) ? e.Detail : e.Title;

    /// <summary>The event list's second line beside the actor: whatever the headline did not already say.</summary>
    public static string? Subline(RecordingEventDto e) =>
        Headline(e) == e.Title ? (e.Detail == e.Title ? null : e.Detail) : (e.Title == e.Actor ? null : e.Title);

    /// <summary>An outcome worth a badge (a failure, a refusal); a step that went fine gets none.</summary>
    public static string? Outcome(RecordingEventDto e) => e.Outcome is { Length: > 0 } outcome && !Fine.Contains(outcome) ? outcome : null;

    /// <summary>Where on the timeline, in percent of the duration.</summary>
    public static string Left(double ms, double durationMs) =>
        (durationMs <= 0 ? 0 : Math.Clamp(ms / durationMs, 0, 1) * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
