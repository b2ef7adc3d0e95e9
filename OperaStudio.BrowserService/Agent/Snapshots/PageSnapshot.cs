using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OperaStudio.BrowserService.Agent.Snapshots;

/// <summary>One AI aria snapshot of a page, parsed, with password values masked.</summary>
public sealed partial record PageSnapshot(string Url, string Title, IReadOnlyList<SnapshotNode> Nodes)
{
    public const string MaskedValue = "••••••";

    public string FullText => SnapshotTrimmer.RenderFull(Nodes);

    public SnapshotNode? FindRef(string reference) => Nodes.FirstOrDefault(n => n.Ref == reference);

    /// <summary>Whether the text is a ref: Playwright's (<c>e12</c>, <c>f1e3</c> in a frame) or a behaviour control's (<c>c3</c>).</summary>
    public static bool IsRef(string text) => RefPattern().IsMatch(text);

    /// <summary>The element a ref of the latest snapshot names (none once it is gone or the page has changed).</summary>
    public static ILocator Locate(IPage page, string reference) =>
        page.Locator(reference.StartsWith(ControlScripts.RefPrefix, StringComparison.Ordinal)
            ? $"{ControlScripts.SelectorEngineName}={reference}"
            : $"aria-ref={reference}");

    /// <summary>
    /// Takes a snapshot of the whole page. Always the whole page: a snapshot of part of it would make Playwright
    /// forget the refs of the rest (<c>aria-ref</c> resolves against the latest snapshot). The snapshot shows what
    /// an input holds, so password fields get their values masked here, before anything reads it.
    /// </summary>
    public static async Task<PageSnapshot> TakeAsync(IPage page, float timeoutMs, CancellationToken cancellationToken)
    {
        var controls = await BehaviourControls.FindAsync(page, timeoutMs, cancellationToken);

        // Boxes only serve to match those controls to nodes, and cost a layout read per node: asked for only then.
        var text = await page.AriaSnapshotAsync(new PageAriaSnapshotOptions { Mode = AriaSnapshotMode.Ai, Boxes = controls.Count > 0, Timeout = timeoutMs })
            .WaitAsync(cancellationToken);
        var nodes = BehaviourControls.Merge(AriaSnapshotParser.Parse(text), controls);
        foreach (var node in nodes.Where(n => n is { Role: "textbox", Ref: not null, Value.Length: > 0 }).Take(50))
        {
            try
            {
                var isPassword = await page.Locator($"aria-ref={node.Ref}").EvaluateAsync<bool>(
                    "e => e instanceof HTMLInputElement && e.type === 'password'", null, new LocatorEvaluateOptions { Timeout = 2_000 });
                if (isPassword)
                {
                    node.Value = MaskedValue;
                }
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
            {
                // Gone since the snapshot; mask to be safe.
                node.Value = MaskedValue;
            }
        }

        var title = "";
        try
        {
            title = await page.TitleAsync();
        }
        catch (PlaywrightException)
        {
            // Navigating.
        }

        var snapshot = new PageSnapshot(page.Url, title, nodes);
        Latest.AddOrUpdate(page, snapshot);
        return snapshot;
    }

    /// <summary>The page's latest snapshot, whose refs <c>aria-ref</c> resolves; null before the first.</summary>
    public static PageSnapshot? LatestOf(IPage page) => Latest.TryGetValue(page, out var snapshot) ? snapshot : null;

    /// <summary>Each page's latest snapshot, dropped with the page.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, PageSnapshot> Latest = [];

    [GeneratedRegex(@"^(?:(?:f\d+)?e|c)\d+$")]
    private static partial Regex RefPattern();
}
