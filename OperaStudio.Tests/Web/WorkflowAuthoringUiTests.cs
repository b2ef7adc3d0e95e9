using System.Text.RegularExpressions;
using OperaStudio.Tests.Agent;
using OperaStudio.Tests.Chat;
using OperaStudio.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OperaStudio.Tests.Web;

/// <summary>
/// Making a workflow from what was already done (issue 13): "Save as workflow" under a finished agent run in the chat
/// (the scripted model drives the run) and "Make workflow" in the recording player, each opening the editor on a
/// workflow whose steps name elements by description.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class WorkflowAuthoringUiTests : IClassFixture<AgentWebAppFixture>, IDisposable
{
    private readonly AgentWebAppFixture _web;
    private readonly ChromiumFixture _chromium;

    public WorkflowAuthoringUiTests(AgentWebAppFixture web, ChromiumFixture chromium)
    {
        _web = web;
        _chromium = chromium;
        web.Service.Model.Reset();
    }

    private ScriptedModelServer Model => _web.Service.Model;

    public void Dispose() => Assert.Equal(0, Model.Unplanned);

    [Fact]
    public async Task FinishedChatRun_SavesAsWorkflow_AndTheRecordingOfItMakesOneToo()
    {
        await using var panel = await PanelPage.OpenAsync(_web, _chromium, _web.Service.Pages.Page("/wf-ui/authoring/controls", AgentPages.ControlsHtml));
        var chat = new ChatPage(panel);
        var toggle = panel.Page.GetByTestId("record-toggle");
        await toggle.ClickAsync();
        var indicator = panel.Page.GetByTestId("recording-indicator");
        await Expect(indicator).ToBeVisibleAsync();
        var recordingId = (await indicator.GetAttributeAsync("data-recording-id"))!;
        // No finished run yet: nothing to save.
        await Expect(panel.Page.GetByTestId("chat-save-workflow")).ToHaveCountAsync(0);

        Model.Plan(ScriptedReply.Call("click", new { description = "Save button" }), ScriptedReply.Say("Saved."));
        await chat.SendAsync("Press save");
        await chat.WaitForRunAsync("completed");
        await panel.WaitForRemoteAsync("document.getElementById('out').textContent", "saved");
        await toggle.ClickAsync();
        await Expect(indicator).ToHaveCountAsync(0);

        await panel.Page.GetByTestId("chat-save-workflow").ClickAsync();

        await Expect(panel.Page).ToHaveURLAsync(new Regex(@"/workflows/(?!new)[^/?]+$"));
        await Expect(panel.Page.GetByTestId("workflow-editor")).ToHaveAttributeAsync("data-interactive", "true");
        var click = panel.Page.Locator("[data-testid=workflow-step][data-action=click]");
        await Expect(click).ToHaveCountAsync(1);
        await click.GetByTestId("workflow-step-toggle").ClickAsync();
        await Expect(click.Locator("[data-field=description]")).ToHaveValueAsync(new Regex("Save", RegexOptions.IgnoreCase));
        await Expect(click.Locator("[data-field=ref]")).ToHaveValueAsync("");
        var fromChat = panel.Page.Url;

        await panel.Page.GotoAsync(_web.Url($"/recordings/{recordingId}"));
        await Expect(panel.Page.GetByTestId("player-page")).ToHaveAttributeAsync("data-interactive", "true");
        await panel.Page.GetByTestId("recording-make-workflow").ClickAsync();

        await Expect(panel.Page).ToHaveURLAsync(new Regex(@"/workflows/(?!new)[^/?]+$"));
        Assert.NotEqual(fromChat, panel.Page.Url);
        await Expect(panel.Page.GetByTestId("workflow-editor")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(panel.Page.Locator("[data-testid=workflow-step][data-action=click]")).Not.ToHaveCountAsync(0);
    }
}
