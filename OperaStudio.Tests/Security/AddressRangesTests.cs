using System.Net;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.Tests.Security;

/// <summary>Every range that is not the public internet is refused, including IPv6 forms that carry a refused IPv4.</summary>
public sealed class AddressRangesTests
{
    [Theory]
    [InlineData("0.0.0.0", "this-network")]
    [InlineData("0.255.1.2", "this-network")]
    [InlineData("10.0.0.1", "private-network")]
    [InlineData("10.255.255.255", "private-network")]
    [InlineData("100.64.0.1", "cgnat")]
    [InlineData("100.127.255.254", "cgnat")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("172.16.0.1", "private-network")]
    [InlineData("172.31.255.255", "private-network")]
    [InlineData("192.0.0.170", "reserved")]
    [InlineData("192.0.2.1", "reserved")]
    [InlineData("192.88.99.1", "reserved")]
    [InlineData("192.168.1.1", "private-network")]
    [InlineData("198.18.0.1", "reserved")]
    [InlineData("198.19.255.255", "reserved")]
    [InlineData("198.51.100.7", "reserved")]
    [InlineData("203.0.113.9", "reserved")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::", "this-network")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback")]            // IPv4-mapped
    [InlineData("::ffff:10.1.2.3", "private-network")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::ffff:0:127.0.0.1", "loopback")]          // IPv4-translated
    [InlineData("::127.0.0.1", "loopback")]                 // IPv4-compatible
    [InlineData("::8.8.8.8", "reserved")]                   // IPv4-compatible is deprecated whatever it carries
    [InlineData("64:ff9b::7f00:1", "loopback")]             // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]        // NAT64 of the metadata service
    [InlineData("64:ff9b:1::1", "private-network")]         // local-use NAT64
    [InlineData("2002:7f00:1::1", "loopback")]              // 6to4 of 127.0.0.1
    [InlineData("2002:c0a8:101::1", "private-network")]     // 6to4 of 192.168.1.1
    [InlineData("fc00::1", "private-network")]
    [InlineData("fd12:3456:789a::1", "private-network")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("fec0::1", "private-network")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("100::1", "reserved")]
    [InlineData("2001::1", "reserved")]                     // Teredo
    [InlineData("2001:db8::1", "reserved")]
    [InlineData("3fff::1", "reserved")]
    [InlineData("4000::1", "reserved")]                     // outside 2000::/3: unallocated
    [InlineData("::2", "this-network")]                     // IPv4-compatible 0.0.0.2
    [InlineData("::1:0:0:0", "reserved")]
    public void Classify_NonPublicAddress_IsRefusedWithCode(string address, string code)
    {
        Assert.Equal(code, AddressRanges.Classify(IPAddress.Parse(address))?.Code);
    }

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("::ffff:8.8.8.8")]                          // mapped public IPv4
    [InlineData("64:ff9b::808:808")]                        // NAT64 of a public IPv4
    [InlineData("2002:808:808::1")]                         // 6to4 of a public IPv4
    public void Classify_PublicAddress_IsNull(string address)
    {
        Assert.Null(AddressRanges.Classify(IPAddress.Parse(address)));
    }

    [Fact]
    public void Classify_EmbeddedIPv4_NamesTheEmbeddedAddress()
    {
        var range = AddressRanges.Classify(IPAddress.Parse("64:ff9b::7f00:1"));

        Assert.Equal(IPAddress.Parse("127.0.0.1"), range?.EmbeddedIPv4);
    }
}
