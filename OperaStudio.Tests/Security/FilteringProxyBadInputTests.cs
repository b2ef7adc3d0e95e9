using System.Net;
using System.Net.Sockets;
using System.Text;
using OperaStudio.BrowserService.Security;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Security;

/// <summary>Malformed requests get a 4xx and a closed connection; the proxy keeps serving everyone else.</summary>
public sealed class FilteringProxyBadInputTests(TestPageServer pages) : IAsyncLifetime
{
    private FilteringProxy _proxy = null!;

    public ValueTask InitializeAsync()
    {
        _proxy = ProxyClient.StartProxy(pages.HostAndPort);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _proxy.DisposeAsync();

    [Theory]
    [InlineData("garbage\r\n\r\n", "400")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n", "400")]
    [InlineData("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", "400")]                       // origin form: not a proxy request
    [InlineData("GET https://example.com/ HTTP/1.1\r\n\r\n", "400")]
    [InlineData("GET http://example.com/ HTTP/2.0\r\n\r\n", "400")]
    [InlineData("GET  http://example.com/ HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT 127.0.0.1:http HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT 127.0.0.1 HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT 127.0.0.1:0 HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT 127.0.0.1:65536 HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT 127.0.0.1:-1 HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT :443 HTTP/1.1\r\n\r\n", "400")]
    [InlineData("CONNECT [::1:443 HTTP/1.1\r\n\r\n", "400")]
    [InlineData("GET http://user@example.com/ HTTP/1.1\r\n\r\n", "400")]
    [InlineData("GET http://example.com/ HTTP/1.1\r\nNoColon\r\n\r\n", "400")]
    [InlineData("GET http://example.com/ HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", "400")]
    [InlineData("GET http://example.com/ HTTP/1.1\r\nBad Name: x\r\n\r\n", "400")]
    [InlineData("POST http://example.com/ HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "400")]
    [InlineData("POST http://example.com/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "400")]
    [InlineData("POST http://example.com/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "501")]
    public async Task Request_Malformed_RejectedAndProxyKeepsServing(string request, string status)
    {
        var response = await ProxyClient.SendRawAsync(_proxy, request);

        Assert.StartsWith($"HTTP/1.1 {status}", response, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Request_OversizeHeaders_431AndProxyKeepsServing()
    {
        var request = $"GET {pages.BaseAddress} HTTP/1.1\r\nX-Big: {new string('a', 40 * 1024)}\r\n\r\n";

        var response = await ProxyClient.SendRawAsync(_proxy, request);

        Assert.StartsWith("HTTP/1.1 431", response, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Request_EndlessBytesWithoutHead_431AndProxyKeepsServing()
    {
        var response = await ProxyClient.SendRawAsync(_proxy, new byte[256 * 1024]);

        Assert.StartsWith("HTTP/1.1 431", response, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Client_ClosesMidHeadOrAtOnce_ProxyKeepsServing()
    {
        for (var i = 0; i < 20; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(_proxy.Endpoint);
            if (i % 2 == 0)
            {
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET http://example.com/ HTTP/1.1\r\nHo"));
            }

            client.Client.Close(0); // reset, not a polite close
        }

        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Connect_ClientResetsTunnel_ProxyKeepsServing()
    {
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(_proxy.Endpoint);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {pages.HostAndPort} HTTP/1.1\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 200", await ProxyClient.ReadHeadAsync(stream), StringComparison.Ordinal);
            client.Client.Close(0);
        }

        await AssertStillServesAsync();
    }

    private async Task AssertStillServesAsync()
    {
        var url = pages.Page("/security/bad-input/alive", "alive");
        using var http = ProxyClient.HttpClientThrough(_proxy);
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
