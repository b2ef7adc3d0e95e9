using System.Collections.Concurrent;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Web;

/// <summary>
/// The viewer's own browser never loads what a remote page chooses: the tab strip shows favicons as image data the
/// browser service read in the remote browser (through the URL policy), never as the page's address.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class FaviconTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    [Fact]
    public async Task TabStrip_ShowsFaviconsAsData_AndTheViewerNeverRequestsTheirAddress()
    {
        // A probe on a loopback port the URL policy does not admit: any request it records came from the viewer.
        await using var probe = new TestPageServer();
        await probe.InitializeAsync();
        var probeHits = new ConcurrentQueue<string>();
        var probeUrl = probe.Handle("/probe.png", context =>
        {
            probeHits.Enqueue(context.Request.Headers.UserAgent.ToString());
            context.Response.ContentType = "image/png";
            return context.Response.Body.WriteAsync(Png).AsTask();
        });
        var pages = web.Service.Pages;
        var allowedIcon = pages.Handle("/favicon/ok.png", context =>
        {
            context.Response.ContentType = "image/png";
            return context.Response.Body.WriteAsync(Png).AsTask();
        });
        var probing = pages.Page("/favicon/probing", $"<!doctype html><title>Probing</title><link rel=\"icon\" href=\"{probeUrl}\"><h1>Probing</h1>");
        var plain = pages.Page("/favicon/plain", $"<!doctype html><title>Plain</title><link rel=\"icon\" href=\"{allowedIcon}\"><h1>Plain</h1>");

        await using var panel = await PanelPage.OpenAsync(web, chromium, probing);
        await panel.Session.OpenTabAsync(plain);
        var icons = panel.Tabs.Locator("img");
        // The allowed icon arrives as data once the service has read it in the remote browser.
        await PanelPage.WaitForAsync(
            async () => (await icons.EvaluateAllAsync<string[]>("imgs => imgs.map(i => i.getAttribute('src'))")).Any(src => src.StartsWith("data:image/png;base64,", StringComparison.Ordinal)),
            "a favicon shown as data");
        var sources = await icons.EvaluateAllAsync<string[]>("imgs => imgs.map(i => i.getAttribute('src'))");

        Assert.All(sources, src => Assert.StartsWith("data:image/", src, StringComparison.Ordinal));
        Assert.Empty(probeHits);
        (await web.Http.DeleteAsync($"/api/sessions/{panel.SessionId}")).Dispose();
    }
}
