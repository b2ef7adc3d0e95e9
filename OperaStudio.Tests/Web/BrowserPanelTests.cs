using System.Net.Http.Json;
using System.Text.Json;
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

        // The page is painted: the button's orange is where the remote page has it (the session opened at commit,
        // so the start page may show for a moment first).
        await panel.WaitForColourAsync(60, 110, (249, 115, 22), "the orange button");
        await panel.SaveScreenshotAsync("panel-input");
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

        // Select all + copy puts the remote selection on the user's clipboard.
        await panel.Page.Keyboard.PressAsync("Control+A");
        await panel.WaitForRemoteAsync("(e => e.selectionEnd - e.selectionStart)(document.getElementById('name'))", "8");
        await panel.Page.Keyboard.PressAsync("Control+C");
        await PanelPage.WaitForAsync(async () => await panel.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()") == "pasted ✓",
            "the user's clipboard to hold the remote selection");

        // The wheel scrolls the remote page.
        await panel.WheelRemoteAsync(600, 400, 900);
        await PanelPage.WaitForAsync(async () => int.Parse(await panel.RemoteAsync("Math.round(window.scrollY)")) > 200, "the remote page to scroll");

        // The remote viewport follows the panel when the viewer's window changes size.
        await panel.Session.ActiveTab.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await panel.Page.SetViewportSizeAsync(1000, 700);
        await panel.WaitUntilLiveAsync();
        var canvasWidth = await panel.Canvas.EvaluateAsync<int>("c => Math.round(c.clientWidth)");
        Assert.Equal(canvasWidth, panel.Session.Viewport.Width);
        Assert.Equal(canvasWidth, await panel.Session.ActiveTab.Page.EvaluateAsync<int>("() => window.innerWidth"));
    }

    [Fact]
    public async Task TargetBlankLink_OpensANewTabInTheStrip_WhichCanBeSwitchedAndClosed()
    {
        var second = Pages.Page("/panel/popup-target", TestPages.Titled("Second page", "#a855f7"));
        await using var panel = await PanelPage.OpenAsync(web, chromium, Pages.Page("/panel/popup", TestPages.PopupLink(second.ToString())));
        var first = panel.Session.ActiveTab.Id;

        await panel.ClickRemoteAsync(190, 120);

        await Expect(panel.Tabs).ToHaveCountAsync(2);
        var opened = panel.Page.Locator("[data-testid=tab][data-active=true]");
        await Expect(panel.AddressBar).ToHaveValueAsync(second.ToString());
        await panel.WaitForRemoteAsync("document.title", "Second page");
        await panel.WaitForColourAsync(100, 150, (168, 85, 247), "the opened tab's purple box");
        // Not asserted: the strip showing "Second page". The service often never learns a popup's title (it attaches
        // after the page loaded, so its TabDto keeps the URL as title); the strip shows what the service says.
        var openedId = await opened.GetAttributeAsync("data-tab-id");
        Assert.NotEqual(first, openedId);
        Assert.Equal(openedId, panel.Session.ActiveTab.Id);

        // Back to the first tab: the server switches, the address bar follows, the canvas shows it.
        var before = await panel.PixelsAsync();
        await panel.Page.Locator($"[data-testid=tab][data-tab-id='{first}']").ClickAsync();
        await Expect(panel.Page.Locator($"[data-testid=tab][data-tab-id='{first}']")).ToHaveAttributeAsync("data-active", "true");
        await PanelPage.WaitForAsync(() => Task.FromResult(panel.Session.ActiveTab.Id == first), "the first tab to be active on the server");
        await Expect(panel.AddressBar).ToHaveValueAsync(Pages.Page("/panel/popup", TestPages.PopupLink(second.ToString())).ToString());
        await panel.WaitForCanvasChangeAsync(before);

        // Close the opened tab with its close button; a new tab opens on the start page with an empty address.
        await panel.Page.Locator($"[data-testid=tab][data-tab-id='{openedId}'] [data-testid=close-tab]").ClickAsync();
        await Expect(panel.Tabs).ToHaveCountAsync(1);
        await panel.Page.GetByTestId("new-tab").ClickAsync();
        await Expect(panel.Tabs).ToHaveCountAsync(2);
        await Expect(panel.Page.Locator("[data-testid=tab][data-active=true]")).ToContainTextAsync("New tab");
        await Expect(panel.AddressBar).ToHaveValueAsync("");
        await Expect(panel.AddressBar).ToHaveAttributeAsync("placeholder", "Search or enter address");
        await Expect(panel.AddressBar).ToBeFocusedAsync();
        Assert.Equal(2, panel.Session.Tabs.Count);
    }

    [Fact]
    public async Task AddressBar_EnterNavigates_BackForwardReloadWork_AndABadUrlShowsTheReason()
    {
        var pageA = Pages.Page("/panel/nav-a", TestPages.Titled("Page A", "#22c55e"));
        var pageB = Pages.Page("/panel/nav-b", TestPages.Titled("Page B", "#ef4444"));
        await using var panel = await PanelPage.OpenAsync(web, chromium, pageA);

        // Ctrl+L from the canvas focuses the address bar; Enter navigates.
        await panel.ClickRemoteAsync(600, 500);
        await panel.Page.Keyboard.PressAsync("Control+L");
        await Expect(panel.AddressBar).ToBeFocusedAsync();
        await panel.AddressBar.FillAsync(pageB.ToString());
        await panel.AddressBar.PressAsync("Enter");
        await panel.WaitForRemoteAsync("location.href", pageB.ToString());
        await Expect(panel.Page.Locator("[data-testid=tab][data-active=true]")).ToContainTextAsync("Page B");
        await Expect(panel.AddressBar).ToHaveValueAsync(pageB.ToString());

        await panel.Page.GetByTestId("back").ClickAsync();
        await panel.WaitForRemoteAsync("location.href", pageA.ToString());
        await Expect(panel.AddressBar).ToHaveValueAsync(pageA.ToString());

        await panel.Page.GetByTestId("forward").ClickAsync();
        await panel.WaitForRemoteAsync("location.href", pageB.ToString());
        await Expect(panel.Page.GetByTestId("forward")).ToBeDisabledAsync();

        await panel.Session.ActiveTab.Page.EvaluateAsync("() => window.marker = 'before reload'");
        await panel.Page.GetByTestId("reload").ClickAsync();
        await panel.WaitForRemoteAsync("window.marker", "undefined");

        // Not a URL at all: the reason shows under the bar and the tab stays where it was.
        const string Garbage = "http://exa mple .com";
        await panel.AddressBar.FillAsync(Garbage);
        await panel.AddressBar.PressAsync("Enter");
        await Expect(panel.Page.GetByTestId("toolbar")).ToContainTextAsync("is not a valid web address");
        Assert.Equal(pageB.ToString(), await panel.RemoteAsync("location.href"));

        // An address the URL policy refuses: the reason shows under the bar, and the tab explains it too.
        const string Bad = "file:///etc/passwd";
        using var refusal = await web.Http.PostAsJsonAsync($"/api/sessions/{panel.SessionId}/tabs/{panel.Session.ActiveTab.Id}/navigate", new { url = Bad });
        var reason = (await refusal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        await panel.AddressBar.FillAsync(Bad);
        await panel.AddressBar.PressAsync("Enter");
        await Expect(panel.Page.GetByTestId("toolbar")).ToContainTextAsync(reason);
        await Expect(panel.AddressBar).ToHaveValueAsync(Bad);
        await Expect(panel.Page.Locator("[data-testid=tab][data-active=true]")).ToContainTextAsync("Blocked");
        Assert.Contains(reason, await panel.Session.ActiveTab.Page.InnerTextAsync("body"), StringComparison.Ordinal);

        // Typing again clears the error.
        await panel.AddressBar.FillAsync(pageA.ToString());
        await Expect(panel.Page.GetByTestId("toolbar")).Not.ToContainTextAsync(reason);
    }

    [Fact]
    public async Task ChromiumKilled_ThePanelRestoresTheSessionByItself_SameTabAtTheSameAddress()
    {
        var url = Pages.Page("/panel/survives", TestPages.Input);
        await using var panel = await PanelPage.OpenAsync(web, chromium, url);
        var tabId = panel.Session.ActiveTab.Id;
        var oldSession = panel.Session;

        foreach (var process in web.Service.ChromiumProcesses())
        {
            Signals.Send(process.Pid, Signals.SigKill);
        }

        // The viewer never reloads or clicks anything: the module re-joins, the service restores the session.
        var console = new List<string>();
        panel.Page.Console += (_, message) => console.Add(message.Text);
        await PanelPage.WaitForAsync(
            () => Task.FromResult(web.Service.Sessions.Find(panel.SessionId) is { } restored && restored != oldSession),
            "the session to be restored",
            () => $"status '{panel.Status.TextContentAsync().GetAwaiter().GetResult()}', console: {string.Join(" | ", console)}");
        await Expect(panel.Status).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 30_000 });
        await Expect(panel.Page.GetByTestId("restoring")).ToHaveCountAsync(0);
        Assert.Equal(tabId, panel.Session.ActiveTab.Id);
        await panel.WaitForRemoteAsync("location.href", url.ToString());
        var before = await panel.PixelsAsync();
        await panel.ClickRemoteAsync(150, 130);
        await panel.WaitForRemoteAsync("document.getElementById('press').textContent", "pressed 1");
        await panel.WaitForCanvasChangeAsync(before);
    }

    [Fact]
    public async Task CrashedTab_ShowsTheOverlay_ReloadBringsItBack_AndTheOtherTabKeepsWorking()
    {
        var crashPage = Pages.Page("/panel/crash", TestPages.Input);
        await using var panel = await PanelPage.OpenAsync(web, chromium, crashPage);
        var crashing = panel.Session.ActiveTab;

        // A second tab on the start page: another site, so another renderer process than the one that crashes.
        await panel.Page.GetByTestId("new-tab").ClickAsync();
        await Expect(panel.Tabs).ToHaveCountAsync(2);
        var other = panel.Session.Tabs.Single(t => t != crashing);
        await panel.Page.Locator($"[data-testid=tab][data-tab-id='{crashing.Id}']").ClickAsync();
        await PanelPage.WaitForAsync(() => Task.FromResult(panel.Session.ActiveTab == crashing), "the first tab to be active");

        var browser = panel.Session.Lease.Browser;
        _ = crashing.Cdp.SendAsync("Page.crash").ContinueWith(t => t.Exception, TaskScheduler.Default);

        // Chromium went down as a whole now and then (about 1 run in 6) when a still capture reached the crashed renderer;
        // crashed tabs are no longer captured (BrowserTab.CaptureGuard). Should it go down for another reason, the README's
        // promise holds instead: the session survives a Chromium crash, and the panel restores it by itself (as in
        // ChromiumKilled_…), same tab at the same address.
        var overlay = panel.Page.GetByTestId("crashed");
        await PanelPage.WaitForAsync(async () => await overlay.CountAsync() > 0 || !browser.IsConnected, "the crash overlay");
        if (!browser.IsConnected && await overlay.CountAsync() == 0)
        {
            await PanelPage.WaitForAsync(
                () => Task.FromResult(web.Service.Sessions.Find(panel.SessionId) is { } restored && restored.Lease.Browser != browser),
                "the session to be restored after Chromium went down");
            await Expect(panel.Status).ToHaveAttributeAsync("data-state", "connected");
            Assert.Equal(crashing.Id, panel.Session.ActiveTab.Id);
            await panel.WaitForRemoteAsync("location.href", crashPage.ToString());
            return;
        }

        await Expect(overlay).ToBeVisibleAsync();
        await Expect(panel.Page.GetByTestId("crashed")).ToContainTextAsync("This tab crashed");

        // The other tab works meanwhile: switch to it, browse somewhere, press a button through the canvas.
        await panel.Page.Locator($"[data-testid=tab][data-tab-id='{other.Id}']").ClickAsync();
        await Expect(panel.Page.GetByTestId("crashed")).ToHaveCountAsync(0);
        await panel.AddressBar.FillAsync(Pages.Page("/panel/crash-other", TestPages.Titled("Other tab")).ToString());
        await panel.AddressBar.PressAsync("Enter");
        await panel.WaitForRemoteAsync("document.title", "Other tab");
        await panel.WaitUntilLiveAsync();
        await panel.ClickRemoteAsync(150, 290);
        await panel.WaitForRemoteAsync("document.getElementById('press').textContent", "pressed 1");

        // Back to the crashed tab: still crashed; Reload brings the page back in a new renderer.
        await panel.Page.Locator($"[data-testid=tab][data-tab-id='{crashing.Id}']").ClickAsync();
        await Expect(panel.Page.GetByTestId("crashed")).ToBeVisibleAsync();
        var before = await panel.PixelsAsync();
        await panel.Page.GetByTestId("crashed-reload").ClickAsync();
        await Expect(panel.Page.GetByTestId("crashed")).ToHaveCountAsync(0);
        await panel.WaitForRemoteAsync("location.href", crashPage.ToString());
        await panel.WaitForRemoteAsync("document.title", "Input test page");
        await panel.WaitForCanvasChangeAsync(before);
        await Expect(panel.AddressBar).ToHaveValueAsync(crashPage.ToString());
        await panel.WaitUntilLiveAsync();
        await panel.ClickRemoteAsync(60, 110);
        await panel.WaitForRemoteAsync("document.getElementById('press').textContent", "pressed 1");
        Assert.False(panel.Session.ActiveTab.IsCrashed);
    }

    [Fact]
    public async Task HighDensityViewer_TheRemotePageFollowsItsPixelRatio_AndTheCanvasUsesDevicePixels()
    {
        await using var panel = await PanelPage.OpenAsync(web, chromium, Pages.Page("/panel/hidpi", TestPages.Input), 1100, 700, deviceScaleFactor: 2);

        await PanelPage.WaitForAsync(async () => await panel.RemoteAsync("window.devicePixelRatio") == "2", "the remote page to render at 2x");
        Assert.Equal(2, panel.Session.Viewport.DeviceScaleFactor);
        var sizes = await panel.Canvas.EvaluateAsync<int[]>("c => [c.width, c.height, Math.round(c.clientWidth), Math.round(c.clientHeight)]");
        Assert.Equal(sizes[2] * 2, sizes[0]);
        Assert.Equal(sizes[3] * 2, sizes[1]);
        // Frames come at the page's CSS size: measured, Chromium's screencast ignores an emulated pixel ratio and
        // scales only with --force-device-scale-factor (Browsers__ExtraArguments__0), which makes every session
        // raster at that density. The canvas draws whatever size comes, fitted.
        await Expect(panel.Canvas).ToHaveAttributeAsync("data-frame-size", new System.Text.RegularExpressions.Regex(@"^\d+x\d+$"));

        // Input still maps to the page's CSS pixels (once a frame at the page's size is drawn: a click maps through it).
        await panel.WaitForColourAsync(60, 110, (249, 115, 22), "the orange button");
        await panel.ClickRemoteAsync(60, 110);
        await panel.WaitForRemoteAsync("document.getElementById('press').textContent", "pressed 1");
    }
}
