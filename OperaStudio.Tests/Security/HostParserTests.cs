using System.Net;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.Tests.Security;

/// <summary>Hosts parse as Chromium parses them (WHATWG URL): every IPv4 encoding to one address, invalid ones refused.</summary>
public sealed class HostParserTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1")]              // one decimal number
    [InlineData("0177.0.0.1", "127.0.0.1")]              // octal part
    [InlineData("0x7f.0.0.1", "127.0.0.1")]              // hex part
    [InlineData("0X7F.0.0.1", "127.0.0.1")]
    [InlineData("0x7f000001", "127.0.0.1")]              // one hex number
    [InlineData("017700000001", "127.0.0.1")]            // one octal number
    [InlineData("127.1", "127.0.0.1")]                   // short: the last part fills three bytes
    [InlineData("127.0.1", "127.0.0.1")]                 // short: the last part fills two bytes
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("0177.1", "127.0.0.1")]
    [InlineData("127.000.000.001", "127.0.0.1")]
    [InlineData("127.0.0.1.", "127.0.0.1")]              // one trailing dot is dropped
    [InlineData("0x7f.0.0.1.", "127.0.0.1")]
    [InlineData("0", "0.0.0.0")]
    [InlineData("0x", "0.0.0.0")]                        // a bare 0x is zero
    [InlineData("4294967295", "255.255.255.255")]
    [InlineData("169.254.43518", "169.254.169.254")]     // cloud metadata, short form
    [InlineData("0xa9fea9fe", "169.254.169.254")]
    [InlineData("%31%32%37.0.0.1", "127.0.0.1")]         // percent-decoded first
    [InlineData("127.0.0.1%2e", "127.0.0.1")]
    [InlineData("１２７.０.０.１", "127.0.0.1")]          // full-width digits map to ASCII
    [InlineData("[::1]", "::1")]
    [InlineData("[0:0:0:0:0:0:0:1]", "::1")]
    [InlineData("[::ffff:127.0.0.1]", "::ffff:127.0.0.1")]
    [InlineData("[::ffff:7f00:1]", "::ffff:127.0.0.1")]
    [InlineData("[0:0:0:0:0:ffff:7f00:1]", "::ffff:127.0.0.1")]
    [InlineData("[::127.0.0.1]", "::127.0.0.1")]
    [InlineData("[64:ff9b::7f00:1]", "64:ff9b::7f00:1")]
    [InlineData("[FE80::1]", "fe80::1")]
    public void Parse_AddressEncoding_IsCanonicalAddress(string host, string expected)
    {
        var parsed = HostParser.Parse(host);

        Assert.Equal(HostKind.Address, parsed.Kind);
        Assert.Equal(IPAddress.Parse(expected), parsed.Address);
        Assert.Equal(expected, parsed.Text);
    }

    [Theory]
    [InlineData("256.0.0.1")]          // a part over 255
    [InlineData("1.2.3.256")]
    [InlineData("1.2.3.4.5")]          // five parts
    [InlineData("0x100000000")]        // over 32 bits
    [InlineData("4294967296")]
    [InlineData("1.2.65536")]          // the last part overflows its two bytes
    [InlineData("1.16777216")]
    [InlineData("09")]                 // 9 is not an octal digit
    [InlineData("1.2.3.09")]
    [InlineData("0x7g.1")]             // not hex, and the host ends in a number
    [InlineData("foo.0x7f")]           // ends in a number, so it must be IPv4, and foo is not
    [InlineData("1..1")]
    [InlineData("99999999999999999999999")]
    [InlineData("[::1")]
    [InlineData("[1::2::3]")]
    [InlineData("[::1%25eth0]")]       // zone ids are not valid in URLs
    [InlineData("[::ffff:0177.0.0.1]")]
    [InlineData("[example.com]")]
    [InlineData("exa mple.com")]
    [InlineData("exa<mple.com")]
    [InlineData("a%00b.com")]
    [InlineData("%zz.com")]
    [InlineData("")]
    [InlineData(".")]
    public void Parse_InvalidHost_IsInvalid(string host)
    {
        Assert.Equal(HostKind.Invalid, HostParser.Parse(host).Kind);
    }

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("EXAMPLE.Com", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("localhost", "localhost")]
    [InlineData("ＬＯＣＡＬＨＯＳＴ", "localhost")]
    [InlineData("1.2.3.4x", "1.2.3.4x")]      // the last part is not a number, so it is a name
    [InlineData("0x7f.example", "0x7f.example")]
    [InlineData("☃.com", "xn--n3h.com")]
    public void Parse_Name_IsLowerCaseAsciiName(string host, string expected)
    {
        var parsed = HostParser.Parse(host);

        Assert.Equal(HostKind.Name, parsed.Kind);
        Assert.Equal(expected, parsed.Name);
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("app.localhost", true)]
    [InlineData("localhost.", true)]
    [InlineData("notlocalhost", false)]
    [InlineData("localhost.example.com", false)]
    public void IsLocalhostName_LocalhostNames_AreLoopbackNames(string host, bool expected)
    {
        Assert.Equal(expected, HostParser.Parse(host).IsLocalhostName);
    }
}
