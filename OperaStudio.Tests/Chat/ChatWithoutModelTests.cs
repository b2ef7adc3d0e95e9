using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.Tests.Infrastructure;
using OperaStudio.Tests.Web;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Chat;

/// <summary>
/// The chat as a fresh install shows it: no model key. The shared browser service keeps the default configuration
/// (Gemini, no key), like <c>AgentConfigurationTests</c>, so this runs against it: the chat says exactly how to
/// configure a model, a message is answered with the same steps, and the panel keeps working.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class ChatWithoutModelTests(WebAppFixture web, ChromiumFixture chromium) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task Chat_WithoutAModelKey_ShowsTheSetupSteps_AndAMessageIsAnsweredWithThem()
    {
        var options = web.Service.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
        Assert.SkipWhen(options.HasApiKey, "A model key is configured on this machine (GEMINI_API_KEY or Agent:ApiKey); the default has none.");
        await using var panel = await PanelPage.OpenAsync(web, chromium, web.Service.Pages.Page("/chat/no-key", TestPages.Titled("No key", "#22c55e")));
        var chat = new ChatPage(panel);

        var hint = panel.Page.GetByTestId("setup-hint");
        await Expect(hint).ToContainTextAsync("Connect a model");
        await Expect(hint).ToContainTextAsync("https://aistudio.google.com/apikey");
        await Expect(panel.Page.GetByTestId("chat-model")).ToContainTextAsync("No model configured");
        // Environment variables and commands read as code, in a monospace font.
        var code = hint.Locator("code");
        await Expect(code.Filter(new() { HasText = "GEMINI_API_KEY=<key>" })).ToHaveCountAsync(1);
        await Expect(code.Filter(new() { HasText = "dotnet user-secrets set \"Agent:ApiKey\" \"<key>\" --project OperaStudio.BrowserService" })).ToHaveCountAsync(1);
        await Expect(code.Filter(new() { HasText = "Agent__Provider=OpenAICompatible" })).ToHaveCountAsync(1);
        Assert.Contains("mono", await code.First.EvaluateAsync<string>("c => getComputedStyle(c).fontFamily"), StringComparison.OrdinalIgnoreCase);
        await Expect(hint.Locator("a[href='https://aistudio.google.com/apikey']")).ToHaveAttributeAsync("target", "_blank");

        // The input works: the service answers with the same steps as a notice.
        await chat.SendAsync("Open the news");
        await chat.WaitForRunAsync("failed");
        await Expect(chat.Role("user").Locator(".user-bubble")).ToHaveTextAsync("Open the news");
        var notice = chat.Role("notice").Last;
        await Expect(notice).ToContainTextAsync("No model is configured");
        await Expect(notice.Locator("code").Filter(new() { HasText = "GEMINI_API_KEY=<key>" })).ToHaveCountAsync(1);
        await Expect(chat.Send).ToBeVisibleAsync();
        await Expect(chat.BrowserPanel).ToHaveAttributeAsync("data-control", "user");

        // The panel is unaffected.
        await Expect(panel.Status).ToHaveAttributeAsync("data-state", "connected");
        Assert.Equal("No key", await panel.RemoteAsync("document.title"));
    }
}
