namespace OperaStudio.Tests.Security;

/// <summary>
/// What System.Uri does with the encodings the policy must see through (measured on .NET 10). It agrees with
/// browsers on the common ones; where it does not, the policy parses hosts itself (see HostParserTests).
/// </summary>
public sealed class SystemUriTests
{
    [Theory]
    [InlineData("http://2130706433/", "127.0.0.1")]
    [InlineData("http://0177.0.0.1/", "127.0.0.1")]
    [InlineData("http://0x7f.0.0.1/", "127.0.0.1")]
    [InlineData("http://0x7f000001/", "127.0.0.1")]
    [InlineData("http://127.1/", "127.0.0.1")]
    [InlineData("http://127.0.1/", "127.0.0.1")]
    [InlineData("http://0/", "0.0.0.0")]
    [InlineData("http://[::ffff:7f00:1]/", "[::ffff:127.0.0.1]")]
    public void Host_CommonEncodings_CanonicalisedLikeBrowsers(string url, string host)
    {
        Assert.Equal(host, new Uri(url).Host);
    }

    [Theory]
    [InlineData("http://127.0.0.1./", "127.0.0.1.")]        // browsers: 127.0.0.1
    [InlineData("http://0x7f.0.0.1.:8/", "0x7f.0.0.1.")]    // browsers: 127.0.0.1
    [InlineData("http://0x/", "0x")]                        // browsers: 0.0.0.0
    [InlineData("http://１２７.０.０.１/", "１２７.０.０.１")]   // browsers: 127.0.0.1
    [InlineData("http://256.0.0.1/", "256.0.0.1")]          // browsers: invalid URL
    [InlineData("http://1.2.3.4.5/", "1.2.3.4.5")]          // browsers: invalid URL
    [InlineData("http://0x100000000/", "0x100000000")]      // browsers: invalid URL
    [InlineData("http://09/", "09")]                        // browsers: invalid URL
    public void Host_WhereBrowsersDiffer_UriSaysDnsName(string url, string host)
    {
        var uri = new Uri(url);

        Assert.Equal(UriHostNameType.Dns, uri.HostNameType);
        Assert.Equal(host, uri.Host);
    }

    [Theory]
    [InlineData("http://%31%32%37.0.0.1/")]   // browsers: 127.0.0.1
    [InlineData("http://[::ffff:0177.0.0.1]/")]
    public void Constructor_PercentEncodedOrOctalMappedHost_Throws(string url)
    {
        Assert.Throws<UriFormatException>(() => new Uri(url));
    }
}
