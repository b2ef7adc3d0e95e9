using OperaStudio.BrowserService.Security;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Security;

/// <summary>
/// Real Chromium launched through the proxy tries every channel a page has, in every address encoding, against a
/// loopback "secret" server: it must see nothing. A control run with the secret allow-listed proves each probe
/// would have reached it, and one without the WebRTC flag proves the UDP count can catch a leak.
/// </summary>
public sealed class BrowserMatrixTests(TestPageServer pages, ITestOutputHelper output)
{
    private static readonly string[] PageChannels = ["top-level", "redirect", "iframe", "fetch", "websocket", "popup"];

    [Fact]
    public async Task Chromium_EveryEncodingAndChannel_SecretServerSeesNothing()
    {
        await using var secret = SecretServer.Start();
        await using var proxy = ProxyClient.StartProxy(pages.HostAndPort);
        await using var chromium = await ProxiedChromium.LaunchAsync(proxy.ChromiumArguments);
        var probe = new ChannelProbe(chromium.Context, pages);
        var targets = Targets(secret);

        var results = await probe.RunAsync(targets, "refused");
        results.AddRange(await probe.RunUdpAsync(targets[0], "refused"));
        var allowed = await probe.RunAllowedAsync("refused");
        Report(results.Concat(allowed));

        Assert.Equal(0, secret.Connections);
        Assert.Equal(0, secret.Datagrams);
        Assert.DoesNotContain(results, result => result.ShowedSecret);
        Assert.Equal(targets.Length * (PageChannels.Length + 1) + 2, results.Count);
        Assert.All(Outcomes(results, "top-level", "redirect"), outcome => Assert.Equal("403 loopback", outcome));
        Assert.All(Outcomes(results, "iframe", "popup"), outcome => Assert.Equal("blocked", outcome));
        Assert.All(Outcomes(results, "fetch", "websocket", "webtransport"), outcome => Assert.StartsWith("failed:", outcome, StringComparison.Ordinal));
        Assert.All(Outcomes(results, "https"), outcome => Assert.Contains("ERR_TUNNEL_CONNECTION_FAILED", outcome, StringComparison.Ordinal));
        Assert.All(Outcomes(results, "webrtc"), outcome => Assert.DoesNotContain("relay", outcome, StringComparison.Ordinal));
        Assert.All(targets, target =>
        {
            Assert.True(proxy.TryGetRecentRefusal(target.Host, target.Port, out var decision), target.Id);
            Assert.Equal(UrlDecision.Loopback, decision.Code);
        });
        Assert.Equal(["200", "loaded:allowed-data", "opened", "loaded:content"], allowed.Select(result => result.Outcome));
    }

    [Fact]
    public async Task Chromium_SecretServerAllowListed_EveryProbeReachesIt()
    {
        await using var secret = SecretServer.Start();
        await using var proxy = ProxyClient.StartProxy(pages.HostAndPort, $"127.0.0.1:{secret.Port}", $"[::1]:{secret.Port6}");
        await using var chromium = await ProxiedChromium.LaunchAsync(proxy.ChromiumArguments);
        var targets = Targets(secret);

        var results = await new ChannelProbe(chromium.Context, pages).RunAsync(targets, "control");
        Report(results);

        var reached = secret.FirstLines;
        Assert.All(targets.SelectMany(target => PageChannels.Select(channel => $"/{(channel == "websocket" ? "ws" : channel)}/{target.Id}")),
            path => Assert.Contains(reached, line => line.StartsWith($"GET {path} ", StringComparison.Ordinal)));
        Assert.Contains(results, result => result.Channel == "top-level" && result.ShowedSecret);
        Assert.True(secret.Connections >= targets.Length * (PageChannels.Length + 1), $"{secret.Connections} connections");
    }

    [Fact]
    public async Task Chromium_ProxyWithoutWebRtcPolicy_StunLeaksPastTheProxy()
    {
        // Why --webrtc-ip-handling-policy is in ChromiumArguments: without it STUN goes straight out over UDP.
        await using var secret = SecretServer.Start();
        await using var proxy = ProxyClient.StartProxy(pages.HostAndPort);
        var arguments = proxy.ChromiumArguments.Where(argument => !argument.StartsWith("--webrtc-", StringComparison.Ordinal));
        await using var chromium = await ProxiedChromium.LaunchAsync(arguments);
        var page = await chromium.Context.NewPageAsync();
        await page.GotoAsync(pages.Page("/security/probe/stun-leak", "<title>stun</title>").ToString());

        await page.EvaluateAsync("""
            async port => {
              const pc = new RTCPeerConnection({ iceServers: [{ urls: `stun:127.0.0.1:${port}` }] });
              pc.createDataChannel('probe');
              await pc.setLocalDescription(await pc.createOffer());
            }
            """, secret.Port);
        await secret.FirstDatagram.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(secret.Datagrams > 0);
    }

    private static ProbeTarget[] Targets(SecretServer secret) =>
    [
        new("ipv4", "127.0.0.1", secret.Port),
        new("decimal", "2130706433", secret.Port),
        new("octal", "0177.0.0.1", secret.Port),
        new("hex-dotted", "0x7f.0.0.1", secret.Port),
        new("hex", "0x7f000001", secret.Port),
        new("short", "127.1", secret.Port),
        new("mapped-dotted", "[::ffff:127.0.0.1]", secret.Port),
        new("mapped-hex", "[::ffff:7f00:1]", secret.Port),
        new("localhost", "localhost", secret.Port),
        new("ipv6", "[::1]", secret.Port6),
    ];

    private static IEnumerable<string> Outcomes(IEnumerable<ProbeResult> results, params string[] channels) =>
        results.Where(result => channels.Contains(result.Channel)).Select(result => result.Outcome);

    private void Report(IEnumerable<ProbeResult> results)
    {
        foreach (var result in results.OrderBy(result => result.Channel, StringComparer.Ordinal))
        {
            output.WriteLine($"{result.Channel,-12} {result.Target,-40} {result.Outcome}");
        }
    }
}
