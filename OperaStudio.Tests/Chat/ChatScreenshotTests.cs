using Microsoft.Playwright;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;
using OperaStudio.Tests.Web;
using static Microsoft.Playwright.Assertions;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.Chat;

/// <summary>
/// The chat panel in each of its states, for people to look at (before and after a change of its styles, say). Runs
/// only when <c>OPERA_SCREENSHOTS</c> names a folder:
/// <c>OPERA_SCREENSHOTS=/tmp/shots ./test.sh --filter-class OperaStudio.Tests.Chat.ChatScreenshotTests</c>.
/// Animations are frozen, so two runs of the same styles give the same pictures.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class ChatScreenshotTests : IClassFixture<AgentWebAppFixture>
{
    private readonly AgentWebAppFixture _web;
    private readonly ChromiumFixture _chromium;

    public ChatScreenshotTests(AgentWebAppFixture web, ChromiumFixture chromium)
    {
        _web = web;
        _chromium = chromium;
        web.Service.Model.Reset();
    }

    private ScriptedModelServer Model => _web.Service.Model;

    [Fact]
    public async Task Empty_Conversation_Steps_Approval_Question_Secrets()
    {
        Assert.SkipWhen(Screenshots.Folder is null, "Set OPERA_SCREENSHOTS to a folder to take screenshots.");
        var login = AgentPages.Login(_web.Service.Pages, "/shots/login", "unused-secret");
        await using var panel = await PanelPage.OpenAsync(_web, _chromium, login, 1440, 900);
        var chat = new ChatPage(panel);
        await Expect(chat.Page.GetByTestId("chat-model")).ToContainTextAsync("scripted");
        await SaveAsync(chat, "chat-1-empty");

        // The secrets menu, with one name.
        await chat.AddSecretAsync("site_password", "unused-secret");
        if (await chat.Page.GetByTestId("secrets-panel").CountAsync() == 0)
        {
            await chat.Page.GetByTestId("secrets-toggle").ClickAsync();
        }

        await Expect(chat.Page.GetByTestId("secret")).ToHaveCountAsync(1);
        await SaveAsync(chat, "chat-2-secrets");
        await chat.Page.GetByTestId("secrets-toggle").ClickAsync();

        // A conversation: markdown, a step that worked and one that failed, expanded.
        Model.Plan(
            Call("snapshot", text: "Let me **look** at the page first."),
            Call("click", new { @ref = "e999" }),
            Say("Here is what I found:\n\n- a `Username` field\n- a **Log in** button\n\n```\nfetch('/login')\n```\n\nSee [the docs](https://example.com/docs)."));
        await chat.SendAsync("What is on this page?");
        await chat.WaitForRunAsync("completed");
        await Expect(chat.Step("click")).ToHaveAttributeAsync("data-status", "error");
        await ChatPage.WaitForImageAsync(chat.Step("snapshot").GetByTestId("agent-step-thumbnail"));
        await SaveAsync(chat, "chat-3-conversation");
        await chat.Step("click").GetByTestId("agent-step-toggle").ClickAsync();
        await chat.Step("snapshot").GetByTestId("agent-step-toggle").ClickAsync();
        await Expect(chat.Step("snapshot").GetByTestId("agent-step-arguments")).ToBeVisibleAsync();
        await SaveAsync(chat, "chat-4-steps-expanded");
        await chat.Step("click").GetByTestId("agent-step-toggle").ClickAsync();
        await chat.Step("snapshot").GetByTestId("agent-step-toggle").ClickAsync();

        // A step running while the agent holds control.
        Model.Plan(Call("wait_for", new { ms = 60_000 })); // Stopped: nothing more is asked.
        await chat.SendAsync("Wait a minute.");
        await Expect(chat.Step("wait_for")).ToHaveAttributeAsync("data-status", "running");
        await Expect(chat.Page.GetByTestId("control-banner")).ToContainTextAsync("The agent is in control");
        await SaveAsync(chat, "chat-5-running");
        await chat.Stop.ClickAsync();
        await chat.WaitForRunAsync("cancelled");

        // An approval, its target outlined on the live view.
        Model.Plan(
            Call("fill_form", new { fields = new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = "{{secret:site_password}}" } }),
            Call("click", new { description = "Log in button" }),
            Say("Signed in."));
        await chat.SendAsync("Log in.");
        await Expect(chat.Approvals).ToHaveAttributeAsync("data-kind", "password_submit");
        await Expect(chat.Highlight).ToBeVisibleAsync();
        await SaveAsync(chat, "chat-6-approval");
        await chat.Approvals.GetByTestId("deny").ClickAsync();
        await chat.WaitForRunAsync("completed");

        // A question for the user.
        Model.Plan(Call("ask_user", new { question = "Please solve the captcha, then tell me." }), Say("Thanks."));
        await chat.SendAsync("Go on.");
        await Expect(chat.Page.GetByTestId("ask-user-question")).ToBeVisibleAsync();
        await SaveAsync(chat, "chat-7-question");
        await chat.Page.GetByTestId("resume").ClickAsync();
        await chat.WaitForRunAsync("completed");

        // Hidden: the button that brings it back.
        await chat.Page.GetByTestId("chat-collapse").ClickAsync();
        await Expect(chat.Page.GetByTestId("chat-toggle")).ToBeVisibleAsync();
        await chat.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder!, "chat-8-collapsed.png"), Animations = ScreenshotAnimations.Disabled });
    }

    /// <summary>The chat column alone (and the whole page, for the outline on the live view).</summary>
    private static async Task SaveAsync(ChatPage chat, string name)
    {
        Directory.CreateDirectory(Screenshots.Folder!);
        await chat.Page.Mouse.MoveAsync(0, 0); // No hover effects.
        await chat.Root.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder!, name + ".png"), Animations = ScreenshotAnimations.Disabled });
        if (name.EndsWith("approval", StringComparison.Ordinal))
        {
            await chat.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Folder!, name + "-page.png"), Animations = ScreenshotAnimations.Disabled });
        }
    }
}
