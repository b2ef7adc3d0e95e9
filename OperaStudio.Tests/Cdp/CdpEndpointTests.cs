using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Cdp;

/// <summary>
/// The CDP endpoint as a script reaches it: Playwright's <c>ConnectOverCDPAsync</c> (and raw CDP) through the web app's
/// <c>/cdp/{sessionId}</c> with a personal API token, driving the same page the panel's hub viewer watches, and seeing
/// nothing of other sessions.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class CdpEndpointTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    private const string PausedPath = "/cdp/paused";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    private BrowserServiceFixture Service => web.Service;

    [Fact]
    public async Task ConnectOverCdp_NavigatesAndClicks_TheWatchedPageReacts_AndHistoryHasTheApiActions()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = Service.Pages.Page("/cdp/start", "<!doctype html><title>Start</title><p>start");
        var (token, sessionId) = await NewSessionAsync("driver", start);
        var target = Service.Pages.Page("/cdp/click", """
            <!doctype html><title>Clickable</title>
            <h1 id="out">not clicked</h1>
            <button onclick="document.getElementById('out').textContent = 'clicked over cdp'; document.body.style.background = '#f97316'">Change it</button>
            """);
        await using var viewer = await HubViewer.JoinAsync(Service.BaseAddress, sessionId);
        await viewer.FirstFrame.WaitAsync(Budget, ct);

        var browser = await ConnectAsync(token, sessionId);
        try
        {
            var page = await SessionPageAsync(browser, sessionId, start);
            await page.GotoAsync(target.ToString());
            var framesBeforeClick = viewer.Frames;
            await page.GetByRole(AriaRole.Button, new() { Name = "Change it" }).ClickAsync();

            await Expect(page.Locator("#out")).ToHaveTextAsync("clicked over cdp");
            await Eventually.TrueAsync(() => viewer.Frames > framesBeforeClick, "the hub viewer to receive the clicked page's frame", Budget);
            Assert.Equal(target.ToString(), web.Sessions.Find(sessionId)!.ActiveTab.Url);
            using var api = Bearer(token);
            await Eventually.TrueAsync(
                async () => (await api.GetFromJsonAsync<SessionTimelineDto>($"/api/history/sessions/{sessionId}", ct))!.Entries is var entries
                    && entries.Any(e => e is { Kind: "action", Actor: "api", Title: "navigate" } && e.Detail == target.ToString())
                    && entries.Any(e => e is { Kind: "action", Actor: "api", Title: "click" } && e.Detail!.StartsWith("at ", StringComparison.Ordinal)),
                "the navigation and the click in the session's history as api actions", Budget);
        }
        finally
        {
            await browser.CloseAsync();
            await CloseAsync(token, sessionId);
        }
    }

    [Fact]
    public async Task AnotherSessionsTarget_APrivateAddress_AndBrowserWideDomains_AreRefused()
    {
        var mine = Service.Pages.Page("/cdp/mine", "<!doctype html><title>Mine</title>");
        var (token, sessionId) = await NewSessionAsync("prober", mine);
        var (otherToken, otherId) = await NewSessionAsync("other", Service.Pages.Page("/cdp/theirs", "<!doctype html><title>Theirs</title>"));
        var otherTarget = web.Sessions.Find(otherId)!.ActiveTab.Handle.TargetId;
        var browser = await ConnectAsync(token, sessionId);
        try
        {
            var cdp = await browser.NewBrowserCDPSessionAsync();

            var attach = await Assert.ThrowsAsync<PlaywrightException>(() => cdp.SendAsync(
                "Target.attachToTarget", new() { ["targetId"] = otherTarget, ["flatten"] = true }));
            var targets = (await cdp.SendAsync("Target.getTargets"))!.Value.GetProperty("targetInfos").EnumerateArray()
                .Select(t => t.GetProperty("targetId").GetString()).ToList();
            var newContext = await Assert.ThrowsAsync<PlaywrightException>(() => cdp.SendAsync("Target.createBrowserContext"));
            var close = await Assert.ThrowsAsync<PlaywrightException>(() => cdp.SendAsync("Browser.close"));
            var version = await cdp.SendAsync("Browser.getVersion");
            var page = await SessionPageAsync(browser, sessionId, mine);
            var privateAddress = await Assert.ThrowsAsync<PlaywrightException>(() => page.GotoAsync("http://10.20.30.40/"));
            // A page's own CDP session serves the Browser domain too: the same rules hold there (Browser.crash would end
            // every session of this Chromium).
            var pageCdp = await page.Context.NewCDPSessionAsync(page);
            var crash = await Assert.ThrowsAsync<PlaywrightException>(() => pageCdp.SendAsync("Browser.crash"));

            Assert.Contains($"is not a page of Opera Studio session {sessionId}", attach.Message, StringComparison.Ordinal);
            Assert.Contains(web.Sessions.Find(sessionId)!.ActiveTab.Handle.TargetId, targets);
            Assert.DoesNotContain(otherTarget, targets);
            Assert.Contains("refused by Opera Studio's CDP endpoint", newContext.Message, StringComparison.Ordinal);
            Assert.Contains("refused by Opera Studio's CDP endpoint", close.Message, StringComparison.Ordinal);
            Assert.StartsWith("Chrome/", version!.Value.GetProperty("product").GetString(), StringComparison.Ordinal);
            Assert.Contains("Refused by Opera Studio's URL policy", privateAddress.Message, StringComparison.Ordinal);
            Assert.Contains("refused by Opera Studio's CDP endpoint", crash.Message, StringComparison.Ordinal);
            Assert.False(web.Sessions.Find(otherId)!.IsClosed);

            // The client's auto-attach (waitForDebuggerOnStart) also reaches the other session's new page: the relay lets it
            // go at once, or that page would wait for this client forever and never become the other session's tab.
            using var otherApi = Bearer(otherToken);
            using var opened = await otherApi.PostAsJsonAsync($"/api/sessions/{otherId}/tabs", new { url = Service.Pages.Page("/cdp/theirs-2", "<title>2</title>").ToString() },
                TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
            await SessionPageAsync(browser, sessionId, mine);
        }
        finally
        {
            await browser.CloseAsync();
            await CloseAsync(token, sessionId);
            await CloseAsync(otherToken, otherId);
        }
    }

    [Fact]
    public async Task APageTheClientCreates_BecomesATabOfTheSession()
    {
        var (token, sessionId) = await NewSessionAsync("opener", Service.Pages.Page("/cdp/first", "<!doctype html><title>First</title>"));
        var second = Service.Pages.Page("/cdp/second", "<!doctype html><title>Second</title><p>second");
        var browser = await ConnectAsync(token, sessionId);
        try
        {
            var clock = Stopwatch.StartNew();
            var page = await browser.Contexts.Single().NewPageAsync();
            var created = clock.Elapsed;
            await page.GotoAsync(second.ToString());

            var session = web.Sessions.Find(sessionId)!;
            await Eventually.TrueAsync(() => session.Tabs.Any(t => t.Url == second.ToString()), "the client's new page to be a tab of the session", Budget,
                () => string.Join(", ", session.Tabs.Select(t => t.Url)));
            TestContext.Current.TestOutputHelper?.WriteLine($"NewPageAsync over CDP took {created.TotalMilliseconds:0} ms; a tab at its address after {clock.ElapsedMilliseconds} ms");
            Assert.Equal(2, session.Tabs.Count);
        }
        finally
        {
            await browser.CloseAsync();
            await CloseAsync(token, sessionId);
        }
    }

    [Fact]
    public async Task WithoutAToken_OrWithoutAccess_TheUpgradeIsRefused_AndATokenInTheQueryIsAccepted()
    {
        var (token, sessionId) = await NewSessionAsync("guarded", Service.Pages.Page("/cdp/guarded", "<!doctype html><title>Guarded</title>"));
        var (strangerToken, strangerSession) = await NewSessionAsync("stranger", Service.Pages.Page("/cdp/stranger", "<!doctype html><title>Stranger</title>"));
        try
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await UpgradeStatusAsync(Endpoint(sessionId), token: null));
            Assert.Equal(HttpStatusCode.NotFound, await UpgradeStatusAsync(Endpoint(sessionId), strangerToken));
            Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(new Uri($"{Endpoint(sessionId)}?token={token}"), token: null));
            // The query is read on /cdp only.
            using var api = new HttpClient { BaseAddress = web.BaseAddress };
            using var sessions = await api.GetAsync($"/api/sessions/{sessionId}?token={token}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, sessions.StatusCode);
        }
        finally
        {
            await CloseAsync(token, sessionId);
            await CloseAsync(strangerToken, strangerSession);
        }
    }

    [Fact]
    public async Task APersonTakingControl_PausesTheClientsClick_SayingSo_UntilControlIsHandedBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var (token, sessionId) = await NewSessionAsync("paused", Service.Pages.Page(PausedPath, """
            <!doctype html><title>Paused</title>
            <h1 id="out">0</h1>
            <button style="width:300px;height:120px" onclick="const o = document.getElementById('out'); o.textContent = +o.textContent + 1">Count</button>
            """));
        var browser = await ConnectAsync(token, sessionId);
        using var api = Bearer(token);
        try
        {
            var page = await SessionPageAsync(browser, sessionId, new Uri(Service.Pages.BaseAddress, PausedPath));
            var button = page.GetByRole(AriaRole.Button, new() { Name = "Count" });
            await button.ClickAsync();
            await Expect(page.Locator("#out")).ToHaveTextAsync("1");

            (await api.PostAsJsonAsync($"/api/sessions/{sessionId}/agent/control", new ControlRequest("user"), ct)).EnsureSuccessStatusCode();
            var paused = await Assert.ThrowsAsync<PlaywrightException>(() => page.Mouse.ClickAsync(150, 100));
            (await api.PostAsJsonAsync($"/api/sessions/{sessionId}/agent/control", new ControlRequest("agent"), ct)).EnsureSuccessStatusCode();
            await button.ClickAsync();

            TestContext.Current.TestOutputHelper?.WriteLine($"client pages: {string.Join(", ", page.Context.Pages.Select(p => p.Url))}; "
                + $"session tabs: {string.Join(", ", web.Sessions.Find(sessionId)!.Tabs.Select(t => t.Url))}");
            Assert.Contains("A person has control of this Opera Studio session", paused.Message, StringComparison.Ordinal);
            Assert.Contains("retry when they hand control back", paused.Message, StringComparison.Ordinal);
            await Expect(page.Locator("#out")).ToHaveTextAsync("2");
        }
        finally
        {
            await browser.CloseAsync();
            await CloseAsync(token, sessionId);
        }
    }

    [Fact]
    public async Task BadFrames_GetCdpErrors_TheConnectionSurvives_BinaryClosesIt_AndTheSessionsEndClosesItWithAReason()
    {
        var ct = TestContext.Current.CancellationToken;
        var (token, sessionId) = await NewSessionAsync("raw", Service.Pages.Page("/cdp/raw", "<!doctype html><title>Raw</title>"));
        using var raw = await RawAsync(token, sessionId);

        var notJson = await ExchangeAsync(raw, "this is not json");
        var noMethod = await ExchangeAsync(raw, """{"id":1}""");
        var unknown = await ExchangeAsync(raw, """{"id":2,"method":"Nope.nothing"}""");
        var strangeSession = await ExchangeAsync(raw, """{"id":3,"method":"Runtime.evaluate","sessionId":"ABCDEF","params":{"expression":"1+1"}}""");
        var version = await ExchangeAsync(raw, """{"id":4,"method":"Browser.getVersion"}""");

        Assert.Equal(-32700, notJson.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(-32600, noMethod.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("refused by Opera Studio's CDP endpoint", unknown.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(-32001, strangeSession.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(4, version.GetProperty("id").GetInt32());

        using (var binary = await RawAsync(token, sessionId))
        {
            await binary.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, ct);
            var closed = await ReceiveCloseAsync(binary);
            Assert.Equal(WebSocketCloseStatus.InvalidMessageType, closed.Status);
            Assert.Contains("Binary frames are not CDP", closed.Reason, StringComparison.Ordinal);
        }

        await CloseAsync(token, sessionId);
        var ended = await ReceiveCloseAsync(raw);
        Assert.Equal((WebSocketCloseStatus.EndpointUnavailable, "The Opera Studio session ended"), (ended.Status, ended.Reason));
    }

    /// <summary>
    /// The client's page at <paramref name="url"/>, after checking that every page it sees is in the session's own browser
    /// context as Chromium reports it (Chromium may hold more than the session's tabs there, e.g. a page being opened).
    /// </summary>
    private async Task<IPage> SessionPageAsync(IBrowser browser, string sessionId, Uri url)
    {
        var context = await ContextOfAsync(web.Sessions.Find(sessionId)!.ActiveTab.Handle.Cdp);
        Assert.Single(browser.Contexts);
        foreach (var page in browser.Contexts[0].Pages.Where(p => !p.IsClosed).ToList())
        {
            try
            {
                Assert.Equal(context, await ContextOfAsync(await page.Context.NewCDPSessionAsync(page)));
            }
            catch (PlaywrightException ex) when (page.IsClosed || ex.Message.Contains("No target with given id found", StringComparison.Ordinal))
            {
                // Closed meanwhile (Chromium's answer, not the relay's refusal): nothing left to check.
            }
        }

        return browser.Contexts[0].Pages.Single(p => p.Url == url.ToString());
    }

    private static async Task<string?> ContextOfAsync(ICDPSession cdp) =>
        (await cdp.SendAsync("Target.getTargetInfo"))!.Value.GetProperty("targetInfo").GetProperty("browserContextId").GetString();

    private Uri Endpoint(string sessionId) => new($"ws://{web.BaseAddress.Authority}/cdp/{sessionId}");

    private async Task<IBrowser> ConnectAsync(string token, string sessionId) =>
        await chromium.Browser.BrowserType.ConnectOverCDPAsync(Endpoint(sessionId).ToString(), new BrowserTypeConnectOverCDPOptions
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
            Timeout = 30_000,
        });

    private async Task<ClientWebSocket> RawAsync(string token, string sessionId)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        await socket.ConnectAsync(Endpoint(sessionId), TestContext.Current.CancellationToken);
        return socket;
    }

    private static async Task<HttpStatusCode> UpgradeStatusAsync(Uri endpoint, string? token)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        }

        try
        {
            await socket.ConnectAsync(endpoint, TestContext.Current.CancellationToken);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", TestContext.Current.CancellationToken);
        }
        catch (WebSocketException)
        {
            // Refused: the status says how.
        }

        return socket.HttpStatusCode;
    }

    /// <summary>Sends one text frame and reads the next message with an id or an error (events in between are skipped).</summary>
    private static async Task<JsonElement> ExchangeAsync(ClientWebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        while (true)
        {
            var message = await ReceiveTextAsync(socket);
            var root = JsonDocument.Parse(message).RootElement;
            if (root.TryGetProperty("id", out _) || root.TryGetProperty("error", out _))
            {
                return root;
            }
        }
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 20];
        using var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken).WaitAsync(Budget);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            text.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    private static async Task<(WebSocketCloseStatus? Status, string Reason)> ReceiveCloseAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 16];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken).WaitAsync(Budget);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription ?? "");
            }
        }
    }

    /// <summary>A new person with a personal token, and a session of theirs at <paramref name="url"/>.</summary>
    private async Task<(string Token, string SessionId)> NewSessionAsync(string name, Uri url)
    {
        var ct = TestContext.Current.CancellationToken;
        var user = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];
        using var signedIn = TestIdentity.ClientFor(Service.BaseAddress, user);
        using var created = await signedIn.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("cdp", null), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<CreatedApiTokenDto>(ct))!.Token;
        using var api = Bearer(token);
        using var response = await api.PostAsJsonAsync("/api/sessions", new { url = url.ToString() }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (token, (await response.Content.ReadFromJsonAsync<SessionDto>(ct))!.Id);
    }

    private HttpClient Bearer(string token)
    {
        var http = new HttpClient { BaseAddress = web.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private async Task CloseAsync(string token, string sessionId)
    {
        using var http = Bearer(token);
        (await http.DeleteAsync($"/api/sessions/{sessionId}")).Dispose();
    }
}
