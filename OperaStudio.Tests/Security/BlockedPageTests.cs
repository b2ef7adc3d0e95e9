using OperaStudio.BrowserService.Security;

namespace OperaStudio.Tests.Security;

/// <summary>The blocked page says what and why, and nothing from the URL or reason can become markup.</summary>
public sealed class BlockedPageTests
{
    [Fact]
    public void Html_HostileUrlAndReason_AreEncoded()
    {
        var url = new Uri("http://127.0.0.1:8081/<script>alert(1)</script>?a=\"b\"&c='d'");
        var decision = UrlDecision.Refuse("loopback", "<img src=x onerror=alert(2)> is refused");

        var html = BlockedPage.Html(url, decision);

        Assert.Contains(BlockedPage.Title, html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt; is refused", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("#0f172a", html, StringComparison.Ordinal);
        Assert.Contains("#f97316", html, StringComparison.Ordinal);
    }
}
