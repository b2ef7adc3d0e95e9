using OperaStudio.BrowserService.Security;

namespace OperaStudio.Tests.Security;

/// <summary>The address bar: what people type becomes the URL Chromium would open, or "not a URL" to search instead.</summary>
public sealed class AddressBarInputTests
{
    [Theory]
    [InlineData("example.com", "https://example.com/")]
    [InlineData("  Example.COM/Path?q=1  ", "https://example.com/Path?q=1")]
    [InlineData("example.com:8443", "https://example.com:8443/")]
    [InlineData("localhost:8080/x", "http://localhost:8080/x")]
    [InlineData("localhost", "http://localhost/")]
    [InlineData("app.localhost:3000", "http://app.localhost:3000/")]
    [InlineData("127.0.0.1", "http://127.0.0.1/")]
    [InlineData("127.0.0.1:8081/a", "http://127.0.0.1:8081/a")]
    [InlineData("0x7f.1:8081", "http://127.0.0.1:8081/")]
    [InlineData("2130706433:8081", "http://127.0.0.1:8081/")]
    [InlineData("127.0.0.1.", "http://127.0.0.1/")]
    [InlineData("[::1]:8080", "http://[::1]:8080/")]
    [InlineData("[::ffff:7f00:1]", "http://[::ffff:127.0.0.1]/")]
    [InlineData("http://example.com", "http://example.com/")]
    [InlineData("HTTPS://Example.com/a#b", "https://example.com/a#b")]
    [InlineData("http://0x7f.1/", "http://127.0.0.1/")]
    [InlineData("http://%31%32%37.0.0.1/", "http://127.0.0.1/")]
    [InlineData("http://１２７.０.０.１/", "http://127.0.0.1/")]
    [InlineData("ws://example.com/socket", "ws://example.com/socket")]
    [InlineData("about:blank", "about:blank")]
    [InlineData("file:///etc/passwd", "file:///etc/passwd")]
    [InlineData("javascript:alert(1)", "javascript:alert(1)")]
    [InlineData("data:text/html,hi", "data:text/html,hi")]
    [InlineData("view-source:https://example.com/", "view-source:https://example.com/")]
    public void TryNormalize_Address_BecomesUrl(string input, string expected)
    {
        Assert.True(UrlPolicy.TryNormalize(input, out var url, out var error), error);
        Assert.Equal(expected, url.AbsoluteUri);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("weather today")]
    [InlineData("what is 127.0.0.1")]
    [InlineData("2130706433")]        // a lone number is a search, as in Chrome
    [InlineData("")]
    [InlineData("   ")]
    public void TryNormalize_NotAnAddress_NotAUrl(string input)
    {
        Assert.False(UrlPolicy.TryNormalize(input, out _, out var error));
        Assert.Equal(AddressBarInput.NotAUrl, error);
    }

    [Theory]
    [InlineData("256.0.0.1")]
    [InlineData("http://1.2.3.4.5/")]
    [InlineData("example.com:99999")]
    [InlineData("example.com:port")]
    public void TryNormalize_InvalidHostOrPort_Error(string input)
    {
        Assert.False(UrlPolicy.TryNormalize(input, out _, out var error));
        Assert.NotEqual(AddressBarInput.NotAUrl, error);
    }
}
