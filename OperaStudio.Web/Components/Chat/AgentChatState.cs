using System.Text;
using System.Text.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Chat;

/// <summary>
/// The agent as one session page sees it, shared by the two halves of the page: the chat panel, which renders this
/// state and sends the user's commands through the agent's REST API, and the browser panel, which pauses the user's
/// input while the agent acts and outlines what a pending approval targets. The agent's events arrive on the server
/// (<see cref="AgentEventFeed"/>, started by the chat panel). The session page creates one per session; every call
/// happens on the circuit's dispatcher, so there is no locking.
/// </summary>
/// <remarks>
/// Events change the state as they arrive. A snapshot (<c>GET /agent</c>, on open and each time the event stream is (re)joined) replaces
/// it, merged with what arrived while it was fetched: a step or run that finished stays finished, a decided approval
/// stays decided, messages are kept by id. Run and control changes carry no order, so when one arrives during a fetch
/// the snapshot is fetched once more.
/// </remarks>
public sealed class AgentChatState(string sessionId, BrowserServiceClient api)
{
    public const string UserHolder = "user";
    public const string AgentHolder = "agent";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly ControlDto NoRun = new(UserHolder, null, "No run is active.", null);

    private readonly List<AgentMessageDto> _messages = [];
    private readonly List<AgentStepDto> _steps = [];
    private readonly List<ApprovalDto> _pending = [];
    private readonly HashSet<string> _resolved = new(StringComparer.Ordinal);
    private readonly StringBuilder _stream = new();
    private List<string> _secretNames = [];
    private LoadWindow? _window;
    private bool _loading;
    private bool _reloadWanted;

    public string SessionId { get; } = sessionId;

    /// <summary>True once a snapshot arrived (the model's description comes only with one).</summary>
    public bool IsLoaded { get; private set; }

    /// <summary>Why the last snapshot could not be fetched; null when it could.</summary>
    public ApiProblem? LoadProblem { get; private set; }

    public AgentModelDto? Model { get; private set; }

    public ControlDto Control { get; private set; } = NoRun;

    /// <summary>The latest run, active or finished.</summary>
    public AgentRunDto? Run { get; private set; }

    /// <summary>The transcript in the order the service wrote it.</summary>
    public IReadOnlyList<AgentMessageDto> Messages => _messages;

    /// <summary>Recent steps by their index (run steps and the actions API's alike).</summary>
    public IReadOnlyList<AgentStepDto> Steps => _steps;

    public IReadOnlyList<ApprovalDto> PendingApprovals => _pending;

    public IReadOnlyList<string> SecretNames => _secretNames;

    /// <summary>The assistant message the model is streaming right now, or null.</summary>
    public string? StreamingMessageId { get; private set; }

    public string StreamingText => _stream.ToString();

    /// <summary>How many pieces of text the streaming message has received (a cheap change marker).</summary>
    public int StreamingVersion { get; private set; }

    public bool IsRunActive => Run is { FinishedAt: null };

    /// <summary>While true the agent acts: the panel's input is paused and the chat offers "Take control".</summary>
    public bool AgentHasControl => Control.Holder == AgentHolder;

    /// <summary>The user took control of an active run; it waits until they give it back.</summary>
    public bool IsPaused => IsRunActive && Control.Holder == UserHolder && Control.RunId is not null && Control.Question is null;

    /// <summary>What ask_user asks while the agent waits for the user to say done.</summary>
    public string? Question => IsRunActive && Control.Holder == UserHolder ? Control.Question : null;

    /// <summary>The pending approval whose target element the live view outlines (the oldest with an element).</summary>
    public ApprovalDto? Highlight => _pending.Find(a => a.Element is not null);

    /// <summary>
    /// Why this person can only watch the agent (a member of a shared session without control: the service refuses
    /// their messages, approvals and control changes); null when they may act. Set by the browser panel from presence.
    /// </summary>
    public string? WatchOnly { get; private set; }

    public void SetWatchOnly(string? reason)
    {
        if (reason != WatchOnly)
        {
            WatchOnly = reason;
            Changed?.Invoke();
        }
    }

    /// <summary>The transcript, steps, run, approvals, model or secrets changed: the chat re-renders.</summary>
    public event Action? Changed;

    /// <summary>More text for the streaming message: only the streaming message re-renders (throttled).</summary>
    public event Action? TextStreamed;

    /// <summary>Control moved, or a run started or ended: the panel updates its banner and pauses or resumes input.</summary>
    public event Action? ControlChanged;

    /// <summary>The element to outline on the live view changed.</summary>
    public event Action? HighlightChanged;

    // ---- Snapshot ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Fetches <c>GET /agent</c> and merges it in. A call while a fetch is under way makes that fetch run once more
    /// when it is done, rather than racing it.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        if (_loading)
        {
            _reloadWanted = true;
            return;
        }

        _loading = true;
        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                _reloadWanted = false;
                _window = new LoadWindow();
                var result = await api.GetAgentStateAsync(SessionId, cancellationToken);
                var window = _window;
                _window = null;
                if (result.Value is not { } state)
                {
                    LoadProblem = result.Problem;
                    Changed?.Invoke();
                    return;
                }

                LoadProblem = null;
                Merge(state, window);
                if (!_reloadWanted && !window.RunOrControlChanged)
                {
                    return;
                }
            }
        }
        finally
        {
            _loading = false;
            _window = null;
        }
    }

    private void Merge(AgentStateDto state, LoadWindow window)
    {
        var highlight = Highlight?.Id;
        var wasActive = IsRunActive;
        var control = Control;

        IsLoaded = true;
        Model = state.Model;
        _secretNames = [.. state.SecretNames.Order(StringComparer.Ordinal)];

        // Messages: the snapshot's transcript (a restored session starts afresh), plus any that arrived meanwhile.
        var messages = state.Messages.ToList();
        var ids = messages.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        messages.AddRange(window.Messages.Where(m => ids.Add(m.Id)));
        _messages.Clear();
        _messages.AddRange(messages.OrderBy(m => m.At));
        if (StreamingMessageId is { } streaming && ids.Contains(streaming))
        {
            ClearStream();
        }

        // Steps: finished ones stay finished, whichever side saw them first.
        var steps = state.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var step in window.Steps)
        {
            steps[step.Id] = steps.TryGetValue(step.Id, out var known) ? Newer(known, step) : step;
        }

        _steps.Clear();
        _steps.AddRange(steps.Values.OrderBy(s => s.Index));

        // Approvals: pending in the snapshot or requested meanwhile, unless decided.
        _pending.Clear();
        foreach (var approval in state.PendingApprovals.Concat(window.Approvals))
        {
            if (!_resolved.Contains(approval.Id) && _pending.TrueForAll(a => a.Id != approval.Id))
            {
                _pending.Add(approval);
            }
        }

        Run = (state.Run, Run) switch
        {
            ({ } snapshot, { } known) when known.Id == snapshot.Id => Newer(known, snapshot),
            (null, { } known) when window.Runs.Contains(known.Id) => known, // Started after the snapshot was taken.
            var (snapshot, _) => snapshot,
        };
        Control = state.Control;
        if (!IsRunActive)
        {
            ClearStream();
        }

        Changed?.Invoke();
        if (control != Control || wasActive != IsRunActive)
        {
            ControlChanged?.Invoke();
        }

        if (highlight != Highlight?.Id)
        {
            HighlightChanged?.Invoke();
        }
    }

    // ---- Events (from the browser service's event stream, see AgentEventFeed) ---------------------------------------

    /// <summary>
    /// Applies one event of <c>GET /agent/events</c> by its name (the live view hub's names); <c>Ready</c> reads a
    /// snapshot, since events flow from there on. False when the session ended for good: nothing more will come.
    /// </summary>
    public bool ApplyEvent(string name, string json)
    {
        switch (name)
        {
            case "Ready":
                _ = LoadAsync();
                break;
            case "AgentMessage":
                ApplyMessage(Read<AgentMessageDto>(json));
                break;
            case "AgentTextDelta":
                ApplyTextDelta(Read<AgentTextDeltaDto>(json));
                break;
            case "AgentStep":
                ApplyStep(Read<AgentStepDto>(json));
                break;
            case "AgentRunChanged" or "AgentRunFinished":
                ApplyRun(Read<AgentRunDto>(json));
                break;
            case "ApprovalRequested":
                ApplyApprovalRequested(Read<ApprovalDto>(json));
                break;
            case "ApprovalResolved":
                ApplyApprovalResolved(Read<ApprovalDto>(json));
                break;
            case "ControlChanged":
                ApplyControl(Read<ControlDto>(json));
                break;
            case "SessionEnded":
                return Read<SessionEndedEvent>(json).Restorable;
        }

        return true;
    }

    private static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException($"An empty {typeof(T).Name} in the agent's event stream.");

    private sealed record SessionEndedEvent(string? Reason, bool Restorable);

    // ---- One event each --------------------------------------------------------------------------------------------------

    public void ApplyMessage(AgentMessageDto message)
    {
        _window?.Messages.Add(message);
        var index = _messages.FindIndex(m => m.Id == message.Id);
        if (index >= 0)
        {
            _messages[index] = message;
        }
        else
        {
            _messages.Add(message);
        }

        if (message.Id == StreamingMessageId)
        {
            ClearStream();
        }

        Changed?.Invoke();
    }

    public void ApplyTextDelta(AgentTextDeltaDto delta)
    {
        if (string.IsNullOrEmpty(delta.Delta) || _messages.Exists(m => m.Id == delta.MessageId))
        {
            return; // Already complete (the snapshot overtook the stream).
        }

        if (StreamingMessageId != delta.MessageId)
        {
            _stream.Clear();
            _stream.Append(delta.Delta);
            StreamingMessageId = delta.MessageId;
            StreamingVersion = 1;
            Changed?.Invoke(); // A new message in the transcript: the one structural change of a stream.
            return;
        }

        _stream.Append(delta.Delta);
        StreamingVersion++;
        TextStreamed?.Invoke();
    }

    public void ApplyStep(AgentStepDto step)
    {
        _window?.Steps.Add(step);
        var index = _steps.FindIndex(s => s.Id == step.Id);
        if (index >= 0)
        {
            _steps[index] = Newer(_steps[index], step);
        }
        else
        {
            var at = _steps.FindIndex(s => s.Index > step.Index);
            _steps.Insert(at < 0 ? _steps.Count : at, step);
            if (_steps.Count > 300)
            {
                _steps.RemoveAt(0);
            }
        }

        Changed?.Invoke();
    }

    public void ApplyRun(AgentRunDto run)
    {
        if (_window is { } window)
        {
            window.RunOrControlChanged = true;
            window.Runs.Add(run.Id);
        }

        var wasActive = IsRunActive;
        Run = Run is { } known && known.Id == run.Id ? Newer(known, run) : run;
        if (!IsRunActive)
        {
            ClearStream();
        }

        Changed?.Invoke();
        if (wasActive != IsRunActive)
        {
            ControlChanged?.Invoke();
        }
    }

    public void ApplyApprovalRequested(ApprovalDto approval)
    {
        _window?.Approvals.Add(approval);
        if (_resolved.Contains(approval.Id) || _pending.Exists(a => a.Id == approval.Id))
        {
            return;
        }

        var highlight = Highlight?.Id;
        _pending.Add(approval);
        Changed?.Invoke();
        if (highlight != Highlight?.Id)
        {
            HighlightChanged?.Invoke();
        }
    }

    public void ApplyApprovalResolved(ApprovalDto approval) => Resolve(approval.Id);

    private void Resolve(string approvalId)
    {
        _resolved.Add(approvalId);
        var highlight = Highlight?.Id;
        if (_pending.RemoveAll(a => a.Id == approvalId) == 0)
        {
            return;
        }

        Changed?.Invoke();
        if (highlight != Highlight?.Id)
        {
            HighlightChanged?.Invoke();
        }
    }

    public void ApplyControl(ControlDto control)
    {
        if (_window is { } window)
        {
            window.RunOrControlChanged = true;
        }

        if (control == Control)
        {
            return;
        }

        Control = control;
        Changed?.Invoke();
        ControlChanged?.Invoke();
    }

    // ---- Commands (the user's) ----------------------------------------------------------------------------------------

    /// <summary>Sends a chat message (starts a run); null when it was accepted, else the problem.</summary>
    public async Task<ApiProblem?> SendAsync(string text)
    {
        var result = await api.SendAgentMessageAsync(SessionId, text);
        if (result.Value is { } run)
        {
            ApplyRun(run);
        }

        return result.Problem;
    }

    public async Task<ApiProblem?> CancelAsync()
    {
        if (Run is not { FinishedAt: null } run)
        {
            return null;
        }

        var result = await api.CancelRunAsync(SessionId, run.Id);
        return result.Problem is { Status: 409 } ? null : result.Problem; // 409: it ended meanwhile.
    }

    public Task<ApiProblem?> TakeControlAsync() => SetControlAsync(UserHolder);

    public Task<ApiProblem?> GiveBackAsync() => SetControlAsync(AgentHolder);

    /// <summary>"I'm done" for ask_user; <paramref name="note"/> reaches the model.</summary>
    public async Task<ApiProblem?> ResumeAsync(string? note)
    {
        var result = await api.ResumeAgentAsync(SessionId, string.IsNullOrWhiteSpace(note) ? null : note.Trim());
        if (result.Value is { } control)
        {
            ApplyControl(control);
        }

        return result.Problem;
    }

    public async Task<ApiProblem?> DecideAsync(string approvalId, bool approve)
    {
        var result = await api.DecideApprovalAsync(SessionId, approvalId, approve);
        if (result.IsSuccess || result.Problem is { IsNotFound: true })
        {
            // 404: decided elsewhere, expired, or its run ended; no longer pending either way.
            Resolve(approvalId);
        }

        return result.Problem;
    }

    /// <summary>Stores a secret; the value goes to the service and is never kept or shown here.</summary>
    public async Task<ApiProblem?> AddSecretAsync(string name, string value, IReadOnlyList<string> origins)
    {
        var result = await api.PutSecretAsync(SessionId, name, value, origins);
        if (result.IsSuccess && !_secretNames.Contains(name, StringComparer.Ordinal))
        {
            _secretNames = [.. _secretNames.Append(name).Order(StringComparer.Ordinal)];
            Changed?.Invoke();
        }

        return result.Problem;
    }

    /// <summary>The site of the session's active tab (where a new secret most likely belongs), or null.</summary>
    public async Task<string?> ActiveSiteAsync()
    {
        var session = await api.GetSessionAsync(SessionId);
        var tab = session.Value?.Tabs.FirstOrDefault(t => t.Id == session.Value.ActiveTabId);
        return tab is not null && Uri.TryCreate(tab.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            && !url.Host.EndsWith(".operastudio.invalid", StringComparison.OrdinalIgnoreCase)
            ? url.GetLeftPart(UriPartial.Authority)
            : null;
    }

    public async Task<ApiProblem?> RemoveSecretAsync(string name)
    {
        var result = await api.DeleteSecretAsync(SessionId, name);
        if (result.IsSuccess || result.Problem is { IsNotFound: true })
        {
            _secretNames = [.. _secretNames.Where(n => n != name)];
            Changed?.Invoke();
            return null;
        }

        return result.Problem;
    }

    private async Task<ApiProblem?> SetControlAsync(string holder)
    {
        var result = await api.SetControlAsync(SessionId, holder);
        if (result.Value is { } control)
        {
            ApplyControl(control);
        }

        return result.Problem;
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    private void ClearStream()
    {
        _stream.Clear();
        StreamingMessageId = null;
        StreamingVersion = 0;
    }

    /// <summary>Of two sightings of a step, the later one; a finished step never goes back to running.</summary>
    private static AgentStepDto Newer(AgentStepDto known, AgentStepDto seen) =>
        known.FinishedAt is not null && seen.FinishedAt is null ? known : seen;

    private static AgentRunDto Newer(AgentRunDto known, AgentRunDto seen) =>
        known.FinishedAt is not null && seen.FinishedAt is null ? known : seen;

    /// <summary>What arrived while a snapshot was being fetched.</summary>
    private sealed class LoadWindow
    {
        public List<AgentMessageDto> Messages { get; } = [];

        public List<AgentStepDto> Steps { get; } = [];

        public List<ApprovalDto> Approvals { get; } = [];

        public HashSet<string> Runs { get; } = new(StringComparer.Ordinal);

        public bool RunOrControlChanged { get; set; }
    }
}
