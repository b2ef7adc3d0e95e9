using System.Text;

namespace OperaStudio.BrowserService.Agent.Snapshots;

/// <summary>
/// One line of Playwright's AI aria snapshot: <c>- button "Log in" [ref=e13]</c>, <c>- textbox "User" [ref=e8]: bob</c>,
/// <c>- text: Username</c>, <c>- /url: /home</c>. Depth is the indentation level; Parent is the index of the enclosing node.
/// </summary>
public sealed class SnapshotNode
{
    public required int Index { get; init; }

    public required int Depth { get; init; }

    public required int Parent { get; init; }

    public required string Role { get; init; }

    public string? Name { get; init; }

    /// <summary>Attributes other than the ref, the box and <c>[clickable]</c>, e.g. <c>level=1</c>, <c>checked</c>, <c>cursor=pointer</c>.</summary>
    public IReadOnlyList<string> Attributes { get; init; } = [];

    public string? Ref { get; init; }

    /// <summary>The inline text after the colon (a textbox's value, a paragraph's text).</summary>
    public string? Value { get; set; }

    public bool IsProperty => Role.StartsWith('/');

    public bool IsText => Role == "text";

    /// <summary>Where the element was when the snapshot was taken (never rendered: it only matches elements to nodes).</summary>
    public ElementBox? Box { get; init; }

    /// <summary>A control by behaviour (a click listener, tabindex): rendered <c>[clickable]</c>, see <see cref="BehaviourControls"/>.</summary>
    public bool ByBehaviour { get; set; }

    public bool IsClickable => ByBehaviour || Attributes.Contains("cursor=pointer");

    /// <summary>How the element reads in messages: <c>button "Log in" [ref=e13]</c>.</summary>
    public string Describe() => Render(80, keepRef: true, keepCursor: false, hasChildren: false);

    public string Render(int maxText, bool keepRef, bool keepCursor, bool hasChildren)
    {
        var line = new StringBuilder(Role);
        if (Name is not null)
        {
            line.Append(" \"").Append(Truncate(Name, maxText).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }

        // Playwright's order: semantic attributes, the ref, then the cursor hint.
        foreach (var attribute in Attributes.Where(a => a != "cursor=pointer"))
        {
            line.Append(" [").Append(attribute).Append(']');
        }

        if (keepRef && Ref is not null)
        {
            line.Append(" [ref=").Append(Ref).Append(']');
        }

        if (keepCursor && Attributes.Contains("cursor=pointer"))
        {
            line.Append(" [cursor=pointer]");
        }
        else if (keepCursor && ByBehaviour)
        {
            line.Append(" [clickable]");
        }

        if (Value is not null)
        {
            line.Append(": ").Append(Truncate(Value, maxText));
        }
        else if (hasChildren)
        {
            line.Append(':');
        }

        return line.ToString();
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
