using OperaStudio.Tests.Infrastructure;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Tests.Web;

[Collection(BrowserServiceCollection.Name)]
public sealed class ProbeTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task Probe()
    {
        using var response = await web.Http.PostAsJsonAsync("/api/sessions", new { url = web.Service.Pages.Page("/probe", "<title>probe</title><h1>hi</h1>").ToString() });
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        var page = await chromium.NewPageAsync();
        page.Console += (_, m) => Console.WriteLine("CONSOLE " + m.Text);
        await page.GotoAsync(web.Url("/"));
        await page.AddScriptTagAsync(new() { Url = "/lib/signalr.min.js" });
        await page.AddScriptTagAsync(new() { Url = "/lib/signalr-protocol-msgpack.min.js" });
        var result = await page.EvaluateAsync<string>("""
            async (id) => {
              const c = new signalR.HubConnectionBuilder().withUrl('/hubs/live').withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol()).build();
              const frame = new Promise(r => c.on('Frame', f => r(f)));
              await c.start();
              const s = await c.invoke('Join', id);
              const f = await frame;
              const show = (v) => JSON.stringify(v, (k, x) => x instanceof Uint8Array ? 'Uint8Array(' + x.length + ')' : x instanceof Date ? 'Date(' + x.toISOString() + ')' : Array.isArray(x) ? x.map(e => e instanceof Date ? 'Date(' + e.toISOString() + ')' : e) : x);
              const p = await c.invoke('Ping', Date.now());
              return 'transport=' + c.connection.transport.constructor.name + '\nsession=' + show(s) + '\nframe=' + show(f) + '\nping=' + typeof p + ' ' + p + ' ' + Object.prototype.toString.call(s.CreatedAt);
            }
            """, session.Id);
        await File.WriteAllTextAsync("/tmp/probe.txt", result);
        await page.Context.CloseAsync();
        await web.Http.DeleteAsync($"/api/sessions/{session.Id}");
    }
}
