using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Runs;

namespace OperaStudio.BrowserService.Agent.Tools;

// Tools that move the tab: navigate, go_back, go_forward, and the bounded wait after an action that may navigate.
public sealed partial class BrowserTools
{
    public Task<ToolOutcome> NavigateAsync(string url, string? waitUntil, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Navigate, new { url, wait_until = waitUntil }, origin, async (step, ct) =>
        {
            var state = ParseWaitUntil(waitUntil);
            var target = await CheckUrlAsync(url, step, ct);
            var tab = Browser.ActiveTab;
            try
            {
                await tab.NavigateAsync(target, ct);
                await tab.Page.WaitForLoadStateAsync(state, new() { Timeout = Timeout }).WaitAsync(ct);
            }
            catch (PlaywrightException ex) when (ex.Message.Contains("Download is starting", StringComparison.Ordinal))
            {
                return ToolResult.Done($"{target} started a download; it is in the session's downloads.");
            }

            var title = await TitleAsync(tab.Page);
            return new ToolResult(
                $"Opened {tab.Page.Url}",
                $"Opened {tab.Page.Url} — title: \"{title}\". Take a snapshot to see the page.",
                new JsonObject { ["url"] = tab.Page.Url, ["title"] = title },
                Source: tab.Page.Url);
        }, cancellationToken);

    public Task<ToolOutcome> GoBackAsync(StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.GoBack, new { }, origin, async (_, ct) =>
        {
            var tab = Browser.ActiveTab;
            if (!await BoundedAsync(tab.GoBackAsync(), ct))
            {
                throw new ToolException("There is no earlier page in this tab's history.");
            }

            await SettleAsync(ct);
            return ToolResult.Done($"Went back to {tab.Page.Url}");
        }, cancellationToken);

    public Task<ToolOutcome> GoForwardAsync(StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.GoForward, new { }, origin, async (_, ct) =>
        {
            var tab = Browser.ActiveTab;
            if (!await BoundedAsync(tab.GoForwardAsync(), ct))
            {
                throw new ToolException("There is no later page in this tab's history.");
            }

            await SettleAsync(ct);
            return ToolResult.Done($"Went forward to {tab.Page.Url}");
        }, cancellationToken);

    /// <summary>After an action that may navigate: wait (bounded) for the page to finish loading.</summary>
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Browser.ActiveTab.Page.WaitForLoadStateAsync(LoadState.Load, new() { Timeout = Timeout }).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            // Still loading, or closed: the next step will see.
        }
    }

    private static LoadState ParseWaitUntil(string? waitUntil) => (waitUntil ?? "load").Trim().ToLowerInvariant() switch
    {
        "load" => LoadState.Load,
        "domcontentloaded" => LoadState.DOMContentLoaded,
        "networkidle" => LoadState.NetworkIdle,
        _ => throw new ToolException($"Unknown wait_until '{waitUntil}'; use load, domcontentloaded or networkidle."),
    };
}
