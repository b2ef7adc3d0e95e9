using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>The fixtures themselves work: real Chromium renders and clicks a page the tests serve on loopback.</summary>
public sealed class InfrastructureTests(ChromiumFixture chromium, TestPageServer pages)
{
    [Fact]
    public async Task Chromium_ClicksAButtonOnALoopbackTestPage()
    {
        var url = pages.Page("/infrastructure/click", """
            <!doctype html><title>click</title>
            <button onclick="document.getElementById('out').textContent = 'clicked'">Press</button>
            <p id="out">waiting</p>
            """);
        var page = await chromium.NewPageAsync();

        await page.GotoAsync(url.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Press" }).ClickAsync();

        await Expect(page.Locator("#out")).ToHaveTextAsync("clicked");
        await page.Context.CloseAsync();
    }
}
