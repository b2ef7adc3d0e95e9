using System.Text.RegularExpressions;

namespace OperaStudio.BrowserService.Workflows.Authoring;

/// <summary>
/// The element a step's summary names (<c>Clicked button "Log in" [ref=e8]</c>, <c>Typed "x" into textbox "Search"</c>)
/// as a description the resolver finds again in a fresh page (<c>Log in button</c>, <c>Search field</c>). A summary
/// that names the element only by ref gives none: a ref means nothing in another session.
/// </summary>
public static partial class ElementNames
{
    // Snapshot roles as the words the element resolver reads as role hints.
    private static readonly Dictionary<string, string> RoleWords = new(StringComparer.Ordinal)
    {
        ["button"] = "button",
        ["link"] = "link",
        ["textbox"] = "field",
        ["searchbox"] = "search box",
        ["combobox"] = "dropdown",
        ["listbox"] = "dropdown",
        ["checkbox"] = "checkbox",
        ["radio"] = "radio",
        ["tab"] = "tab",
        ["menuitem"] = "menu item",
        ["option"] = "option",
        ["switch"] = "switch",
        ["heading"] = "heading",
        ["img"] = "image",
    };

    /// <summary>The description of the element named at the end of <paramref name="summary"/>; null when it has no name.</summary>
    public static string? FromSummary(string? summary)
    {
        if (string.IsNullOrWhiteSpace(summary) || Named().Match(summary.Trim()) is not { Success: true } match)
        {
            return null;
        }

        var name = match.Groups["name"].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Trim();
        if (name.Length == 0)
        {
            return null;
        }

        return RoleWords.TryGetValue(match.Groups["role"].Value, out var word) ? $"{name} {word}" : name;
    }

    // role "name" [attributes…], at the end of the summary (before " and pressed Enter").
    [GeneratedRegex("""(?<role>[a-z]+) "(?<name>(?:[^"\\]|\\.)*)"(?: \[[^\]]*\])*(?: and pressed Enter)?$""")]
    private static partial Regex Named();
}
