using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Chat;

/// <summary>
/// The chat column. Re-renders on the state's structural changes only (a message, a step, the run, an approval,
/// control); streamed text re-renders <see cref="StreamingMessage"/> alone. Its JS module keeps the transcript
/// scrolled to the end while the user is there, sends on Enter, and lets the column be resized. It starts the
/// <see cref="AgentEventFeed"/> that brings the agent's events to the state while the chat is on the page.
/// </summary>
public sealed partial class ChatPanel : IAsyncDisposable
{
    private ElementReference _column;
    private ElementReference _transcript;
    private IJSObjectReference? _module;
    private IJSObjectReference? _handle;
    private AgentChatState? _subscribed;
    private AgentEventFeed? _feed;
    private bool _collapsed;
    private bool _open;
    private bool _disposed;

    [Inject]
    private IJSRuntime JS { get; set; } = null!;

    [Inject]
    private BrowserServiceClient Api { get; set; } = null!;

    /// <summary>The session page's agent state, shared with the browser panel.</summary>
    [Parameter, EditorRequired]
    public AgentChatState State { get; set; } = null!;

    private string ModelText => State.Model switch
    {
        null => State.IsLoaded ? "" : "Connecting…",
        { Configured: false } => "No model configured",
        var model => model.Model,
    };

    private string? ModelTitle => State.Model is { } model ? $"{model.Provider} · {model.Model}{(model.Endpoint is null ? "" : $" · {model.Endpoint}")}" : null;

    /// <summary>The run is working and nothing else shows it (no streaming text, no running step, no question).</summary>
    private bool IsThinking =>
        State.IsRunActive && State.AgentHasControl && State.PendingApprovals.Count == 0
        && !State.Steps.Any(s => s.RunId == State.Run?.Id && s.FinishedAt is null);

    /// <summary>What the collapsed chat's button shows: approvals waiting, or a question for the user.</summary>
    private string? Attention =>
        State.PendingApprovals.Count > 0 ? State.PendingApprovals.Count.ToString()
        : State.Question is not null ? "?"
        : null;

    protected override void OnParametersSet()
    {
        if (ReferenceEquals(_subscribed, State))
        {
            return;
        }

        Unsubscribe();
        _subscribed = State;
        State.Changed += OnStateChanged;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        // Interactive from here: the agent's events come to this circuit (one feed per chat, for its session).
        _feed = AgentEventFeed.Start(State, Api, InvokeAsync);
        try
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./Components/Chat/ChatPanel.razor.js");
            _handle = await _module.InvokeAsync<IJSObjectReference>("attach", _column, _transcript);
        }
        catch (JSDisconnectedException)
        {
            return;
        }

        if (!State.IsLoaded && !_disposed)
        {
            // The feed loads it too once subscribed; whichever comes first, the other refreshes it. This one says
            // at once when the agent cannot be reached.
            await State.LoadAsync();
        }
    }

    /// <summary>Messages and steps in the order they happened (steps by their start).</summary>
    private IEnumerable<TimelineItem> Timeline()
    {
        var items = new List<TimelineItem>(State.Messages.Count + State.Steps.Count);
        items.AddRange(State.Messages.Select(m => new TimelineItem(m.At, m, null)));
        items.AddRange(State.Steps.Select(s => new TimelineItem(s.StartedAt, null, s)));
        return items.OrderBy(i => i.At);
    }

    private void Collapse()
    {
        _collapsed = true;
        _open = false;
    }

    private void Expand()
    {
        _collapsed = false;
        _open = true;
    }

    private Task ReloadAsync() => State.LoadAsync();

    private void OnStateChanged() => _ = InvokeAsync(StateHasChanged);

    private void Unsubscribe()
    {
        if (_subscribed is not null)
        {
            _subscribed.Changed -= OnStateChanged;
            _subscribed = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        Unsubscribe();
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }

        try
        {
            if (_handle is not null)
            {
                await _handle.InvokeVoidAsync("dispose");
                await _handle.DisposeAsync();
            }

            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the page with it.
        }
    }

    private readonly record struct TimelineItem(DateTimeOffset At, AgentMessageDto? Message, AgentStepDto? Step);
}
