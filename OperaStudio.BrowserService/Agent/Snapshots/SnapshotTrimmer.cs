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

    /// <summary>Text lengths tried in turn; for each, the longest runs of siblings that still fit are searched for.</summary>
    private static readonly int[] TextLimits = [160, 100, 60, 40];

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
        foreach (var urls in new[] { true, false })
        {
            var whole = Render(nodes, new Settings(200, int.MaxValue, 0, urls, AllRefs: false));
            if (whole.Length <= budget)
            {
                return Annotate(whole, full.Length, nodes.Count);
            }
        }

        foreach (var limit in TextLimits)
        {
            // The longest runs that fit: binary search on how many items of a run stay (a fifth of them at its end).
            string? best = null;
            for (int low = 2, high = nodes.Count; low <= high;)
            {
                var keep = (low + high) / 2;
                var text = Render(nodes, new Settings(limit, keep - (keep / 5), Math.Max(1, keep / 5), Urls: false, AllRefs: false));
                if (text.Length <= budget)
                {
                    best = text;
                    low = keep + 1;
                }
                else
                {
                    high = keep - 1;
                }
            }

            if (best is not null)
            {
                return Annotate(best, full.Length, nodes.Count);
            }
        }

        var last = Render(nodes, new Settings(TextLimits[^1], 1, 1, Urls: false, AllRefs: false));
        var cut = last.LastIndexOf('\n', Math.Min(budget, last.Length - 1));
        return Annotate(last[..Math.Max(0, cut)] + "\n- … (cut at the size limit)", full.Length, nodes.Count);
    }

    private static TrimmedSnapshot Annotate(string text, int fullChars, int lines)
    {
        var note = $"# Trimmed from {fullChars} characters to fit: some refs, URLs, texts and repeated items are left out. "
            + "Use click/fill_form with a description, scroll, or get_content to reach what is not shown.\n";
        var result = note + text;
        return new TrimmedSnapshot(result, fullChars, result.Length, lines, Trimmed: true);
    }

    /// <summary>
    /// Renders the tree. A run of more than KeepFirst + KeepLast + 1 consecutive siblings with the same role (rows,
    /// list items, links) keeps its first and last items and a line counting the rest; distinct siblings all stay.
    /// </summary>
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

            for (var start = 0; start < list.Count;)
            {
                var end = start + 1;
                while (end < list.Count && list[end].Role == list[start].Role)
                {
                    end++;
                }

                var run = end - start;
                var collapse = run > settings.KeepFirst + settings.KeepLast + 1;
                for (var i = start; i < end; i++)
                {
                    if (collapse && i == start + settings.KeepFirst)
                    {
                        var skipped = run - settings.KeepFirst - settings.KeepLast;
                        output.Append(' ', depth * 2).Append("- … ").Append(skipped).Append(" more ").Append(list[start].Role).Append(" items\n");
                        i = end - settings.KeepLast - 1;
                        continue;
                    }

                    RenderNode(list[i], depth);
                }

                start = end;
            }
        }

        void RenderNode(SnapshotNode node, int depth)
        {
            var keepRef = settings.AllRefs || IsActionable(node);
            var hasVisibleChildren = children[node.Index + 1] is { Count: > 0 };
            output.Append(' ', depth * 2).Append("- ").Append(node.Render(settings.TextMax, keepRef, settings.AllRefs, hasVisibleChildren)).Append('\n');
            RenderChildren(node.Index, depth + 1);
        }
    }

    private sealed record Settings(int TextMax, int KeepFirst, int KeepLast, bool Urls, bool AllRefs);
}

/// <summary>A snapshot as the model receives it, with the sizes before and after trimming.</summary>
public sealed record TrimmedSnapshot(string Text, int FullChars, int Chars, int Lines, bool Trimmed);
