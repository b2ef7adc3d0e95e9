using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Agent.Runs;

namespace OperaStudio.BrowserService.Agent.Tools;

// The tabs tool: list, open, switch, close.
public sealed partial class BrowserTools
{
    public Task<ToolOutcome> TabsAsync(string action, string? tabId, string? url, StepOrigin origin, CancellationToken cancellationToken) =>
        StepAsync(ToolNames.Tabs, new { action, tab_id = tabId, url }, origin, async (step, ct) =>
        {
            switch ((action ?? "").Trim().ToLowerInvariant())
            {
                case "list":
                    break;
                case "open":
                    var target = url is null ? null : await CheckUrlAsync(url, step, ct);
                    var opened = await Browser.OpenTabAsync(target, ct);
                    if (target is not null)
                    {
                        await opened.Page.WaitForLoadStateAsync(LoadState.Load, new() { Timeout = Timeout }).WaitAsync(ct);
                    }

                    break;
                case "switch":
                    if (tabId is null || !await Browser.ActivateAsync(tabId))
                    {
                        throw new ToolException($"There is no tab '{tabId}'. {(await ListTabsAsync()).Text}", fromPage: true);
                    }

                    break;
                case "close":
                    var closing = tabId ?? Browser.ActiveTab.Id;
                    if (!await Browser.CloseTabAsync(closing))
                    {
                        throw new ToolException($"There is no tab '{tabId}'. {(await ListTabsAsync()).Text}", fromPage: true);
                    }

                    break;
                default:
                    throw new ToolException($"Unknown tabs action '{action}'; use list, open, switch or close.");
            }

            var tabs = await ListTabsAsync();
            return new ToolResult($"Tabs {action}: {Browser.Tabs.Count} open", tabs.Text, tabs.Data);
        }, cancellationToken);

    /// <summary>The tabs with their ids; titles and URLs read from the pages (the toolbar's copies may lag a load).</summary>
    private async Task<(string Text, JsonNode Data)> ListTabsAsync()
    {
        var active = Browser.ActiveTab.Id;
        var tabs = new List<(string Id, string Url, string Title)>();
        foreach (var tab in Browser.Tabs)
        {
            tabs.Add((tab.Id, tab.Page.Url, await TitleAsync(tab.Page)));
        }

        var text = "Tabs: " + string.Join("; ", tabs.Select(t => $"{t.Id}{(t.Id == active ? " (active)" : "")} \"{t.Title}\" {t.Url}"));
        var data = new JsonArray(tabs.Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id,
            ["url"] = t.Url,
            ["title"] = t.Title,
            ["active"] = t.Id == active,
        }).ToArray());
        return (text, data);
    }

    private static async Task<string> TitleAsync(IPage page)
    {
        try
        {
            return await page.TitleAsync();
        }
        catch (PlaywrightException)
        {
            return "";
        }
    }
}
