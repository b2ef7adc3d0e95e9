using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.Tests.Security;

/// <summary>Starts real proxies and talks to them over real sockets, as Chromium and HttpClient would.</summary>
public static class ProxyClient
{
    public static UrlPolicy Policy(params string[] allowedHosts) => Policy(options =>
    {
        foreach (var host in allowedHosts)
        {
            options.AllowedHosts.Add(host);
        }
    });

    public static UrlPolicy Policy(Action<UrlPolicyOptions> configure)
    {
        var options = new UrlPolicyOptions();
        configure(options);
        return new UrlPolicy(Options.Create(options));
    }

    public static FilteringProxy StartProxy(params string[] allowedHosts)
    {
        var proxy = new FilteringProxy(Policy(allowedHosts), NullLogger<FilteringProxy>.Instance);
        _ = proxy.Endpoint;
        return proxy;
    }

    /// <summary>An HttpClient that sends everything through the proxy, loopback included (WebProxy skips loopback).</summary>
    public static HttpClient HttpClientThrough(FilteringProxy proxy) =>
        new(new SocketsHttpHandler { Proxy = new AlwaysProxy(new Uri($"http://{proxy.Endpoint}")), UseProxy = true })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Sends raw bytes on a fresh connection and reads until the proxy closes it.</summary>
    public static async Task<string> SendRawAsync(FilteringProxy proxy, string request) =>
        await SendRawAsync(proxy, Encoding.Latin1.GetBytes(request));

    public static async Task<string> SendRawAsync(FilteringProxy proxy, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Endpoint);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        client.Client.Shutdown(SocketShutdown.Send);
        return await ReadToEndAsync(stream);
    }

    public static async Task<string> ReadToEndAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return Encoding.Latin1.GetString(buffer.ToArray());
    }

    /// <summary>Reads one head (up to the blank line) without waiting for the connection to close.</summary>
    public static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one) == 1)
        {
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private sealed class AlwaysProxy(Uri proxy) : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => proxy;

        public bool IsBypassed(Uri host) => false;
    }
}
