using Microsoft.Playwright;
using OperaStudio.BrowserService.Security;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Security;

/// <summary>One address, spelled one way: <see cref="Authority"/> goes into URLs as is.</summary>
public sealed record ProbeTarget(string Id, string Host, int Port)
{
    public string Authority => $"{Host}:{Port}";
}

/// <summary>What one channel got for one target: a short outcome and whether the secret content showed.</summary>
public sealed record ProbeResult(string Channel, string Target, string Outcome, bool ShowedSecret);

/// <summary>
/// Every way a page can make Chromium connect somewhere: top-level navigation, a redirect, an iframe, fetch,
/// a WebSocket, a pop-up, HTTPS, WebRTC (STUN/TURN) and WebTransport. URLs are http://target/channel/id, so the
/// secret server's log says which probe reached it. Probes of one channel run in parallel where a page allows it.
/// </summary>
public sealed class ChannelProbe(IBrowserContext context, TestPageServer pages)
{
    private const string ProxyHeader = "x-opera-blocked";

    private const string Script = """
        <!doctype html><title>probe host</title><body><script>
        window.probeFetch = urls => Promise.all(urls.map(u => fetch(u, { cache: 'no-store' })
          .then(r => r.text()).then(t => 'loaded:' + t, e => 'failed:' + e.name)));
        window.probeSocket = urls => Promise.all(urls.map(u => new Promise(done => {
          const ws = new WebSocket(u);
          ws.onopen = () => { done('opened'); ws.close(); };
          ws.onerror = () => done('failed:error');
          ws.onclose = e => done('failed:close ' + e.code);
        })));
        window.probeFrames = urls => Promise.all(urls.map(u => new Promise(done => {
          const frame = document.createElement('iframe');
          frame.src = u;
          frame.onload = () => done('loaded');
          document.body.append(frame);
        })));
        window.probeRtc = async ([host, port]) => {
          const pc = new RTCPeerConnection({ iceServers: [
            { urls: `stun:${host}:${port}` },
            { urls: `turn:${host}:${port}?transport=udp`, username: 'u', credential: 'p' },
            { urls: `turn:${host}:${port}?transport=tcp`, username: 'u', credential: 'p' }] });
          pc.createDataChannel('probe');
          const gathered = new Promise(done => pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && done());
          await pc.setLocalDescription(await pc.createOffer());
          await gathered;
          const candidates = (pc.localDescription.sdp.match(/typ \w+/g) || []).join(',');
          pc.close();
          return 'gathered:' + candidates;
        };
        window.probeTransport = async url => {
          try { const transport = new WebTransport(url); await transport.ready; return 'opened'; }
          catch (e) { return 'failed:' + e.name; }
        };
        </script></body>
        """;

    public async Task<List<ProbeResult>> RunAsync(IReadOnlyList<ProbeTarget> targets, string runId)
    {
        var host = pages.Page($"/security/probe/{runId}/host", Script);
        foreach (var target in targets)
        {
            pages.Handle($"/security/probe/{runId}/redirect/{target.Id}", http =>
            {
                http.Response.Redirect(Url(target, "redirect"));
                return Task.CompletedTask;
            });
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync(host.ToString());

        var navigations = Task.WhenAll(targets.Select(target => NavigateAsync(target, runId)));
        var fetches = page.EvaluateAsync<string[]>("urls => probeFetch(urls)", Urls(targets, "fetch"));
        var sockets = page.EvaluateAsync<string[]>("urls => probeSocket(urls)", Urls(targets, "ws", "ws"));
        var frames = page.EvaluateAsync<string[]>("urls => probeFrames(urls)", Urls(targets, "iframe"));

        var results = new List<ProbeResult>();
        results.AddRange((await navigations).SelectMany(list => list));
        results.AddRange(Zip("fetch", targets, await fetches));
        results.AddRange(Zip("websocket", targets, await sockets));
        await frames;
        foreach (var frame in page.Frames.Where(frame => frame != page.MainFrame))
        {
            results.Add(await PageResultAsync("iframe", frame.Url, frame.ContentAsync()));
        }

        foreach (var target in targets)
        {
            var popup = await page.RunAndWaitForPopupAsync(() => page.EvaluateAsync("url => { window.open(url); }", Url(target, "popup")));
            await popup.WaitForLoadStateAsync(LoadState.Load);
            results.Add(await PageResultAsync("popup", target.Id, popup.ContentAsync()));
            await popup.CloseAsync();
        }

        await page.CloseAsync();
        return results;
    }

    /// <summary>WebRTC and WebTransport to one IPv4 target: UDP that would bypass an HTTP proxy altogether.</summary>
    public async Task<List<ProbeResult>> RunUdpAsync(ProbeTarget target, string runId)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(pages.Page($"/security/probe/{runId}/udp", Script).ToString());
        var rtc = await page.EvaluateAsync<string>("target => probeRtc(target)", new object[] { target.Host, target.Port });
        var transport = await page.EvaluateAsync<string>("url => probeTransport(url)", $"https://{target.Authority}/webtransport");
        await page.CloseAsync();
        return [new("webrtc", target.Id, rtc, false), new("webtransport", target.Id, transport, false)];
    }

    /// <summary>A page on the allowed server trying the same channels against itself: the proxy must not get in the way.</summary>
    public async Task<List<ProbeResult>> RunAllowedAsync(string runId)
    {
        var host = pages.Page($"/security/probe/{runId}/allowed", Script);
        var data = pages.Page($"/security/probe/{runId}/data", "allowed-data");
        var echo = pages.WebSocketEcho($"/security/probe/{runId}/echo");
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(host.ToString());
        var fetched = await page.EvaluateAsync<string[]>("urls => probeFetch(urls)", new[] { data.ToString() });
        var socket = await page.EvaluateAsync<string[]>("urls => probeSocket(urls)", new[] { echo.ToString() });
        var framed = await page.EvaluateAsync<string[]>("urls => probeFrames(urls)", new[] { data.ToString() });
        var frameText = await page.Frames.Single(frame => frame != page.MainFrame).ContentAsync();
        await page.CloseAsync();
        return
        [
            new("navigation", "allowed", $"{response?.Status}", false),
            new("fetch", "allowed", fetched[0], false),
            new("websocket", "allowed", socket[0], false),
            new("iframe", "allowed", framed[0] + (frameText.Contains("allowed-data", StringComparison.Ordinal) ? ":content" : ""), false),
        ];
    }

    private async Task<List<ProbeResult>> NavigateAsync(ProbeTarget target, string runId)
    {
        var page = await context.NewPageAsync();
        var results = new List<ProbeResult>
        {
            await ResponseResultAsync("top-level", target, page, Url(target, "top-level")),
            await ResponseResultAsync("redirect", target, page, pages.BaseAddress + $"security/probe/{runId}/redirect/{target.Id}"),
        };

        try
        {
            await page.GotoAsync($"https://{target.Authority}/https/{target.Id}");
            results.Add(await PageResultAsync("https", target.Id, page.ContentAsync()));
        }
        catch (PlaywrightException exception)
        {
            results.Add(new("https", target.Id, exception.Message.Split('\n')[0], false));
        }

        await page.CloseAsync();
        return results;
    }

    private static async Task<ProbeResult> ResponseResultAsync(string channel, ProbeTarget target, IPage page, string url)
    {
        try
        {
            var response = await page.GotoAsync(url);
            var blocked = response is null ? null : await response.HeaderValueAsync(ProxyHeader);
            var content = await page.ContentAsync();
            return new(channel, target.Id, $"{response?.Status} {blocked}", content.Contains(SecretServer.Marker, StringComparison.Ordinal));
        }
        catch (PlaywrightException exception)
        {
            return new(channel, target.Id, exception.Message.Split('\n')[0], false);
        }
    }

    private static async Task<ProbeResult> PageResultAsync(string channel, string target, Task<string> content)
    {
        var html = await content;
        var secret = html.Contains(SecretServer.Marker, StringComparison.Ordinal);
        var outcome = secret ? "secret" : html.Contains(BlockedPage.Title, StringComparison.Ordinal) ? "blocked" : "other";
        return new(channel, target, outcome, secret);
    }

    private static IEnumerable<ProbeResult> Zip(string channel, IReadOnlyList<ProbeTarget> targets, string[] outcomes) =>
        targets.Zip(outcomes, (target, outcome) =>
            new ProbeResult(channel, target.Id, outcome, outcome.Contains(SecretServer.Marker, StringComparison.Ordinal)));

    private static string[] Urls(IReadOnlyList<ProbeTarget> targets, string channel, string scheme = "http") =>
        [.. targets.Select(target => Url(target, channel, scheme))];

    private static string Url(ProbeTarget target, string channel, string scheme = "http") =>
        $"{scheme}://{target.Authority}/{channel}/{target.Id}";
}
