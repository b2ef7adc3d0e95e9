using System.Net;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Web;

/// <summary>
/// Another site's page cannot reach the browser service through the app: WebSockets are outside CORS, so without
/// the app's Origin check any page the person visits could open the live-view hub (and act with their sign-in).
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class SameOriginTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    private const string OpenSocket = """
        url => new Promise(resolve => {
          const socket = new WebSocket(url);
          socket.onopen = () => { socket.close(); resolve('open'); };
          socket.onerror = () => resolve('refused');
        })
        """;

    [Fact]
    public async Task TheHub_OpensFromTheAppsOwnPages_AndNotFromAnotherSite()
    {
        var hub = new UriBuilder(web.BaseAddress) { Scheme = "ws", Path = "/hubs/live" }.Uri.ToString();
        var otherSite = web.Service.Pages.Page("/origin/attacker", "<!doctype html><title>Another site</title>");
        var page = await chromium.NewSignedInPageAsync(web.BaseAddress);
        try
        {
            await page.GotoAsync(web.Url("/sessions"));
            var fromTheApp = await page.EvaluateAsync<string>(OpenSocket, hub);
            await page.GotoAsync(otherSite.ToString());
            var fromAnotherSite = await page.EvaluateAsync<string>(OpenSocket, hub);

            Assert.Equal("open", fromTheApp);
            Assert.Equal("refused", fromAnotherSite);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task ARequestFromAnotherOrigin_Is403WithAReason_AndOneWithoutAnOriginPasses()
    {
        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/api/sessions");
        foreign.Headers.Add("Origin", "https://evil.example");
        using var refused = await web.Http.SendAsync(foreign);
        using var own = new HttpRequestMessage(HttpMethod.Get, "/api/sessions");
        own.Headers.Add("Origin", web.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var allowed = await web.Http.SendAsync(own);
        using var script = await web.Http.GetAsync("/api/sessions");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("https://evil.example", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }
}
