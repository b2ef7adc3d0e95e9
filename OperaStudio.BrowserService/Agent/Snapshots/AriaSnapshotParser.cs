using System.Text.RegularExpressions;

namespace OperaStudio.BrowserService.Agent.Snapshots;

/// <summary>Reads the YAML-like text of <c>AriaSnapshotAsync(Mode = Ai)</c> into nodes (tolerant: unknown lines become text).</summary>
public static partial class AriaSnapshotParser
{
    public static IReadOnlyList<SnapshotNode> Parse(string snapshot)
    {
        var nodes = new List<SnapshotNode>();
        var stack = new Stack<SnapshotNode>();
        foreach (var raw in snapshot.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var item = ItemLine().Match(line);
            if (!item.Success)
            {
                continue;
            }

            var depth = item.Groups["indent"].Length / 2;
            while (stack.Count > 0 && stack.Peek().Depth >= depth)
            {
                stack.Pop();
            }

            var parent = stack.Count > 0 ? stack.Peek() : null;
            var node = ParseBody(Unquote(item.Groups["body"].Value), nodes.Count, depth, parent?.Index ?? -1);
            nodes.Add(node);
            stack.Push(node);
        }

        return nodes;
    }

    private static SnapshotNode ParseBody(string body, int index, int depth, int parent)
    {
        var match = NodeBody().Match(body);
        if (!match.Success)
        {
            return new SnapshotNode { Index = index, Depth = depth, Parent = parent, Role = "text", Value = body };
        }

        string? reference = null;
        ElementBox? box = null;
        var byBehaviour = false;
        var attributes = new List<string>();
        foreach (Capture capture in match.Groups["attr"].Captures)
        {
            if (capture.Value.StartsWith("ref=", StringComparison.Ordinal))
            {
                reference = capture.Value[4..];
            }
            else if (capture.Value.StartsWith("box=", StringComparison.Ordinal))
            {
                box = ElementBox.Parse(capture.Value[4..]);
            }
            else if (capture.Value == "clickable")
            {
                byBehaviour = true;
            }
            else
            {
                attributes.Add(capture.Value);
            }
        }

        var value = match.Groups["value"];
        return new SnapshotNode
        {
            Index = index,
            Depth = depth,
            Parent = parent,
            Role = match.Groups["role"].Value,
            Name = match.Groups["name"].Success ? Regex.Unescape(match.Groups["name"].Value) : null,
            Attributes = attributes,
            Ref = reference,
            Box = box,
            ByBehaviour = byBehaviour,
            Value = value.Success && value.Value.Length > 0 ? Unquote(value.Value) : null,
        };
    }

    /// <summary>YAML quotes a line or value holding special characters: <c>'link "a: b" [ref=e3]'</c>.</summary>
    private static string Unquote(string text)
    {
        var trimmed = text.Trim();
        var colon = trimmed.EndsWith("':", StringComparison.Ordinal) ? ":" : "";
        var core = colon.Length > 0 ? trimmed[..^1] : trimmed;
        if (core.Length >= 2 && core[0] == '\'' && core[^1] == '\'')
        {
            return core[1..^1].Replace("''", "'", StringComparison.Ordinal) + colon;
        }

        if (core.Length >= 2 && core[0] == '"' && core[^1] == '"' && !core[1..^1].Contains('"', StringComparison.Ordinal))
        {
            return core[1..^1] + colon;
        }

        return trimmed;
    }

    [GeneratedRegex(@"^(?<indent>\s*)- (?<body>.*)$")]
    private static partial Regex ItemLine();

    [GeneratedRegex("""^(?<role>/?[A-Za-z][\w-]*)(?:\s+"(?<name>(?:[^"\\]|\\.)*)")?(?:\s+\[(?<attr>[^\]]*)\])*\s*(?::\s*(?<value>.*))?$""")]
    private static partial Regex NodeBody();
}
