using System.Text.Json;
using Microsoft.Playwright;

namespace OperaStudio.BrowserService.Agent.Snapshots;

/// <summary>
/// Controls that are controls only by behaviour (a clickable span in a sentence, a div with a click listener, a
/// pointer cursor, a tabindex), as other agent browsers find them. Playwright's snapshot gives refs by role: such
/// an element is a nameless <c>generic</c> at best, and an inline one with only text is folded into its parent's
/// text with no ref at all. The page finds them (<see cref="ControlScripts.Find"/>); each is matched to the snapshot
/// node with the very same box, which then says <c>[clickable]</c>, or, when the snapshot has none, added under the
/// smallest node enclosing it with a ref of its own (<c>c3</c>, resolved by <see cref="ControlScripts.SelectorEngine"/>).
/// </summary>
public static class BehaviourControls
{
    /// <summary>More than this many on one page is a page that makes everything clickable: the rest are left out.</summary>
    private const int MaxControls = 300;

    /// <summary>Finds the page's behaviour controls; none when the page does not answer in time (the snapshot stands).</summary>
    public static async Task<IReadOnlyList<Control>> FindAsync(IPage page, float timeoutMs, CancellationToken cancellationToken)
    {
        try
        {
            var found = await page.EvaluateAsync<JsonElement>(ControlScripts.Find, MaxControls)
                .WaitAsync(TimeSpan.FromMilliseconds(timeoutMs), cancellationToken);
            return found.EnumerateArray().Select(c => new Control(
                c.GetProperty("ref").GetString()!,
                new ElementBox(c.GetProperty("x").GetInt32(), c.GetProperty("y").GetInt32(), c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32()),
                c.GetProperty("text").GetString() ?? "")).ToList();
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return [];
        }
    }

    /// <summary>The snapshot's nodes with the controls marked or added (added ones come last, each pointing at its parent).</summary>
    public static IReadOnlyList<SnapshotNode> Merge(IReadOnlyList<SnapshotNode> nodes, IReadOnlyList<Control> controls)
    {
        // Boxes of the page itself only: those inside an iframe are relative to the frame.
        var boxed = nodes.Where(n => n is { Box: not null, Ref: not null } && !InFrame(n, nodes)).ToList();
        var merged = nodes.ToList();
        foreach (var control in controls)
        {
            var box = control.Box;
            var same = boxed.Where(n => n.Box == box).MaxBy(n => (n.Depth, n.Index));
            if (same is not null)
            {
                // The element itself, or a wrapper exactly its size: its centre is the control's either way.
                same.ByBehaviour = !SnapshotTrimmer.IsActionable(same);
                continue;
            }

            var parent = boxed.Where(n => n.Box!.Value.Contains(box)).MaxBy(n => (n.Depth, n.Index));
            merged.Add(new SnapshotNode
            {
                Index = merged.Count,
                Depth = parent is null ? 0 : parent.Depth + 1,
                Parent = parent?.Index ?? -1,
                Role = "generic",
                Ref = control.Ref,
                Value = control.Text.Length > 0 ? control.Text : null,
                Box = box,
                ByBehaviour = true,
            });
        }

        return merged;
    }

    private static bool InFrame(SnapshotNode node, IReadOnlyList<SnapshotNode> nodes)
    {
        for (var parent = node.Parent; parent >= 0; parent = nodes[parent].Parent)
        {
            if (nodes[parent].Role == "iframe")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One control as the page reports it: its ref, viewport box and visible text.</summary>
    public sealed record Control(string Ref, ElementBox Box, string Text);
}
