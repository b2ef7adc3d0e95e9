using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Security;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Security;

/// <summary>
/// The proxy over real sockets: allow-listed pages pass (plain HTTP and CONNECT), every encoding of a refused
/// loopback address gets 403, and the secret server behind it never sees a single connection.
/// </summary>
public sealed class FilteringProxyTests(TestPageServer pages) : IAsyncLifetime
{
    private readonly SecretServer _secret = SecretServer.Start();
    private FilteringProxy _proxy = null!;

    public ValueTask InitializeAsync()
    {
        _proxy = ProxyClient.StartProxy(pages.HostAndPort);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _secret.DisposeAsync();
    }

    [Fact]
    public async Task PlainHttp_AllowListedPage_PassesThrough()
    {
        var url = pages.Page("/security/proxy/plain", "<p>allowed page</p>");
        using var http = ProxyClient.HttpClientThrough(_proxy);

        using var response = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("<p>allowed page</p>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task InternalPages_AreAnsweredByTheProxyItself_WithoutScriptOrCaching()
    {
        using var http = ProxyClient.HttpClientThrough(_proxy);

        using var start = await http.GetAsync(StartPage.Url);
        using var blocked = await http.GetAsync(InternalPages.Blocked("http://10.0.0.1/admin", UrlDecision.Refuse(UrlDecision.PrivateNetwork, "a private network")));
        using var unknown = await http.GetAsync("http://nothing.operastudio.invalid/");

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        Assert.Contains("<title>New tab</title>", await start.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(start.Headers.CacheControl?.NoStore);
        Assert.Contains("default-src 'none'", start.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, blocked.StatusCode);
        Assert.Contains("10.0.0.1", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public void InternalPages_SavedWithHttps_AreOpenedAtTheirHttpAddress()
    {
        Assert.Equal(StartPage.Url, InternalPages.Current("https://start.operastudio.invalid/"));
        Assert.Equal("https://example.com/", InternalPages.Current("https://example.com/"));
    }

    [Fact]
    public async Task PlainHttp_ForwardedRequest_OriginFormWithoutProxyFieldsAndWithBody()
    {
        var url = pages.Handle("/security/proxy/echo", async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var proxyFields = string.Join(",", context.Request.Headers.Keys.Where(key => key.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)));
            await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} host={context.Request.Host} proxy=[{proxyFields}] body={body}");
        });
        var request = $"POST {url}?q=1 HTTP/1.1\r\nHost: {url.Authority}\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic eDp5\r\n"
            + "Content-Length: 5\r\n\r\nhello";

        var response = await ProxyClient.SendRawAsync(_proxy, request);

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("Connection: close", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"POST /security/proxy/echo?q=1 host={url.Authority} proxy=[] body=hello", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_AllowListedPage_TunnelsBytesBothWays()
    {
        var url = pages.Page("/security/proxy/tunnel", "<p>through the tunnel</p>");
        using var client = new TcpClient();
        await client.ConnectAsync(_proxy.Endpoint);
        var stream = client.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {url.Authority} HTTP/1.1\r\nHost: {url.Authority}\r\n\r\n"));
        var established = await ProxyClient.ReadHeadAsync(stream);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nConnection: close\r\n\r\n"));
        var response = await ProxyClient.ReadToEndAsync(stream);

        Assert.StartsWith("HTTP/1.1 200 Connection established", established, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("<p>through the tunnel</p>", response, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SecretHosts))]
    public async Task PlainHttp_RefusedEncoding_BlockedPageAndSecretSeesNothing(string host, string code)
    {
        var target = $"http://{host}:{_secret.Port}/secret";

        var response = await ProxyClient.SendRawAsync(_proxy, $"GET {target} HTTP/1.1\r\nHost: {host}:{_secret.Port}\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403", response, StringComparison.Ordinal);
        Assert.Contains($"X-Opera-Blocked: {code}", response, StringComparison.Ordinal);
        Assert.Contains(BlockedPage.Title, response, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretServer.Marker, response, StringComparison.Ordinal);
        Assert.Equal(0, _secret.Connections);
    }

    [Theory]
    [MemberData(nameof(SecretHosts))]
    public async Task Connect_RefusedEncoding_403AndSecretSeesNothing(string host, string code)
    {
        var response = await ProxyClient.SendRawAsync(_proxy, $"CONNECT {host}:{_secret.Port} HTTP/1.1\r\nHost: {host}:{_secret.Port}\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403", response, StringComparison.Ordinal);
        Assert.Contains($"X-Opera-Blocked: {code}", response, StringComparison.Ordinal);
        Assert.True(_proxy.TryGetRecentRefusal(host, _secret.Port, out var decision));
        Assert.Equal(code, decision.Code);
        Assert.Equal(0, _secret.Connections);
    }

    [Fact]
    public async Task Connect_IPv6Loopback_403AndSecretSeesNothing()
    {
        var response = await ProxyClient.SendRawAsync(_proxy, $"CONNECT [::1]:{_secret.Port6} HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403", response, StringComparison.Ordinal);
        Assert.Equal(0, _secret.Connections);
    }

    [Fact]
    public async Task PlainHttp_RefusedPostWithLargeBody_ClientStillReads403()
    {
        // The proxy answers before the body arrives; it must read the rest so the answer is not lost to a reset.
        var head = $"POST http://127.0.0.1:{_secret.Port}/upload HTTP/1.1\r\nContent-Length: {4 * 1024 * 1024}\r\n\r\n";
        byte[] request = [.. Encoding.ASCII.GetBytes(head), .. new byte[4 * 1024 * 1024]];

        var response = await ProxyClient.SendRawAsync(_proxy, request);

        Assert.StartsWith("HTTP/1.1 403", response, StringComparison.Ordinal);
        Assert.Equal(0, _secret.Connections);
    }

    [Fact]
    public async Task PlainHttp_SameHostOtherPort_Refused()
    {
        // The allow-list names the page server's port; the secret server shares its address but not its port.
        using var http = ProxyClient.HttpClientThrough(_proxy);

        using var response = await http.GetAsync(new Uri($"http://{pages.BaseAddress.Host}:{_secret.Port}/"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("loopback", response.Headers.GetValues("X-Opera-Blocked").Single());
        Assert.Equal(0, _secret.Connections);
    }

    [Fact]
    public async Task PlainHttp_OneClientConnectionForTwoHosts_SecondRequestNeverForwarded()
    {
        // Two requests on one connection, the second for the secret server: the proxy answers the first and closes.
        var url = pages.Page("/security/proxy/first", "first");
        var requests = $"GET {url} HTTP/1.1\r\nHost: {url.Authority}\r\n\r\n"
            + $"GET http://127.0.0.1:{_secret.Port}/ HTTP/1.1\r\nHost: 127.0.0.1:{_secret.Port}\r\n\r\n";

        var response = await ProxyClient.SendRawAsync(_proxy, requests);

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Single(response.Split("HTTP/1.1 ")[1..]); // one response, then the connection closed
        Assert.Contains("first", response, StringComparison.Ordinal);
        Assert.Equal(0, _secret.Connections);
    }

    [Fact]
    public async Task HttpClient_AllowedThenRefusedHost_EachJudgedOnItsOwn()
    {
        // HttpClient pools plain-HTTP proxy connections per proxy, not per host; Connection: close keeps them apart.
        var url = pages.Page("/security/proxy/pooled", "pooled");
        using var http = ProxyClient.HttpClientThrough(_proxy);

        using var allowed = await http.GetAsync(url);
        using var refused = await http.GetAsync(new Uri($"http://127.0.0.1:{_secret.Port}/"));
        using var allowedAgain = await http.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowedAgain.StatusCode);
        Assert.Equal(0, _secret.Connections);
    }

    [Fact]
    public async Task PlainHttp_AllowListedName_SkipsAddressChecks()
    {
        await using var proxy = ProxyClient.StartProxy($"localhost:{_secret.Port}");
        using var http = ProxyClient.HttpClientThrough(proxy);

        using var response = await http.GetAsync(new Uri($"http://LOCALHOST:{_secret.Port}/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(SecretServer.Marker, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, _secret.Connections);
    }

    [Fact]
    public async Task Connect_ToTheProxyItself_Refused()
    {
        await using var proxy = ProxyClient.StartProxy("127.0.0.1");

        var response = await ProxyClient.SendRawAsync(proxy, $"CONNECT 127.0.0.1:{proxy.Endpoint.Port} HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecentRefusals_AfterRefusal_RecordsHostPortAndTime()
    {
        var before = DateTimeOffset.UtcNow;

        await ProxyClient.SendRawAsync(_proxy, $"GET http://0x7f000001:{_secret.Port}/ HTTP/1.1\r\n\r\n");

        var refusal = Assert.Single(_proxy.RecentRefusals);
        Assert.Equal(("127.0.0.1", _secret.Port, "loopback"), (refusal.Host, refusal.Port, refusal.Decision.Code));
        Assert.InRange(refusal.At, before, DateTimeOffset.UtcNow);
        Assert.True(_proxy.TryGetRecentRefusal("2130706433", _secret.Port, out _)); // looked up by any spelling
        Assert.False(_proxy.TryGetRecentRefusal("127.0.0.1", _secret.Port + 1, out _));
    }

    public static TheoryData<string, string> SecretHosts() => new()
    {
        { "127.0.0.1", "loopback" },
        { "2130706433", "loopback" },
        { "0177.0.0.1", "loopback" },
        { "0x7f.0.0.1", "loopback" },
        { "0x7f000001", "loopback" },
        { "127.1", "loopback" },
        { "127.0.0.1.", "loopback" },
        { "[::ffff:127.0.0.1]", "loopback" },
        { "[::ffff:7f00:1]", "loopback" },
        { "localhost", "loopback" },
        { "LocalHost.", "loopback" },
        { "0.0.0.0", "this-network" },
        { "0", "this-network" },
        { "169.254.169.254", "link-local" },
        { "256.0.0.1", "invalid-host" },
    };
}
