using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.Tests.Chat;
using OperaStudio.Tests.Infrastructure;
using OperaStudio.Tests.Web;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Mcp;

/// <summary>
/// What a person sees of an MCP client in the panel: its calls as step cards with its name, and its sensitive step as
/// an approval card whose Approve lets the waiting MCP call complete.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class McpPanelTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task TheClientsCalls_AreStepCardsWithItsName_AndItsScriptWaitsForTheApproveButton()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var panel = await PanelPage.OpenAsync(web, chromium, web.Service.Pages.Page("/mcp/panel", TestPages.Titled("Watched", "#0ea5e9")));
        var chat = new ChatPage(panel);
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(web.BaseAddress, "/mcp"),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {TestIdentity.AdminToken}" },
            }),
            new McpClientOptions { ClientInfo = new Implementation { Name = "claude-desktop", Version = "1.0" } },
            cancellationToken: ct);
        var attached = await client.CallToolAsync("attach_session", new Dictionary<string, object?> { ["session_id"] = panel.SessionId }, cancellationToken: ct);
        Assert.NotEqual(true, attached.IsError);

        await client.CallToolAsync(ToolNames.Snapshot, cancellationToken: ct);

        await Expect(chat.Step(ToolNames.Snapshot).GetByTestId("agent-step-source")).ToHaveTextAsync("mcp · claude-desktop");

        var call = client.CallToolAsync(ToolNames.ExecuteScript, new Dictionary<string, object?> { ["script"] = "return document.title" }, cancellationToken: ct).AsTask();
        var card = chat.Approvals.First;
        await Expect(card).ToHaveAttributeAsync("data-kind", "execute_script");
        Assert.False(call.IsCompleted);
        await card.GetByTestId("approve").ClickAsync();
        var result = await call;

        Assert.NotEqual(true, result.IsError);
        Assert.Equal("\"Watched\"", string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
        await Expect(chat.Step(ToolNames.ExecuteScript).GetByTestId("agent-step-source")).ToHaveTextAsync("mcp · claude-desktop");
        await Screenshots.SaveAsync(panel.Page, "chat-mcp");

        // History names the client too (the timeline's actor line).
        await panel.Page.GotoAsync(new Uri(web.BaseAddress, $"/history/{panel.SessionId}").ToString());
        await Expect(panel.Page.Locator("[data-testid=timeline-entry]").Filter(new() { HasText = "claude-desktop" }).First).ToBeVisibleAsync();
        await Screenshots.SaveAsync(panel.Page, "timeline-mcp");
    }
}
