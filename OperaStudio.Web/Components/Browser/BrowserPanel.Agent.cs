using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using OperaStudio.Web.Components.Chat;

namespace OperaStudio.Web.Components.Browser;

// The panel's share of the agent: it follows the session page's AgentChatState (which receives the agent's events on
// the server, see AgentEventFeed) and tells its JS module who holds control (input pauses while the agent acts) and
// which element to outline on the live view while a step waits for approval. No agent event passes through here.
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
