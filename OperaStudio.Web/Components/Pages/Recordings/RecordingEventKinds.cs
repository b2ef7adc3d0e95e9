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

    /// <summary>Where on the timeline, in percent of the duration.</summary>
    public static string Left(double ms, double durationMs) =>
        (durationMs <= 0 ? 0 : Math.Clamp(ms / durationMs, 0, 1) * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
