using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Snapshots;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Agent.Tools;

// Element targeting: a ref from a snapshot or a description resolved against a fresh one, and where it is on the page.
public sealed partial class BrowserTools
{
    /// <summary>An element by ref (from the latest snapshot) or by description (resolved against a fresh snapshot).</summary>
    private async Task<Target> ResolveAsync(string? reference, string? description, IReadOnlySet<string>? roles, CancellationToken cancellationToken)
    {
        var page = Browser.ActiveTab.Page;
        if (!string.IsNullOrWhiteSpace(reference))
        {
            var normalized = reference.Trim().TrimStart('[').TrimEnd(']');
            normalized = normalized.StartsWith("ref=", StringComparison.OrdinalIgnoreCase) ? normalized[4..] : normalized;
            if (!PageSnapshot.IsRef(normalized))
            {
                throw new ToolException($"'{reference}' is not a ref; refs look like e12 (from a snapshot).");
            }

            var locator = PageSnapshot.Locate(page, normalized);
            if (await locator.CountAsync().WaitAsync(cancellationToken) == 0)
            {
                throw new ToolException($"No element has ref {normalized} on the current page: refs change when the page changes. Take a new snapshot.");
            }

            // Named as the latest snapshot names it (button "Search" [ref=e5]): step summaries, history and workflows
            // saved from a chat run then say what was acted on. (Asking the element for its own aria snapshot would
            // make Playwright forget the page's other refs.)
            var name = PageSnapshot.LatestOf(page)?.FindRef(normalized)?.Describe() ?? $"[ref={normalized}]";
            return new Target(locator, normalized, name);
        }

        if (string.IsNullOrWhiteSpace(description))
        {
            throw new ToolException("Give a ref (from a snapshot) or a description of the element.");
        }

        var snapshot = await PageSnapshot.TakeAsync(page, Timeout, cancellationToken);
        var resolution = ElementResolver.Resolve(snapshot.Nodes, description, roles);
        if (resolution.Node is not { } node)
        {
            throw new ToolException(resolution.Error!, fromPage: true);
        }

        return new Target(PageSnapshot.Locate(page, node.Ref!), node.Ref, node.Describe());
    }

    /// <summary>What counts as a control when several elements show the same text.</summary>
    private const string ControlSelector =
        "button, a[href], input, select, textarea, summary, [role=button], [role=link], [role=menuitem], [role=tab], [role=checkbox], [onclick], [tabindex]";

    /// <summary>
    /// The element showing <paramref name="text"/>: an exact match of its whole visible text first, else the smallest
    /// elements containing it. Several visible matches are an ambiguity listing them, never a guess.
    /// </summary>
    private async Task<Target> ResolveTextAsync(string text, CancellationToken cancellationToken)
    {
        var page = Browser.ActiveTab.Page;
        foreach (var exact in new[] { true, false })
        {
            var matches = page.GetByText(text, new() { Exact = exact }).Filter(new() { Visible = true });
            var count = await BoundedAsync(matches.CountAsync(), cancellationToken);
            if (count == 1)
            {
                return new Target(matches, null, $"the element showing \"{Shorten(text, 60)}\"");
            }

            if (count > 1)
            {
                // A control among texts that merely show the same words (a button and a bold word quoting it) is the one.
                var controls = matches.And(page.Locator(ControlSelector));
                if (await BoundedAsync(controls.CountAsync(), cancellationToken) == 1)
                {
                    return new Target(controls, null, $"the control showing \"{Shorten(text, 60)}\"");
                }

                var shown = Math.Min(count, 5);
                var names = new List<string>();
                for (var i = 0; i < shown; i++)
                {
                    names.Add(await BoundedAsync(matches.Nth(i).EvaluateAsync<string>(PageScripts.DescribeElement), cancellationToken));
                }

                throw new ToolException(
                    $"{count} visible elements {(exact ? "show exactly" : "contain")} \"{Shorten(text, 60)}\": {string.Join("; ", names)}{(count > shown ? "; …" : "")}. " +
                    "Click by ref (take a snapshot) or give more of the text.",
                    fromPage: true);
            }
        }

        throw new ToolException($"No visible element shows \"{Shorten(text, 60)}\".", fromPage: true);
    }

    private async Task<ElementBoxDto?> BoxAsync(Target target)
    {
        try
        {
            var box = await target.Locator.BoundingBoxAsync(new() { Timeout = 2_000 });
            return box is null ? null : new ElementBoxDto(Browser.ActiveTab.Id, target.Ref, target.Name, box.X, box.Y, box.Width, box.Height);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>An element to act on, and how it reads in messages.</summary>
    private sealed record Target(ILocator Locator, string? Ref, string Name);
}
