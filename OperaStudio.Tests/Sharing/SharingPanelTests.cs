using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using OperaStudio.Tests.Web;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Sharing;

/// <summary>
/// Sharing through the web app, two (and three) people in their own browser contexts: the owner shares in the panel's
/// Share card, the viewer watches the same view with the owner's pointer on it and is told why their click does
/// nothing, gets control when the owner gives it and acts as themselves, and loses the view the moment they are
/// removed; a link brings a third person straight to the panel.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class SharingPanelTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    /// <summary>One big button that counts its clicks, so the test can tell whether a click reached the page.</summary>
    private const string CounterPage = """
        <!doctype html><title>Counter</title>
        <style>body{margin:0;background:#fef3c7} #b{position:absolute;left:0;top:0;width:400px;height:300px;font:24px sans-serif}</style>
        <button id="b" onclick="window.clicks = (window.clicks || 0) + 1">Count</button>
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task TheOwnerShares_TheViewerWatchesAndIsRefused_ThenGetsControlAndActsAsThemselves_UntilRemoved()
    {
        var alice = await web.Services.CreateUserAsync("alice");
        var bob = await web.Services.CreateUserAsync("bob");
        var a = await NewPageAsync(alice);
        var b = await NewPageAsync(bob);
        try
        {
            var id = await CreateSessionAsync(a, "/sharing-ui/counter");
            await a.GotoAsync(web.Url($"/sessions/{id}"));
            await WaitUntilLiveAsync(a);

            // Not shared: Bob is told it does not exist, on the page, in his list and over REST.
            await b.GotoAsync(web.Url($"/sessions/{id}"));
            await Expect(b.GetByTestId("session-not-found")).ToBeVisibleAsync();
            await b.GotoAsync(web.Url("/sessions"));
            await Expect(b.GetByTestId("sessions-count")).ToBeVisibleAsync();
            await Expect(b.Locator($"[data-session-id='{id}']")).ToHaveCountAsync(0);
            Assert.Equal(404, (await b.APIRequest.GetAsync(web.Url($"/api/sessions/{id}"))).Status);
            Assert.Equal(404, (await b.APIRequest.GetAsync(web.Url($"/api/history/sessions/{id}"))).Status);

            // Alice shares with Bob as a viewer.
            await a.GetByTestId("share-open").ClickAsync();
            await AddMemberAsync(a, bob, role: null);
            await Expect(Member(a, bob)).ToHaveAttributeAsync("data-role", "viewer");
            await Screenshots.SaveAsync(a, "sharing-dialog");
            await a.GetByTestId("share-close").ClickAsync();

            // Bob now finds it in his list, marked as shared, and watches the same view; both are present.
            await b.GotoAsync(web.Url("/sessions"));
            await Expect(b.Locator("[data-testid=shared-with-you]").First).ToContainTextAsync(alice);
            await Expect(b.Locator($"[data-session-id='{id}']")).ToHaveCountAsync(1);
            await Screenshots.SaveAsync(b, "sharing-sessions-list");
            await b.GotoAsync(web.Url($"/sessions/{id}"));
            await WaitUntilLiveAsync(b);
            foreach (var page in new[] { a, b })
            {
                await Expect(Participant(page, alice)).ToHaveAttributeAsync("data-control", "true");
                await Expect(Participant(page, bob)).ToHaveAttributeAsync("data-control", "false");
            }

            await Expect(b.GetByTestId("control-viewer")).ToBeVisibleAsync();
            await Expect(b.GetByTestId("share-open")).ToHaveCountAsync(0);

            // Alice's pointer shows on Bob's canvas, where she points on the page.
            await MoveOverAsync(a, 300, 200);
            var pointer = b.Locator($"[data-testid=remote-pointer][data-user='{alice}']");
            await Expect(pointer).ToBeVisibleAsync();
            // Where the page sits in Alice's panel can still shift after a move (a frame of another size redraws it: seen
            // once as 305 for 300); a resting mouse sends nothing new, so, as a person would, she moves it there again.
            await PanelPage.WaitForAsync(
                async () =>
                {
                    if (Math.Abs(double.Parse(await pointer.GetAttributeAsync("data-page-x") ?? "0", System.Globalization.CultureInfo.InvariantCulture) - 300) < 3)
                    {
                        return true;
                    }

                    var (cx, cy) = await ToClientAsync(a, 300, 200);
                    await a.Mouse.MoveAsync(cx - 1, cy); // a mouse that does not move sends nothing: a nudge, within the tolerance
                    await a.Mouse.MoveAsync(cx, cy);
                    return false;
                },
                "Alice's pointer at x 300 of the page", () => pointer.GetAttributeAsync("data-page-x").GetAwaiter().GetResult() ?? "none");

            // Bob's click is refused, with the reason shown, and never reaches the page.
            await ClickRemoteAsync(b, 100, 100);
            await Expect(b.GetByTestId("input-refused")).ToContainTextAsync("viewer");
            await Screenshots.SaveAsync(b, "sharing-viewer-refused");
            await Task.Delay(500);
            Assert.Equal(0, await ClicksAsync(id));
            // Nor can he talk to the agent (the service would refuse it): the chat says why instead of offering a box.
            await Expect(b.GetByTestId("chat-watch-only")).ToContainTextAsync("viewer");
            await Expect(b.GetByTestId("chat-input")).ToHaveCountAsync(0);
            await Expect(a.GetByTestId("chat-input")).ToBeVisibleAsync();

            // Made a controller, Bob asks for control and Alice gives it; his click lands, and history names him.
            await a.GetByTestId("share-open").ClickAsync();
            await AddMemberAsync(a, bob, role: "Controller");
            await Expect(Member(a, bob)).ToHaveAttributeAsync("data-role", "controller");
            await a.GetByTestId("share-close").ClickAsync();
            await b.GetByTestId("control-request").ClickAsync();
            var give = a.Locator($"[data-testid=control-grant][data-user='{bob}']");
            await Expect(give).ToBeVisibleAsync();
            await Screenshots.SaveAsync(a, "sharing-control-requested");
            await give.ClickAsync();
            await Expect(Participant(b, bob)).ToHaveAttributeAsync("data-control", "true");
            await Expect(b.GetByTestId("control-mine")).ToBeVisibleAsync();
            await Expect(b.GetByTestId("chat-input")).ToBeVisibleAsync();
            await Expect(a.GetByTestId("control-other")).ToContainTextAsync(bob);
            await ClickRemoteAsync(b, 100, 100);
            await PanelPage.WaitForAsync(async () => await ClicksAsync(id) == 1, "Bob's click on the page");
            await Screenshots.SaveAsync(b, "sharing-controller-in-control");
            await PanelPage.WaitForAsync(
                async () => (await TimelineAsync(a, id)).Any(e => e.Title == "click" && e.User == bob), "Bob's click in the history, under his name");

            // Removed: Bob's view ends at once, with the reason.
            await a.GetByTestId("share-open").ClickAsync();
            await Member(a, bob).GetByTestId("share-remove").ClickAsync();
            await Expect(b.GetByTestId("access-ended")).ToBeVisibleAsync();
            await Expect(b.GetByTestId("access-ended")).ToContainTextAsync("revoked");
            await Expect(Member(a, bob)).ToHaveCountAsync(0);
            await Screenshots.SaveAsync(b, "sharing-access-ended");
            await Expect(Participant(a, alice)).ToHaveCountAsync(0); // alone again: no presence bar
            Assert.Equal(404, (await b.APIRequest.GetAsync(web.Url($"/api/sessions/{id}"))).Status);

            await a.APIRequest.DeleteAsync(web.Url($"/api/sessions/{id}"));
        }
        finally
        {
            await a.Context.CloseAsync();
            await b.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task AViewerLink_BringsWhoeverOpensItToThePanel_AndABadLinkSaysSo()
    {
        var alice = await web.Services.CreateUserAsync("alice");
        var carol = await web.Services.CreateUserAsync("carol");
        var a = await NewPageAsync(alice);
        var c = await NewPageAsync(carol);
        try
        {
            var id = await CreateSessionAsync(a, "/sharing-ui/linked");
            await a.GotoAsync(web.Url($"/sessions/{id}"));
            await WaitUntilLiveAsync(a);
            await a.GetByTestId("share-open").ClickAsync();
            await a.GetByTestId("share-link-create").ClickAsync();
            var url = (await a.GetByTestId("share-link-url").TextContentAsync())!.Trim();
            Assert.StartsWith(web.Url("/join/opera_share_"), url, StringComparison.Ordinal);
            await Screenshots.SaveAsync(a, "sharing-link");

            await c.GotoAsync(web.Url("/join/opera_share_not-a-real-token"));
            await Expect(c.GetByTestId("join-error")).ToBeVisibleAsync();
            await Screenshots.SaveAsync(c, "sharing-join-error");

            await c.GotoAsync(url);
            await c.WaitForURLAsync(web.Url($"/sessions/{id}"));
            await WaitUntilLiveAsync(c);
            await Expect(Participant(c, carol)).ToHaveAttributeAsync("data-role", "viewer");
            // The card lists members as they were when it opened: opened again, it shows Carol.
            await a.GetByTestId("share-close").ClickAsync();
            await a.GetByTestId("share-open").ClickAsync();
            await Expect(Member(a, carol)).ToHaveAttributeAsync("data-role", "viewer");
            await Screenshots.SaveAsync(c, "sharing-joined-by-link");

            // Revoked, the link lets nobody else in.
            await a.GetByTestId("share-link-revoke").ClickAsync();
            await Expect(a.GetByTestId("share-link-item")).ToHaveCountAsync(0);
            await c.GotoAsync(url);
            await Expect(c.GetByTestId("join-error")).ToBeVisibleAsync();

            await a.APIRequest.DeleteAsync(web.Url($"/api/sessions/{id}"));
        }
        finally
        {
            await a.Context.CloseAsync();
            await c.Context.CloseAsync();
        }
    }

    private Task<IPage> NewPageAsync(string user) =>
        chromium.NewSignedInPageAsync(web.BaseAddress, 1200, 760, user: user, password: TestAccounts.Password);

    /// <summary>Creates the session as the page's person (through the web app's proxy, with their cookie).</summary>
    private async Task<string> CreateSessionAsync(IPage page, string path)
    {
        var response = await page.APIRequest.PostAsync(web.Url("/api/sessions"), new() { DataObject = new { url = web.Service.Pages.Page(path, CounterPage).ToString() } });
        Assert.Equal(201, response.Status);
        return (await response.JsonAsync())!.Value.GetProperty("id").GetString()!;
    }

    private async Task<IReadOnlyList<TimelineEntryDto>> TimelineAsync(IPage page, string id)
    {
        var response = await page.APIRequest.GetAsync(web.Url($"/api/history/sessions/{id}"));
        var timeline = JsonSerializer.Deserialize<SessionTimelineDto>(await response.TextAsync(), Json);
        return timeline?.Entries ?? [];
    }

    private Task<int> ClicksAsync(string id) => web.Sessions.Find(id)!.ActiveTab.Page.EvaluateAsync<int>("() => window.clicks | 0");

    private static async Task AddMemberAsync(IPage page, string user, string? role)
    {
        await page.Locator("[data-testid=share-user] input, input[data-testid=share-user]").FillAsync(user);
        if (role is not null)
        {
            await page.GetByTestId("share-role").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = role }).ClickAsync();
            await Expect(page.GetByTestId("share-role")).ToHaveValueAsync(role);
        }

        await page.GetByTestId("share-add").ClickAsync();
    }

    private static ILocator Member(IPage page, string user) => page.Locator($"[data-testid=share-member][data-user='{user}']");

    private static ILocator Participant(IPage page, string user) => page.Locator($"[data-testid=participant][data-user='{user}']");

    /// <summary>The panel is interactive, connected and shows the page.</summary>
    private static async Task WaitUntilLiveAsync(IPage page)
    {
        await Expect(page.GetByTestId("initializing")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-state", "connected");
        await PanelPage.WaitForAsync(
            () => page.GetByTestId("browser-canvas").EvaluateAsync<bool>("""
                c => {
                  if (!c.dataset.drawRect || c.width === 0) return false;
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  const colours = new Set();
                  for (let i = 0; i < d.length; i += 4 * 61) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
                  return colours.size > 1;
                }
                """),
            "the canvas to show the page");
    }

    /// <summary>Where a point of the remote page (CSS px) is on this page's screen, from the canvas' draw rectangle.</summary>
    private static async Task<(float X, float Y)> ToClientAsync(IPage page, double x, double y)
    {
        var point = await page.GetByTestId("browser-canvas").EvaluateAsync<double[]>("""
            (c, [x, y]) => {
              const r = c.getBoundingClientRect();
              const [dx, dy, dw, dh] = c.dataset.drawRect.split(',').map(Number);
              const [vw, vh] = c.dataset.pageViewport.split('x').map(Number);
              return [r.left + dx + x * dw / vw, r.top + dy + y * dh / vh];
            }
            """, new[] { x, y });
        return ((float)point[0], (float)point[1]);
    }

    private static async Task MoveOverAsync(IPage page, double x, double y)
    {
        // The owner's panel drives the page's viewport: when someone joins, its presence row takes height from the
        // canvas and the viewport follows a moment later. A point placed from the old frame's letterboxed rectangle
        // lands ~5 px off once the new frame is drawn, so wait until the page's viewport is the canvas' size again.
        await PanelPage.WaitForAsync(
            () => page.GetByTestId("browser-canvas").EvaluateAsync<bool>(
                "c => c.dataset.pageViewport === `${Math.max(320, Math.round(c.clientWidth))}x${Math.max(240, Math.round(c.clientHeight))}`"),
            "the page's viewport to follow the owner's canvas");
        var (cx, cy) = await ToClientAsync(page, x, y);
        await page.Mouse.MoveAsync(cx - 20, cy - 20);
        await page.Mouse.MoveAsync(cx, cy, new() { Steps = 4 });
    }

    private static async Task ClickRemoteAsync(IPage page, double x, double y)
    {
        var (cx, cy) = await ToClientAsync(page, x, y);
        await page.Mouse.ClickAsync(cx, cy);
    }
}
