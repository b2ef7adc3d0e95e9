using System.Text;
using System.Text.RegularExpressions;

namespace OperaStudio.BrowserService.Agent.Snapshots;

/// <summary>
/// Finds the element a description means (<c>"the Log in button"</c>, <c>"Password"</c>) among a snapshot's refs:
/// the accessible name first, the role words in the description next. A control whose own name matches wins over
/// a text that merely quotes the words. One clear best match resolves; matches that score close are ambiguous and
/// the caller gets the candidates (role, name, ref) to choose from rather than a guess. Never produces a CSS selector.
/// </summary>
public static partial class ElementResolver
{
    /// <summary>Roles a form field can have (fill_form only looks at these).</summary>
    public static readonly IReadOnlySet<string> FieldRoles = new HashSet<string>(StringComparer.Ordinal)
    {
        "textbox", "searchbox", "combobox", "listbox", "checkbox", "radio", "spinbutton", "slider", "switch",
    };

    private const int Threshold = 45;

    /// <summary>Candidates scoring within this of the best are too close to call (two "Save …" buttons for "Save").</summary>
    private const int Margin = 10;

    /// <summary>For a control (button, link, field, clickable element): "Log in" means the button, not the heading saying it.</summary>
    private const int ControlBonus = 20;

    /// <summary>For a text that contains the words without being them: a sentence quoting a button's label is not the button.</summary>
    private const int QuotePenalty = 15;

    private static readonly (string Word, string[] Roles)[] RoleWords =
    [
        ("button", ["button"]),
        ("link", ["link"]),
        ("checkbox", ["checkbox"]),
        ("check box", ["checkbox"]),
        ("radio", ["radio"]),
        ("dropdown", ["combobox", "listbox"]),
        ("drop-down", ["combobox", "listbox"]),
        ("select", ["combobox", "listbox"]),
        ("combobox", ["combobox"]),
        ("menu item", ["menuitem", "menuitemcheckbox", "menuitemradio"]),
        ("tab", ["tab"]),
        ("field", ["textbox", "searchbox", "combobox", "spinbutton"]),
        ("input", ["textbox", "searchbox", "spinbutton"]),
        ("textbox", ["textbox", "searchbox"]),
        ("text box", ["textbox", "searchbox"]),
        ("search box", ["searchbox", "textbox"]),
        ("heading", ["heading"]),
        ("switch", ["switch"]),
        ("option", ["option"]),
        ("image", ["img"]),
    ];

    public static Resolution Resolve(IReadOnlyList<SnapshotNode> nodes, string description, IReadOnlySet<string>? roles = null)
    {
        var text = description.Trim();
        if (RefLike().Match(text) is { Success: true } refMatch)
        {
            var byRef = nodes.FirstOrDefault(n => n.Ref == refMatch.Groups["ref"].Value);
            return byRef is null
                ? Resolution.Fail($"No element has ref {refMatch.Groups["ref"].Value} in the current page; take a new snapshot.")
                : Resolution.Found(byRef);
        }

        var (wanted, roleHint) = Split(text);
        if (wanted.Length == 0 && roleHint is null)
        {
            return Resolution.Fail("The description is empty: name the element by its label or text, e.g. \"Log in button\".");
        }

        var scored = nodes
            .Where(n => n.Ref is not null && !n.IsProperty && (roles is null || roles.Contains(n.Role)))
            .Select(n => (Node: n, Score: Score(n, nodes, wanted, roleHint)))
            .Where(c => c.Score >= Threshold)
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Node.Index)
            .ToList();
        if (scored.Count == 0)
        {
            var kind = roles is null ? "element" : "form field";
            return Resolution.Fail($"No {kind} matches \"{description}\" on this page. {Nearby(nodes, roles)}");
        }

        var best = scored[0];
        var close = scored.TakeWhile(c => best.Score - c.Score < Margin).ToList();
        if (close.Count == 1)
        {
            return Resolution.Found(best.Node);
        }

        var how = close.All(c => c.Score == best.Score) ? "equally" : "about as well";
        var list = string.Join("; ", close.Take(8).Select(c => Context(c.Node, nodes)));
        return Resolution.Fail($"\"{description}\" is ambiguous: {close.Count} elements match {how} — {list}. Choose one and act on it by ref.");
    }

    /// <summary>0–130: how well a node's accessible name (or its value) and role fit the description.</summary>
    private static int Score(SnapshotNode node, IReadOnlyList<SnapshotNode> nodes, string wanted, string[]? roleHint)
    {
        var name = Normalize(node.Name ?? (node.Role is "generic" or "text" or "paragraph" or "cell" or "listitem" ? node.Value : null) ?? "");
        var actionable = SnapshotTrimmer.IsActionable(node);
        int score;
        if (wanted.Length == 0)
        {
            score = 50;
        }
        else if (name.Length == 0)
        {
            return 0;
        }
        else if (name == wanted)
        {
            score = 100;
        }
        else if (name.StartsWith(wanted, StringComparison.Ordinal) || name.EndsWith(wanted, StringComparison.Ordinal))
        {
            score = 75 - Math.Min(20, (name.Length - wanted.Length) / 4);
        }
        else if (name.Contains(wanted, StringComparison.Ordinal))
        {
            score = 65 - Math.Min(20, (name.Length - wanted.Length) / 4);
        }
        else if (wanted.Contains(name, StringComparison.Ordinal) && name.Length >= 3)
        {
            score = 55;
        }
        else
        {
            var want = wanted.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var have = name.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            var overlap = want.Count(have.Contains);
            score = overlap == 0 ? 0 : 50 * overlap / want.Length;
        }

        if (!actionable && wanted.Length > 0 && name != wanted)
        {
            score -= QuotePenalty;
        }

        if (roleHint is not null)
        {
            score += roleHint.Contains(node.Role) ? 30 : -30;
        }
        else if (actionable)
        {
            score += ControlBonus;
        }

        return score;
    }

    private static (string Wanted, string[]? Roles) Split(string description)
    {
        var text = Normalize(description);
        string[]? roles = null;
        foreach (var (word, wordRoles) in RoleWords)
        {
            var pattern = $@"(^| ){Regex.Escape(word)}( |$)";
            if (Regex.IsMatch(text, pattern))
            {
                roles = wordRoles;
                text = Regex.Replace(text, pattern, " ").Trim();
                break;
            }
        }

        text = Filler().Replace(text, " ").Trim();
        return (Spaces().Replace(text, " "), roles);
    }

    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            builder.Append(char.IsLetterOrDigit(c) || c == '@' ? c : ' ');
        }

        return Spaces().Replace(builder.ToString(), " ").Trim();
    }

    private static string Context(SnapshotNode node, IReadOnlyList<SnapshotNode> nodes)
    {
        var described = node.Describe();
        for (var parent = node.Parent; parent >= 0; parent = nodes[parent].Parent)
        {
            if (nodes[parent].Name is { Length: > 0 } || nodes[parent].Role is "form" or "dialog" or "navigation" or "main" or "row")
            {
                return $"{described} in {nodes[parent].Describe()}";
            }
        }

        return described;
    }

    private static string Nearby(IReadOnlyList<SnapshotNode> nodes, IReadOnlySet<string>? roles)
    {
        var candidates = nodes.Where(n => n.Ref is not null && n.Name is { Length: > 0 }
                && (roles is null ? SnapshotTrimmer.IsActionable(n) : roles.Contains(n.Role)))
            .Take(15)
            .Select(n => n.Describe())
            .ToList();
        return candidates.Count == 0
            ? "Take a snapshot to see what the page offers."
            : $"Some elements that can be used: {string.Join("; ", candidates)}.";
    }

    [GeneratedRegex(@"^\[?(?:ref\s*=\s*)?(?<ref>(?:f\d+)?e\d+|c\d+)\]?$", RegexOptions.IgnoreCase)]
    private static partial Regex RefLike();

    [GeneratedRegex(@"(^| )(the|a|an|on|labeled|labelled|named|called|with text|field for)( |$)")]
    private static partial Regex Filler();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

/// <summary>The element a description resolved to, or why it did not resolve (not found, ambiguous with candidates).</summary>
public sealed record Resolution(SnapshotNode? Node, string? Error)
{
    public static Resolution Found(SnapshotNode node) => new(node, null);

    public static Resolution Fail(string error) => new(null, error);
}
