using System.Net.Http.Json;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Infrastructure;
using OperaStudio.Tests.Web;
using static Microsoft.Playwright.Assertions;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.Chat;

/// <summary>
/// The chat panel end to end: a viewer (headless Chromium) on the web app, in front of the agent's browser service,
/// whose model is the scripted one. Everything goes through the UI — typing, Enter, buttons, the canvas — and the
/// outcome is read from the UI, the remote page and the model's recorded requests. No timing is asserted.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class ChatPanelTests : IClassFixture<AgentWebAppFixture>, IDisposable
{
    private readonly AgentWebAppFixture _web;
    private readonly ChromiumFixture _chromium;

    public ChatPanelTests(AgentWebAppFixture web, ChromiumFixture chromium)
    {
        _web = web;
        _chromium = chromium;
        web.Service.Model.Reset();
    }

    private ScriptedModelServer Model => _web.Service.Model;

    private TestPageServer Pages => _web.Service.Pages;

    public void Dispose() => Assert.Equal(0, Model.Unplanned);

    [Fact]
    public async Task Message_StreamsTheAnswer_StepsBecomeCardsWithThumbnails_AndMarkdownIsRenderedSafely()
    {
        await using var panel = await PanelPage.OpenAsync(_web, _chromium, Pages.Page("/chat/stream", AgentPages.ControlsHtml));
        var chat = new ChatPage(panel);
        await chat.WatchStreamingAsync();
        Model.Plan(
            Call("click", new { description = "Save button" }, text: "Let me **save** that for you."),
            Say("Saved: the page says `saved` — <b>not bold</b> <img src=x onerror=\"document.title='pwned'\">\n\n- first\n- second\n\nSee [the docs](https://example.com/docs)."));

        await chat.SendAsync("Save the page, please");

        await chat.WaitForRunAsync("completed");
        await panel.WaitForRemoteAsync("document.getElementById('out').textContent", "saved");
        await Expect(chat.Role("user").Locator(".user-bubble")).ToHaveTextAsync("Save the page, please");
        await Expect(chat.Role("user").GetByTestId("chat-author")).ToHaveTextAsync(TestIdentity.AdminUserName);
        var answers = chat.Role("assistant");
        await Expect(answers).ToHaveCountAsync(2);
        await Expect(answers.First).ToHaveTextAsync("Let me save that for you.");
        await Expect(answers.First.Locator("strong")).ToHaveTextAsync("save");
        // Shown in pieces before it was complete: the DOM held a streaming message with only part of an answer.
        var finals = await answers.AllTextContentsAsync();
        var streamed = await chat.StreamedTextsAsync();
        Assert.Contains(streamed, text => !finals.Contains(text.Trim()));

        // Markdown: code, a list, a link to a new tab; the model's HTML stays text.
        var last = answers.Last;
        await Expect(last.Locator("code")).ToHaveTextAsync("saved");
        await Expect(last.Locator("li")).ToHaveTextAsync(["first", "second"]);
        var link = last.Locator("a");
        await Expect(link).ToHaveAttributeAsync("href", "https://example.com/docs");
        await Expect(link).ToHaveAttributeAsync("target", "_blank");
        await Expect(link).ToHaveAttributeAsync("rel", new System.Text.RegularExpressions.Regex("noopener"));
        await Expect(last).ToContainTextAsync("<b>not bold</b>");
        await Expect(last.Locator("b, img")).ToHaveCountAsync(0);
        Assert.Equal("Controls", await panel.RemoteAsync("document.title"));

        // The step: a card with the tool, done, with a thumbnail of the tab that loads; expanded, its arguments.
        var step = chat.Step("click");
        await Expect(step).ToHaveAttributeAsync("data-status", "ok");
        await Expect(step.GetByTestId("agent-step-tool")).ToHaveTextAsync("click");
        await Expect(step.GetByTestId("agent-step-duration")).ToBeVisibleAsync();
        await ChatPage.WaitForImageAsync(step.GetByTestId("agent-step-thumbnail"));
        await step.GetByTestId("agent-step-toggle").ClickAsync();
        await Expect(step.GetByTestId("agent-step-arguments")).ToContainTextAsync("\"description\": \"Save button\"");
        await Expect(step.GetByTestId("agent-step-details")).ToContainTextAsync("button \"Save\"");

        // Idle again: Send is back, the panel's input is the user's.
        await Expect(chat.Send).ToBeVisibleAsync();
        await Screenshots.SaveAsync(panel.Page, "chat");
        await Expect(chat.BrowserPanel).ToHaveAttributeAsync("data-control", "user");
        Assert.Equal(2, Model.Requests.Count);
        Assert.Equal("Save the page, please", Model.Requests[0].LastUserMessage);
    }

    [Fact]
    public async Task SensitiveStep_ShowsAnApprovalWithItsTargetOutlined_ApproveContinues_DenyEndsTheStepDenied_SecretsNeverShow()
    {
        const string secret = "Pa55-word-in-the-vault!";
        var login = AgentPages.Login(Pages, "/chat/login", secret);
        await using var panel = await PanelPage.OpenAsync(_web, _chromium, login);
        var chat = new ChatPage(panel);

        // A secret, by name; the value leaves the form at once.
        await chat.AddSecretAsync("site_password", secret);
        Assert.Null(await chat.FindInDomAsync(secret));

        Model.Plan(
            Call("fill_form", new { fields = new Dictionary<string, string> { ["Username"] = "alice", ["Password"] = "{{secret:site_password}}" } },
                text: "Filling in the form."),
            Call("click", new { description = "Log in button" }),
            Say("You are signed in as alice."));
        await chat.SendAsync("Sign in as alice with my stored password.");

        // The click submits a password form: it waits, and its button is outlined over the live view.
        var approval = chat.Approvals;
        await Expect(approval).ToHaveAttributeAsync("data-kind", "password_submit");
        await Screenshots.SaveAsync(panel.Page, "chat-approval");
        await Expect(approval.GetByTestId("approval-target")).ToContainTextAsync("Log in");
        await Expect(chat.Step("click")).ToHaveAttributeAsync("data-status", "waiting_for_approval");
        await Expect(chat.Highlight).ToBeVisibleAsync();
        var pending = (await _web.Http.GetFromJsonAsync<ApprovalDto[]>($"/api/sessions/{panel.SessionId}/approvals"))!.Single();
        var element = pending.Element!;
        // Where the page has the button, mapped onto the canvas as drawn, against where the outline is (one reading).
        string? seen = null;
        await PanelPage.WaitForAsync(async () =>
        {
            seen = await chat.Highlight.EvaluateAsync<string>("""
                (h, [x, y, w, ht]) => {
                  const c = document.querySelector('[data-testid="browser-canvas"]');
                  const r = c.getBoundingClientRect();
                  const [dx, dy, dw, dh] = c.dataset.drawRect.split(',').map(Number);
                  const [vw, vh] = c.dataset.pageViewport.split('x').map(Number);
                  const want = [r.left + dx + x * dw / vw, r.top + dy + y * dh / vh, w * dw / vw, ht * dh / vh];
                  const b = h.getBoundingClientRect();
                  const got = [b.left, b.top, b.width, b.height];
                  return got.every((v, i) => Math.abs(v - want[i]) < 1.5) ? 'ok' : `outline ${got.join(',')}, element ${want.join(',')}`;
                }
                """, new[] { element.X, element.Y, element.Width, element.Height });
            return seen == "ok";
        }, "the outline to cover the button on the canvas", () => seen ?? "");
        await Expect(chat.Highlight).ToHaveAttributeAsync("data-tab-id", element.TabId);

        await approval.GetByTestId("approve").ClickAsync();

        await chat.WaitForRunAsync("completed");
        await panel.WaitForRemoteAsync("document.title", "Welcome");
        await Expect(chat.Highlight).ToHaveCountAsync(0);
        await Expect(chat.Approvals).ToHaveCountAsync(0);
        await Expect(chat.Step("click")).ToHaveAttributeAsync("data-status", "ok");
        await Expect(chat.Role("assistant").Last).ToHaveTextAsync("You are signed in as alice.");
        var fill = chat.Step("fill_form");
        await fill.GetByTestId("agent-step-toggle").ClickAsync();
        await Expect(fill.GetByTestId("agent-step-arguments")).ToContainTextAsync("{{secret:site_password}}");

        // A second run: a script, denied.
        Model.Plan(Call("execute_script", new { script = "document.title = 'defaced'" }), Say("Understood, I left the page alone."));
        await chat.SendAsync("Change the page's title.");
        await Expect(chat.Approvals).ToHaveAttributeAsync("data-kind", "execute_script");
        await Expect(chat.Highlight).ToHaveCountAsync(0); // A script targets no element.
        await chat.Approvals.GetByTestId("deny").ClickAsync();

        await chat.WaitForRunAsync("completed");
        await Expect(chat.Step("execute_script")).ToHaveAttributeAsync("data-status", "denied");
        await Expect(chat.Role("assistant").Last).ToHaveTextAsync("Understood, I left the page alone.");
        Assert.Equal("Welcome", await panel.RemoteAsync("document.title"));
        Assert.Contains("denied", Model.Requests[^1].LastToolResult, StringComparison.Ordinal);

        // The value never reached this page; the name goes when removed.
        Assert.Null(await chat.FindInDomAsync(secret));
        if (await panel.Page.GetByTestId("secrets-panel").CountAsync() == 0)
        {
            await panel.Page.GetByTestId("secrets-toggle").ClickAsync();
        }

        await panel.Page.GetByTestId("secret-remove").ClickAsync();
        await Expect(panel.Page.GetByTestId("secret")).ToHaveCountAsync(0);
        Assert.Empty((await _web.Http.GetFromJsonAsync<SecretDto[]>($"/api/sessions/{panel.SessionId}/secrets"))!);
    }

    [Fact]
    public async Task Stop_CancelsARunWaitingOnASlowModel()
    {
        await using var panel = await PanelPage.OpenAsync(_web, _chromium, Pages.Page("/chat/stop", AgentPages.ControlsHtml));
        var chat = new ChatPage(panel);
        Model.Plan(HangUp());

        await chat.SendAsync("Think about it for a long time.");
        var hanging = await Model.WaitForRequestAsync(1);
        await Expect(chat.Send).ToHaveCountAsync(0);
        await Expect(chat.Page.GetByTestId("agent-thinking")).ToBeVisibleAsync();
        await chat.Stop.ClickAsync();

        await chat.WaitForRunAsync("cancelled");
        await hanging.Aborted.WaitAsync(TimeSpan.FromSeconds(60));
        await Expect(chat.Role("notice").Last).ToHaveTextAsync("Cancelled.");
        await Expect(chat.Stop).ToHaveCountAsync(0);
        await Expect(chat.BrowserPanel).ToHaveAttributeAsync("data-control", "user");
        await chat.Input.FillAsync("Another message");
        await Expect(chat.Send).ToBeEnabledAsync();
    }

    [Fact]
    public async Task TakeControl_PausesTheRun_ThePanelIsTheUsers_AndGiveBackResumesIt()
    {
        await using var panel = await PanelPage.OpenAsync(_web, _chromium, Pages.Page("/chat/take", AgentPages.ControlsHtml));
        var chat = new ChatPage(panel);
        Model.Plan(Call("wait_for", new { ms = 60_000 }), Call("snapshot"), Say("Back to work."));

        await chat.SendAsync("Wait a minute, then look at the page.");

        // The agent acts: the panel says so and holds the user's input back.
        await Expect(chat.Step("wait_for")).ToHaveAttributeAsync("data-status", "running");
        await Expect(chat.BrowserPanel).ToHaveAttributeAsync("data-control", "agent");
        await Expect(chat.Page.GetByTestId("control-banner")).ToContainTextAsync("The agent is in control");
        await Expect(panel.Canvas).ToHaveAttributeAsync("data-input", "paused");

        await chat.Page.GetByTestId("take-control").ClickAsync();

        // Paused: the step is interrupted, control is the user's, and a click on the canvas reaches the page.
        await Expect(chat.BrowserPanel).ToHaveAttributeAsync("data-control", "user");
        await Expect(chat.Root).ToHaveAttributeAsync("data-run-state", "paused");
        await Expect(chat.Step("wait_for")).ToHaveAttributeAsync("data-status", "interrupted");
        await Expect(chat.Page.GetByTestId("control-banner")).ToContainTextAsync("You have control");
        await Expect(panel.Canvas).ToHaveAttributeAsync("data-input", "live");
        await ClickRemoteButtonAsync(panel, "Save");
        await panel.WaitForRemoteAsync("document.getElementById('out').textContent", "saved");
        await Model.WaitForRequestAsync(2);

        await chat.Page.GetByTestId("give-back").ClickAsync();

        await chat.WaitForRunAsync("completed");
        await Expect(chat.Role("assistant").Last).ToHaveTextAsync("Back to work.");
        await Expect(chat.Step("snapshot")).ToHaveAttributeAsync("data-status", "ok");
        await Expect(chat.Page.GetByTestId("control-banner")).ToHaveCountAsync(0);
        Assert.Contains("interrupted", Model.Requests[1].LastToolResult, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskUser_ShowsTheQuestion_LeavesThePanelToTheUser_AndImDoneResumes()
    {
        const string question = "Please press Save yourself, then tell me.";
        await using var panel = await PanelPage.OpenAsync(_web, _chromium, Pages.Page("/chat/ask", AgentPages.ControlsHtml));
        var chat = new ChatPage(panel);
        Model.Plan(Call("ask_user", new { question }), Call("snapshot"), Say("Thanks, I see it saved."));

        await chat.SendAsync("Save the page, but let me do the clicking.");

        await Expect(chat.Page.GetByTestId("ask-user-question")).ToHaveTextAsync(question);
        await Expect(chat.Step("ask_user")).ToHaveAttributeAsync("data-status", "waiting_for_user");
        await Expect(chat.BrowserPanel).ToHaveAttributeAsync("data-control", "user");
        await Expect(panel.Canvas).ToHaveAttributeAsync("data-input", "live");
        await ClickRemoteButtonAsync(panel, "Save");
        await panel.WaitForRemoteAsync("document.getElementById('out').textContent", "saved");
        await chat.Page.GetByTestId("resume-note").FillAsync("pressed it");
        await chat.Page.GetByTestId("resume").ClickAsync();

        await chat.WaitForRunAsync("completed");
        await Expect(chat.Page.GetByTestId("ask-user")).ToHaveCountAsync(0);
        await Expect(chat.Role("assistant").Last).ToHaveTextAsync("Thanks, I see it saved.");
        await Expect(chat.Step("ask_user")).ToHaveAttributeAsync("data-status", "ok");
        Assert.Contains("pressed it", Model.Requests[1].LastToolResult, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentEvents_ReachTheChat_WithoutThePanelsLiveViewConnection()
    {
        // The viewer cannot reach the live view hub at all: the panel never connects, yet the chat follows the run,
        // because the agent's events come to the chat through the web app's server.
        using var created = await _web.Http.PostAsJsonAsync("/api/sessions", new { url = Pages.Page("/chat/no-hub", AgentPages.ControlsHtml).ToString() });
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        var page = await _chromium.NewSignedInPageAsync(_web.BaseAddress, 1440, 900);
        await page.RouteAsync("**/hubs/**", route => route.AbortAsync());
        await page.GotoAsync(_web.Url($"/sessions/{session.Id}"));
        await Expect(page.GetByTestId("initializing")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("chat-model")).ToContainTextAsync("scripted");
        Model.Plan(Call("click", new { description = "Save button" }), Say("Saved it."));

        await page.GetByTestId("chat-input").FillAsync("Save the page, please");
        await page.GetByTestId("chat-send").ClickAsync();

        var root = page.GetByTestId("chat-panel");
        await Expect(root).ToHaveAttributeAsync("data-run-state", "completed", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid='agent-step'][data-tool='click']")).ToHaveAttributeAsync("data-status", "ok");
        await Expect(page.Locator("[data-testid='chat-message'][data-role='assistant']").Last).ToHaveTextAsync("Saved it.");
        Assert.Equal("saved", await _web.Sessions.Find(session.Id)!.ActiveTab.Page.EvaluateAsync<string>("document.getElementById('out').textContent"));
        await Expect(page.GetByTestId("initializing")).ToBeVisibleAsync(); // Still no live view.
        await page.Context.CloseAsync();
        await _web.Sessions.CloseAsync(session.Id, "test done");
    }

    /// <summary>Clicks a button of the remote page through the canvas, where the page really has it.</summary>
    private static async Task ClickRemoteButtonAsync(PanelPage panel, string name)
    {
        var box = await panel.Session.ActiveTab.Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true }).BoundingBoxAsync();
        Assert.NotNull(box);
        await panel.ClickRemoteAsync(box.X + (box.Width / 2), box.Y + (box.Height / 2));
    }
}
