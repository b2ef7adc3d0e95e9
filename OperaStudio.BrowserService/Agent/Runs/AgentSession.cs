using Microsoft.SemanticKernel;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Runs;

/// <summary>
/// The agent's side of one browser session: the chat transcript, the current run, who holds control, the secrets,
/// the approvals waiting, the step log, the tools and (from the first run on) the Semantic Kernel kernel. Every
/// change is published as a session event, which the live view forwards to the panel.
/// </summary>
public sealed class AgentSession : IDisposable
{
    public const string UserHolder = "user";
    public const string AgentHolder = "agent";

    private const int MaxMessages = 500;

    private readonly Lock _gate = new();
    private readonly List<AgentMessageDto> _messages = [];
    private readonly TimeProvider _time;
    private AgentRun? _run;
    private ControlDto _control = new(UserHolder, null, "No run is active.", null);
    private volatile bool _clientsHeld;
    private int _connectedClients;

    internal AgentSession(BrowserSession browser, Func<AgentSession, BrowserTools> tools, TimeProvider time)
    {
        _time = time;
        Browser = browser;
        Approvals = new ApprovalGate(browser.Id, browser.Publish, time);
        Steps = new StepLog(browser.Id, browser.Publish, time);
        Tools = tools(this);
    }

    public BrowserSession Browser { get; }

    public SecretVault Vault { get; } = new();

    public ApprovalGate Approvals { get; }

    public StepLog Steps { get; }

    public BrowserTools Tools { get; }

    /// <summary>The session's kernel: built on the first run, kept for the session's life.</summary>
    internal Kernel? Kernel { get; set; }

    /// <summary>The latest run, active or finished.</summary>
    public AgentRun? CurrentRun
    {
        get
        {
            lock (_gate)
            {
                return _run;
            }
        }
    }

    public AgentRun? ActiveRun => CurrentRun is { IsFinished: false } run ? run : null;

    public ControlDto Control
    {
        get
        {
            lock (_gate)
            {
                return _control;
            }
        }
    }

    /// <summary>
    /// A person took control in the panel: scripts driving the page from outside (the CDP endpoint) are held until
    /// control is given back, as a run is. Unlike a run's pause this holds with no run active.
    /// </summary>
    public bool ClientsHeld => _clientsHeld;

    /// <summary>While true, the panel's input is refused.</summary>
    public bool AgentHoldsControl => Control.Holder == AgentHolder;

    public IReadOnlyList<AgentMessageDto> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    public AgentStateDto ToDto(AgentModelDto model) => new(
        Browser.Id, model, Control, CurrentRun?.ToDto(), Messages, Steps.Recent(100), Approvals.PendingApprovals, Vault.Names);

    /// <remarks><paramref name="author"/>: who wrote a user message (a shared session's chat has several people).</remarks>
    internal AgentMessageDto AddMessage(string role, string text, string? runId, string? id = null, string? author = null)
    {
        var message = new AgentMessageDto(id ?? Ids.New(10), runId, role, text, _time.GetUtcNow(), author);
        lock (_gate)
        {
            _messages.Add(message);
            if (_messages.Count > MaxMessages)
            {
                _messages.RemoveRange(0, _messages.Count - MaxMessages);
            }
        }

        Browser.Publish(new AgentMessageAdded(Browser.Id, message));
        return message;
    }

    /// <summary>A new run, with control going to the agent; null while another run is active.</summary>
    internal AgentRun? TryBeginRun(int maxSteps)
    {
        AgentRun run;
        lock (_gate)
        {
            if (_run is { IsFinished: false })
            {
                return null;
            }

            _run?.Dispose();
            run = new AgentRun(Ids.New(10), maxSteps, _time.GetUtcNow());
            _run = run;
        }

        Browser.Publish(new AgentRunChanged(Browser.Id, run.ToDto()));
        SetControl(AgentHolder, run.Id, "The agent is working.", null);
        return run;
    }

    internal void SetRunState(AgentRun? run, string state)
    {
        if (run is not null && run.SetState(state))
        {
            Browser.Publish(new AgentRunChanged(Browser.Id, run.ToDto()));
        }
    }

    /// <summary>Outside clients (CDP connections) driving the page now.</summary>
    public int ConnectedClients => Volatile.Read(ref _connectedClients);

    /// <summary>Holds (or lets go) the session's outside clients; true when that let go of any connected now.</summary>
    internal bool HoldClients(bool held)
    {
        var was = _clientsHeld;
        _clientsHeld = held;
        return was && !held && ConnectedClients > 0;
    }

    /// <summary>Counts an outside client while it is connected (disposing the result uncounts it).</summary>
    internal IDisposable ClientConnected()
    {
        Interlocked.Increment(ref _connectedClients);
        return new Uncount(this);
    }

    /// <summary>The user takes control: the run pauses (its current step is interrupted) until control is given back.</summary>
    internal bool TakeControl()
    {
        if (ActiveRun is not { } run || !run.Pause())
        {
            return false;
        }

        Browser.Publish(new AgentRunChanged(Browser.Id, run.ToDto()));
        SetControl(UserHolder, run.Id, "You took control; the agent waits until you give it back.", null);
        return true;
    }

    /// <summary>Control goes back to the agent: after taking over, or when the user is done with what ask_user asked.</summary>
    internal bool GiveBack(string? note)
    {
        if (ActiveRun is not { } run || !run.Resume(note))
        {
            return false;
        }

        Browser.Publish(new AgentRunChanged(Browser.Id, run.ToDto()));
        SetControl(AgentHolder, run.Id, "The agent is working.", null);
        return true;
    }

    /// <summary>ask_user: hands control to the user and waits until they say done (or the run ends).</summary>
    internal async Task<string?> HandToUserAsync(AgentRun run, string question, CancellationToken cancellationToken)
    {
        var turn = run.HandToUser(question);
        Browser.Publish(new AgentRunChanged(Browser.Id, run.ToDto()));
        SetControl(UserHolder, run.Id, "The agent asks you to act, then to say done.", question);
        return await turn.WaitAsync(cancellationToken);
    }

    internal void FinishRun(AgentRun run, string state, string message)
    {
        if (!run.Finish(state, message, _time.GetUtcNow()))
        {
            return;
        }

        Browser.Publish(new AgentRunFinished(Browser.Id, run.ToDto()));
        SetControl(UserHolder, null, "No run is active.", null);
    }

    private void SetControl(string holder, string? runId, string reason, string? question)
    {
        var control = new ControlDto(holder, runId, reason, question);
        lock (_gate)
        {
            if (_control == control)
            {
                return;
            }

            _control = control;
        }

        Browser.Publish(new ControlChanged(Browser.Id, control));
    }

    public void Dispose()
    {
        if (ActiveRun is { } run)
        {
            run.Cancel();
        }
    }

    private sealed class Uncount(AgentSession session) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref session._connectedClients);
            }
        }
    }
}
