using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Web;

/// <summary>
/// The browser panel end to end: a real viewer (headless Chromium) on the real web app, which proxies to the real
/// browser service, which drives the remote Chromium. Input goes through the canvas; outcomes are read from the
/// remote page itself and from the canvas' pixels.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class BrowserPanelTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    private TestPageServer Pages => web.Service.Pages;

    [Fact]
    public async Task Panel_ShowsTheRemotePage_AndClicksTypesPastesAndScrollsIt()
    {
        await using var panel = await PanelPage.OpenAsync(web, chromium, Pages.Page("/panel/input", TestPages.Input));

        await panel.SaveScreenshotAsync("panel-input");
        // The page is painted: the button's orange is where the remote page has it.
        var colour = await panel.ColourAtAsync(60, 110);
        Assert.True(colour[0] > 200 && colour[1] is > 80 and < 160 && colour[2] < 80, $"expected the orange button, saw rgb({string.Join(',', colour)})");
        await Expect(panel.Status).ToContainTextAsync("Connected");
        await Expect(panel.Status).ToContainTextAsync("fps");
        Assert.Contains(panel.WebSockets, url => url.StartsWith(web.BaseAddress.ToString().Replace("http", "ws", StringComparison.Ordinal) + "hubs/live", StringComparison.Ordinal));

        // A click on the canvas presses the remote button, and the canvas repaints.
        var before = await panel.PixelsAsync();
        await panel.ClickRemoteAsync(150, 130);
        await panel.WaitForRemoteAsync("document.getElementById('press').textContent", "pressed 1");
        await panel.WaitForCanvasChangeAsync(before);

        // Typing goes to the focused remote input; Backspace and arrows too.
        await panel.ClickRemoteAsync(200, 220);
        await panel.Page.Keyboard.TypeAsync("Hello, Opera!");
        await panel.Page.Keyboard.PressAsync("Backspace");
        await panel.Page.Keyboard.PressAsync("ArrowLeft");
        await panel.Page.Keyboard.TypeAsync("X");
        await panel.WaitForRemoteAsync("document.getElementById('name').value", "Hello, OperXa");

        // Select all + paste from the user's clipboard replaces the text.
        await panel.Page.Keyboard.PressAsync("Control+A");
        await panel.Canvas.EvaluateAsync("""
            c => {
              const data = new DataTransfer();
              data.setData('text/plain', 'pasted ✓');
              c.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
            }
            """);
        await panel.WaitForRemoteAsync("document.getElementById('name').value", "pasted ✓");

        // The wheel scrolls the remote page.
        await panel.WheelRemoteAsync(600, 400, 900);
        await PanelPage.WaitForAsync(async () => int.Parse(await panel.RemoteAsync("Math.round(window.scrollY)")) > 200, "the remote page to scroll");
    }
}
