using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Components.Chat;

/// <summary>How steps and approvals read in the chat: labels, icons, durations, arguments.</summary>
internal static partial class StepDisplay
{
    private static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        // Rendered as text (Blazor escapes it), so keep quotes, < and non-ASCII readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string StatusText(string status) => status switch
    {
        StepStatuses.Running => "Running",
        StepStatuses.WaitingForApproval => "Needs approval",
        StepStatuses.WaitingForUser => "Waiting for you",
        StepStatuses.Ok => "Done",
        StepStatuses.Error => "Error",
        StepStatuses.Denied => "Denied",
        StepStatuses.Interrupted => "Interrupted",
        StepStatuses.Cancelled => "Cancelled",
        _ => status,
    };

    /// <summary>The chip's tone: <c>busy</c>, <c>wait</c>, <c>ok</c>, <c>bad</c> or <c>muted</c>.</summary>
    public static string StatusTone(string status) => status switch
    {
        StepStatuses.Running => "busy",
        StepStatuses.WaitingForApproval or StepStatuses.WaitingForUser => "wait",
        StepStatuses.Ok => "ok",
        StepStatuses.Error or StepStatuses.Denied => "bad",
        _ => "muted",
    };

    public static string ToolIcon(string tool) => tool switch
    {
        "navigate" => Icons.Material.Outlined.Public,
        "snapshot" => Icons.Material.Outlined.AccountTree,
        "click" => Icons.Material.Outlined.AdsClick,
        "type" or "press" => Icons.Material.Outlined.Keyboard,
        "select" => Icons.Material.Outlined.ArrowDropDownCircle,
        "hover" => Icons.Material.Outlined.Mouse,
        "scroll" => Icons.Material.Outlined.SwapVert,
        "wait_for" => Icons.Material.Outlined.HourglassEmpty,
        "fill_form" => Icons.Material.Outlined.EditNote,
        "extract_data" => Icons.Material.Outlined.TableChart,
        "screenshot" => Icons.Material.Outlined.PhotoCamera,
        "execute_script" => Icons.Material.Outlined.Code,
        "get_content" => Icons.Material.Outlined.Article,
        "tabs" => Icons.Material.Outlined.Tab,
        "go_back" => Icons.Material.Outlined.ArrowBack,
        "go_forward" => Icons.Material.Outlined.ArrowForward,
        "ask_user" => Icons.Material.Outlined.PanTool,
        _ => Icons.Material.Outlined.Build,
    };

    /// <summary>What an approval is about, in a few words.</summary>
    public static string KindText(string kind) => kind switch
    {
        "execute_script" => "Runs a script in the page",
        "password_submit" => "Submits a form with a password",
        "download" => "Downloads a file",
        "leave_origins" => "Leaves the allowed sites",
        "always" => "This tool always asks",
        _ => kind,
    };

    public static string? Duration(DateTimeOffset started, DateTimeOffset? finished)
    {
        if (finished is not { } end)
        {
            return null;
        }

        var elapsed = end - started;
        return elapsed.TotalMilliseconds < 1000 ? $"{Math.Max(0, (int)elapsed.TotalMilliseconds)} ms"
            : elapsed.TotalSeconds < 60 ? $"{elapsed.TotalSeconds:0.0} s"
            : $"{(int)elapsed.TotalMinutes} min {elapsed.Seconds} s";
    }

    /// <summary>The call's arguments, indented (as sent: secrets are already placeholders).</summary>
    public static string PrettyArguments(string arguments)
    {
        try
        {
            using var json = JsonDocument.Parse(arguments);
            return JsonSerializer.Serialize(json.RootElement, Pretty);
        }
        catch (JsonException)
        {
            return arguments;
        }
    }

    /// <summary>The arguments' values on one line (<c>Save button</c>, <c>https://…</c>), for a collapsed card.</summary>
    public static string BriefArguments(string arguments)
    {
        try
        {
            using var json = JsonDocument.Parse(arguments);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Cut(arguments);
            }

            var parts = json.RootElement.EnumerateObject()
                .Select(p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())
                .Where(v => !string.IsNullOrWhiteSpace(v));
            return Cut(string.Join(" · ", parts).ReplaceLineEndings(" "));
        }
        catch (JsonException)
        {
            return Cut(arguments);
        }
    }

    /// <summary>Text split around <c>{{secret:NAME}}</c> placeholders, so they can be shown as what they are.</summary>
    public static IEnumerable<(string Text, bool IsSecret)> SecretParts(string text)
    {
        var at = 0;
        foreach (Match match in SecretPlaceholder().Matches(text))
        {
            if (match.Index > at)
            {
                yield return (text[at..match.Index], false);
            }

            yield return (match.Value, true);
            at = match.Index + match.Length;
        }

        if (at < text.Length)
        {
            yield return (text[at..], false);
        }
    }

    private static string Cut(string text) => text.Length <= 140 ? text : text[..140] + "…";

    [GeneratedRegex(@"\{\{secret:[A-Za-z0-9_.\-]{1,64}\}\}")]
    private static partial Regex SecretPlaceholder();
}
