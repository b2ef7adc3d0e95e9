using System.Net;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.Tests.Security;

/// <summary>Schemes, the allow-list, the deny-list and private networks, as API callers see them before navigating.</summary>
public sealed class UrlPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8081/", "loopback")]
    [InlineData("http://2130706433:8081/", "loopback")]
    [InlineData("http://0177.0.0.1/", "loopback")]
    [InlineData("http://0x7f.0.0.1/", "loopback")]
    [InlineData("http://0x7f000001/", "loopback")]
    [InlineData("http://127.1/", "loopback")]
    [InlineData("http://127.0.0.1./", "loopback")]
    [InlineData("http://[::1]/", "loopback")]
    [InlineData("http://[::ffff:127.0.0.1]/", "loopback")]
    [InlineData("http://[::ffff:7f00:1]/", "loopback")]
    [InlineData("http://localhost:3000/", "loopback")]
    [InlineData("http://app.localhost/", "loopback")]
    [InlineData("ws://127.0.0.1:9222/devtools/browser", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[fd00:ec2::254]/", "private-network")]
    [InlineData("https://10.0.0.1/", "private-network")]
    [InlineData("https://192.168.0.1/", "private-network")]
    [InlineData("https://100.100.100.200/", "cgnat")]
    [InlineData("http://0.0.0.0:5080/", "this-network")]
    [InlineData("http://0x/", "this-network")]
    [InlineData("http://255.255.255.255/", "broadcast")]
    [InlineData("http://224.0.0.251/", "multicast")]
    [InlineData("http://256.0.0.1/", "invalid-host")]
    [InlineData("http://1.2.3.4.5/", "invalid-host")]
    [InlineData("http://0x100000000/", "invalid-host")]
    public void Evaluate_RefusedDestination_RefusedWithCode(string url, string code)
    {
        var decision = ProxyClient.Policy().Evaluate(new Uri(url), UrlUse.TopLevel);

        Assert.False(decision.Allowed, decision.Reason);
        Assert.Equal(code, decision.Code);
    }

    [Theory]
    [InlineData("https://example.com/")]
    [InlineData("http://93.184.215.14/")]
    [InlineData("wss://echo.example.org/socket")]
    [InlineData("http://[2606:4700:4700::1111]/")]
    [InlineData("about:blank")]
    public void Evaluate_PublicOrBlank_Allowed(string url)
    {
        Assert.True(ProxyClient.Policy().Evaluate(new Uri(url), UrlUse.TopLevel).Allowed);
    }

    [Fact]
    public void Evaluate_LoopbackRefused_ReasonSaysWhyAndHowToAllow()
    {
        var decision = ProxyClient.Policy().Evaluate(new Uri("http://2130706433:8081/"), UrlUse.TopLevel);

        Assert.Equal(
            "127.0.0.1 is a loopback address; the URL policy refuses it. Allow it with UrlPolicy__AllowedHosts__0=127.0.0.1:8081.",
            decision.Reason);
    }

    [Fact]
    public void Evaluate_MappedAddressRefused_ReasonNamesTheIPv4Inside()
    {
        var decision = ProxyClient.Policy().Evaluate(new Uri("http://[64:ff9b::a9fe:a9fe]/"), UrlUse.TopLevel);

        Assert.Equal(UrlDecision.LinkLocal, decision.Code);
        Assert.StartsWith("64:ff9b::a9fe:a9fe carries 169.254.169.254, a link-local address", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("chrome://settings")]
    [InlineData("chrome-untrusted://terminal/")]
    [InlineData("devtools://devtools/bundled/inspector.html")]
    [InlineData("view-source:http://example.com/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,<h1>hi</h1>")]
    [InlineData("blob:https://example.com/5f0c1f0e-2a8b-4f5e-9a3c-2b9d1d3f4c5e")]
    [InlineData("about:settings")]
    [InlineData("ftp://example.com/")]
    [InlineData("filesystem:https://example.com/temporary/x")]
    public void Evaluate_RefusedSchemeAtTopLevel_SchemeRefused(string url)
    {
        var decision = ProxyClient.Policy().Evaluate(new Uri(url), UrlUse.TopLevel);

        Assert.False(decision.Allowed);
        Assert.Equal(UrlDecision.SchemeRefused, decision.Code);
    }

    [Theory]
    [InlineData("data:image/png;base64,iVBORw0KGgo=", true)]
    [InlineData("blob:https://example.com/5f0c1f0e-2a8b-4f5e-9a3c-2b9d1d3f4c5e", true)]
    [InlineData("about:blank", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("chrome://version", false)]
    public void Evaluate_Subresource_DataAndBlobAllowed(string url, bool allowed)
    {
        Assert.Equal(allowed, ProxyClient.Policy().Evaluate(new Uri(url), UrlUse.Subresource).Allowed);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8081/", true)]
    [InlineData("http://2130706433:8081/", true)]      // the entry matches the canonical host
    [InlineData("http://0x7f.1:8081/x", true)]
    [InlineData("http://[::ffff:127.0.0.1]:8081/", true)]
    [InlineData("ws://127.0.0.1:8081/socket", true)]
    [InlineData("http://127.0.0.1:8082/", false)]      // another port
    [InlineData("http://127.0.0.2:8081/", false)]
    [InlineData("http://localhost:8081/", true)]       // localhost is 127.0.0.1 without DNS
    [InlineData("http://localhost:8082/", false)]
    public void Evaluate_HostAndPortEntry_AdmitsOnlyThatPort(string url, bool allowed)
    {
        var policy = ProxyClient.Policy("127.0.0.1:8081");

        Assert.Equal(allowed, policy.Evaluate(new Uri(url), UrlUse.TopLevel).Allowed);
    }

    [Theory]
    [InlineData("http://10.0.0.5/", true)]
    [InlineData("http://10.0.0.5:9000/", true)]
    [InlineData("http://167772165:1/", true)]          // 10.0.0.5 as one number
    [InlineData("http://10.0.0.6/", false)]
    public void Evaluate_HostEntry_AdmitsAnyPort(string url, bool allowed)
    {
        var policy = ProxyClient.Policy("10.0.0.5");

        Assert.Equal(allowed, policy.Evaluate(new Uri(url), UrlUse.TopLevel).Allowed);
    }

    [Theory]
    [InlineData("2130706433:8081", "http://127.0.0.1:8081/")]
    [InlineData("[::1]:8081", "http://[::1]:8081/")]
    [InlineData("::1", "http://[::1]:5/")]
    [InlineData("LOCALHOST:3000", "http://localhost:3000/")]
    [InlineData("Intranet.Example.com", "https://intranet.example.com/")]
    public void Evaluate_EntryInAnyEncoding_MatchesCanonicalHost(string entry, string url)
    {
        Assert.True(ProxyClient.Policy(entry).Evaluate(new Uri(url), UrlUse.TopLevel).Allowed);
    }

    [Theory]
    [InlineData("https://example.com/", true)]
    [InlineData("https://a.example.com/", true)]
    [InlineData("https://A.B.EXAMPLE.COM./", true)]
    [InlineData("https://notexample.com/", false)]
    [InlineData("https://example.com.evil.test/", false)]
    public void Evaluate_BlockedHost_BlocksNameAndSubdomains(string url, bool blocked)
    {
        var policy = ProxyClient.Policy(options => options.BlockedHosts.Add("example.com"));

        var decision = policy.Evaluate(new Uri(url), UrlUse.TopLevel);

        Assert.Equal(blocked, !decision.Allowed);
        Assert.Equal(blocked ? UrlDecision.BlockedHost : UrlDecision.AllowedCode, decision.Code);
    }

    [Fact]
    public async Task CheckDestinationAsync_NameResolvingToBlockedAddress_BlockedHost()
    {
        var policy = ProxyClient.Policy(options =>
        {
            options.AllowedHosts.Add("127.0.0.1");
            options.BlockedHosts.Add("2130706433");
        });

        var check = await policy.CheckDestinationAsync("localhost", 80);

        Assert.Equal(UrlDecision.BlockedHost, check.Decision.Code);
        Assert.Empty(check.Addresses);
    }

    [Fact]
    public void Evaluate_BlockedAndAllowed_BlockWins()
    {
        var policy = ProxyClient.Policy(options =>
        {
            options.AllowedHosts.Add("a.example.com");
            options.BlockedHosts.Add("example.com");
        });

        Assert.Equal(UrlDecision.BlockedHost, policy.Evaluate(new Uri("https://a.example.com/"), UrlUse.TopLevel).Code);
    }

    [Theory]
    [InlineData("http://10.1.2.3/", true)]
    [InlineData("http://172.20.0.1/", true)]
    [InlineData("http://192.168.1.1/", true)]
    [InlineData("http://100.64.1.1/", true)]
    [InlineData("http://[fd00::1]/", true)]
    [InlineData("http://127.0.0.1/", false)]            // loopback is the server itself, never a "private network"
    [InlineData("http://169.254.169.254/", false)]      // nor the metadata service
    [InlineData("http://[fe80::1]/", false)]
    public void Evaluate_AllowPrivateNetworks_AdmitsPrivateRangesOnly(string url, bool allowed)
    {
        var policy = ProxyClient.Policy(options => options.AllowPrivateNetworks = true);

        Assert.Equal(allowed, policy.Evaluate(new Uri(url), UrlUse.TopLevel).Allowed);
    }

    [Fact]
    public async Task EvaluateAsync_NameResolvingToRefusedAddress_RefusedWithTheAddress()
    {
        // The machine's own name resolves locally (here to 127.0.0.1), no internet needed.
        var name = Dns.GetHostName().ToLowerInvariant();
        var addresses = await Dns.GetHostAddressesAsync(name);
        Assert.SkipWhen(addresses.All(address => AddressRanges.Classify(address) is null), $"{name} resolves to a public address here.");

        var decision = await ProxyClient.Policy().EvaluateAsync(new Uri($"http://{name}:8081/"), UrlUse.TopLevel);

        Assert.False(decision.Allowed);
        Assert.StartsWith($"{name} resolves to ", decision.Reason, StringComparison.Ordinal);
        Assert.Contains($"UrlPolicy__AllowedHosts__0={name}:8081", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateAsync_AllowListedName_SkipsAddressChecks()
    {
        var name = Dns.GetHostName().ToLowerInvariant();

        var decision = await ProxyClient.Policy(name.ToUpperInvariant()).EvaluateAsync(new Uri($"http://{name}:8081/"), UrlUse.TopLevel);

        Assert.True(decision.Allowed, decision.Reason);
    }

    [Fact]
    public async Task EvaluateAsync_UnresolvableName_DnsFailed()
    {
        var decision = await ProxyClient.Policy().EvaluateAsync(new Uri("https://no-such-host.invalid/"), UrlUse.TopLevel);

        Assert.Equal(UrlDecision.DnsFailed, decision.Code);
    }

    [Fact]
    public async Task EvaluateAsync_RefusedScheme_NoLookup()
    {
        var decision = await ProxyClient.Policy().EvaluateAsync(new Uri("file:///etc/passwd"), UrlUse.TopLevel);

        Assert.Equal(UrlDecision.SchemeRefused, decision.Code);
    }

    [Fact]
    public async Task CheckDestinationAsync_LocalhostWithIPv4Entry_OnlyTheAdmittedAddress()
    {
        var check = await ProxyClient.Policy("127.0.0.1:8081").CheckDestinationAsync("LOCALHOST", 8081);

        Assert.True(check.Decision.Allowed, check.Decision.Reason);
        Assert.Equal([IPAddress.Loopback], check.Addresses);
    }

    [Fact]
    public async Task CheckDestinationAsync_MachineName_ChecksTheResolvedAddresses()
    {
        var name = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(name);
        Assert.SkipWhen(addresses.All(address => AddressRanges.Classify(address) is null), $"{name} resolves to a public address here.");

        var check = await ProxyClient.Policy().CheckDestinationAsync(name, 443);

        Assert.False(check.Decision.Allowed);
        Assert.Empty(check.Addresses);
    }
}
