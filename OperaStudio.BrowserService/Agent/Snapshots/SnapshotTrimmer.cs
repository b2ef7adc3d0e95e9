using System.Text;

namespace OperaStudio.BrowserService.Agent.Snapshots;

/// <summary>
/// Fits a snapshot into the model's budget. A snapshot that fits is sent as Playwright wrote it. A bigger one is
/// trimmed in rounds until it fits: refs stay only on what can be acted on (buttons, links, fields, anything with a
/// pointer cursor), link URLs go, long texts are shortened, and long runs of siblings (table rows, product lists)
/// keep their first and last few with a line counting what was left out. Left-out elements can still be reached by
/// description (click, fill_form resolve against the full snapshot) or read with get_content.
/// </summary>
public static class SnapshotTrimmer
{
    private static readonly HashSet<string> ActionableRoles = new(StringComparer.Ordinal)
    {
        "button", "link", "textbox", "searchbox", "checkbox", "radio", "combobox", "listbox", "option", "menuitem",
        "menuitemcheckbox", "menuitemradio", "tab", "switch", "slider", "spinbutton", "treeitem", "iframe",
    };

    private static readonly Settings Full = new(int.MaxValue, int.MaxValue, 0, Urls: true, AllRefs: true);

    private static readonly Settings[] Rounds =
    [
        new(200, int.MaxValue, 0, Urls: true, AllRefs: false),
        new(120, 25, 5, Urls: false, AllRefs: false),
        new(80, 10, 3, Urls: false, AllRefs: false),
        new(60, 5, 2, Urls: false, AllRefs: false),
        new(40, 3, 1, Urls: false, AllRefs: false),
    ];

    public static bool IsActionable(SnapshotNode node) => node.Ref is not null && (ActionableRoles.Contains(node.Role) || node.IsClickable);

    /// <summary>The whole snapshot, every ref and text, as Playwright wrote it (password values masked).</summary>
    public static string RenderFull(IReadOnlyList<SnapshotNode> nodes) => Render(nodes, Full);

    public static TrimmedSnapshot Trim(IReadOnlyList<SnapshotNode> nodes, int maxChars)
    {
        var full = RenderFull(nodes);
        if (full.Length <= maxChars)
        {
            return new TrimmedSnapshot(full, full.Length, full.Length, nodes.Count, Trimmed: false);
        }

        var budget = Math.Max(200, maxChars - 240);
        foreach (var round in Rounds)
        {
            var text = Render(nodes, round);
            if (text.Length <= budget)
            {
                return Annotate(text, full.Length, nodes.Count);
            }
        }

        var last = Render(nodes, Rounds[^1]);
        var cut = last.LastIndexOf('\n', Math.Min(budget, last.Length - 1));
        return Annotate(last[..Math.Max(0, cut)] + "\n- … (cut at the size limit)", full.Length, nodes.Count);
    }

    private static TrimmedSnapshot Annotate(string text, int fullChars, int lines)
    {
        var note = $"# Trimmed from {fullChars} to fit: some refs, URLs, texts and repeated items are left out. "
            + "Use click/fill_form with a description, scroll, or get_content to reach what is not shown.\n";
        var result = note + text;
        return new TrimmedSnapshot(result, fullChars, result.Length, lines, Trimmed: true);
    }

    private static string Render(IReadOnlyList<SnapshotNode> nodes, Settings settings)
    {
        var children = new List<SnapshotNode>[nodes.Count + 1];
        foreach (var node in nodes)
        {
            if (!settings.Urls && node.IsProperty)
            {
                continue;
            }

            (children[node.Parent + 1] ??= []).Add(node);
        }

        var output = new StringBuilder();
        RenderChildren(-1, 0);
        return output.ToString().TrimEnd('\n');

        void RenderChildren(int parent, int depth)
        {
            if (children[parent + 1] is not { } list)
            {
                return;
            }

            var collapse = list.Count > settings.KeepFirst + settings.KeepLast + 1;
            for (var i = 0; i < list.Count; i++)
            {
                if (collapse && i == settings.KeepFirst)
                {
                    var skipped = list.Skip(settings.KeepFirst).Take(list.Count - settings.KeepFirst - settings.KeepLast).ToList();
                    var roles = skipped.GroupBy(n => n.Role).OrderByDescending(g => g.Count()).Take(3).Select(g => $"{g.Key} ×{g.Count()}");
                    output.Append(' ', depth * 2).Append("- … ").Append(skipped.Count).Append(" more: ").AppendJoin(", ", roles).Append('\n');
                    i = list.Count - settings.KeepLast - 1;
                    continue;
                }

                var node = list[i];
                var keepRef = settings.AllRefs || IsActionable(node);
                var hasVisibleChildren = children[node.Index + 1] is { Count: > 0 };
                output.Append(' ', depth * 2).Append("- ").Append(node.Render(settings.TextMax, keepRef, settings.AllRefs, hasVisibleChildren)).Append('\n');
                RenderChildren(node.Index, depth + 1);
            }
        }
    }

    private sealed record Settings(int TextMax, int KeepFirst, int KeepLast, bool Urls, bool AllRefs);
}

/// <summary>A snapshot as the model receives it, with the sizes before and after trimming.</summary>
public sealed record TrimmedSnapshot(string Text, int FullChars, int Chars, int Lines, bool Trimmed);
