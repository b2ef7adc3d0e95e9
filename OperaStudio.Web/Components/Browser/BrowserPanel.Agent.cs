using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Components.Chat;

namespace OperaStudio.Web.Components.Browser;

// The panel's share of the agent. Its JS module owns the page's one hub connection, so the agent's events arrive
// here and go on to the session page's AgentChatState, which the chat panel renders. Back the other way, the state
// tells the module who holds control (input pauses while the agent acts) and which element to outline on the live
// view while a step waits for approval.
public sealed partial class BrowserPanel
{
    private AgentChatState? _agentSubscribed;
    private string? _pushedHolder;
    private string? _pushedHighlight;

    /// <summary>The agent's state for this session (shared with the chat panel); null shows no agent features.</summary>
    [Parameter]
    public AgentChatState? Agent { get; set; }

    private string ControlHolder => Agent?.Control.Holder ?? AgentChatState.UserHolder;

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(_agentSubscribed, Agent))
        {
            return;
        }

        UnsubscribeAgent();
        _agentSubscribed = Agent;
        if (Agent is not null)
        {
            Agent.ControlChanged += OnAgentControlChanged;
            Agent.HighlightChanged += OnAgentHighlightChanged;
        }
    }

    // ---- Hub events, forwarded by the JS module ---------------------------------------------------------------------

    [JSInvokable]
    public void OnAgentMessage(AgentMessageDto message) => Agent?.ApplyMessage(message);

    [JSInvokable]
    public void OnAgentTextDelta(AgentTextDeltaDto delta) => Agent?.ApplyTextDelta(delta);

    [JSInvokable]
    public void OnAgentStep(AgentStepDto step) => Agent?.ApplyStep(step);

    [JSInvokable]
    public void OnAgentRunChanged(AgentRunDto run) => Agent?.ApplyRun(run);

    [JSInvokable]
    public void OnAgentRunFinished(AgentRunDto run) => Agent?.ApplyRun(run);

    [JSInvokable]
    public void OnApprovalRequested(ApprovalDto approval) => Agent?.ApplyApprovalRequested(approval);

    [JSInvokable]
    public void OnApprovalResolved(ApprovalDto approval) => Agent?.ApplyApprovalResolved(approval);

    [JSInvokable]
    public void OnControlChanged(ControlDto control) => Agent?.ApplyControl(control);

    /// <summary>Joined (first time, after a reconnect, after a restore): events flow from here on, so read the snapshot.</summary>
    [JSInvokable]
    public Task OnJoined() => Agent?.LoadAsync() ?? Task.CompletedTask;

    // ---- State → panel and JS ---------------------------------------------------------------------------------------

    private void OnAgentControlChanged() => _ = InvokeAsync(async () =>
    {
        StateHasChanged();
        await PushAgentAsync();
    });

    private void OnAgentHighlightChanged() => _ = InvokeAsync(PushAgentAsync);

    /// <summary>Tells the module who holds control and what to outline, when either changed since it was last told.</summary>
    private async Task PushAgentAsync()
    {
        if (_live is null || _disposed || Agent is null)
        {
            return;
        }

        try
        {
            var holder = Agent.Control.Holder;
            if (holder != _pushedHolder)
            {
                _pushedHolder = holder;
                await _live.InvokeVoidAsync("setControl", holder);
            }

            var approval = Agent.Highlight;
            var key = approval is { Element: { } box } ? $"{approval.Id}:{box.TabId}:{box.X}:{box.Y}:{box.Width}:{box.Height}" : null;
            if (key != _pushedHighlight)
            {
                _pushedHighlight = key;
                await _live.InvokeVoidAsync("highlight", approval?.Element is { } element
                    ? new
                    {
                        tabId = element.TabId,
                        x = element.X,
                        y = element.Y,
                        width = element.Width,
                        height = element.Height,
                        label = $"Waiting for approval: {element.Name ?? element.Ref ?? approval.Tool}",
                    }
                    : null);
            }
        }
        catch (JSDisconnectedException)
        {
            // The page is gone.
        }
    }

    private async Task TakeControlAsync()
    {
        if (Agent is not null && await Agent.TakeControlAsync() is { } problem)
        {
            ShowProblem("Could not take control", problem);
        }
    }

    private async Task GiveBackAsync()
    {
        if (Agent is not null && await Agent.GiveBackAsync() is { } problem)
        {
            ShowProblem("Could not give control back", problem);
        }
    }

    private void UnsubscribeAgent()
    {
        if (_agentSubscribed is not null)
        {
            _agentSubscribed.ControlChanged -= OnAgentControlChanged;
            _agentSubscribed.HighlightChanged -= OnAgentHighlightChanged;
            _agentSubscribed = null;
        }
    }
}
