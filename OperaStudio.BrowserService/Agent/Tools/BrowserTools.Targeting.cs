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

            return new Target(locator, normalized, $"[ref={normalized}]");
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
