using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Agent.Runs;

/// <summary>Run states as the contract spells them.</summary>
public static class RunStates
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string WaitingForUser = "waiting_for_user";
    public const string WaitingForApproval = "waiting_for_approval";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
    public const string StepLimit = "step_limit";
}

/// <summary>
/// One run: a chat message worked through by the model and its tools. Holds its cancellation, its page-content
/// nonce, its step count, and the gate that holds the next step while the user has control (taken over, or asked
/// for by ask_user). Taking control also interrupts the step in progress.
/// </summary>
public sealed class AgentRun : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _cancellation = new();
    private CancellationTokenSource _stepInterrupt = new();
    private TaskCompletionSource<string?>? _userTurn;
    private string _state = RunStates.Running;
    private int _steps;

    public AgentRun(string id, int maxSteps, DateTimeOffset startedAt)
    {
        Id = id;
        MaxSteps = maxSteps;
        StartedAt = startedAt;
    }

    public string Id { get; }

    public int MaxSteps { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public string? Message { get; private set; }

    /// <summary>A nonce new for this run: page content reaches the model inside markers only this run knows.</summary>
    public BoundaryMarkers Markers { get; } = new();

    public CancellationToken Token => _cancellation.Token;

    public string State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    public int Steps => Volatile.Read(ref _steps);

    public bool IsFinished => FinishedAt is not null;

    /// <summary>Cancelled when the user takes control: the step in progress stops, the run itself goes on (paused).</summary>
    public CancellationToken StepInterruptToken
    {
        get
        {
            lock (_gate)
            {
                return _stepInterrupt.Token;
            }
        }
    }

    /// <summary>Assistant text streamed since the last chat entry, and the id that entry will carry.</summary>
    internal System.Text.StringBuilder PendingText { get; } = new();

    internal string PendingMessageId { get; set; } = Sessions.Ids.New(10);

    /// <summary>The model asked for one step more than the limit allows; the run ends there.</summary>
    internal bool StepLimitHit { get; set; }

    /// <summary>The question ask_user is waiting on, if any.</summary>
    public string? Question { get; private set; }

    /// <summary>True when the step limit allows one more step (and counts it).</summary>
    public bool TryTakeStep() => Interlocked.Increment(ref _steps) <= MaxSteps;

    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already over.
        }
    }

    public AgentRunDto ToDto()
    {
        lock (_gate)
        {
            return new AgentRunDto(Id, _state, Math.Min(_steps, MaxSteps), MaxSteps, StartedAt, FinishedAt, Message);
        }
    }

    /// <summary>Sets a non-terminal state (running, waiting for approval); false when the state did not change.</summary>
    internal bool SetState(string state)
    {
        lock (_gate)
        {
            if (FinishedAt is not null || _state == state || (_state is RunStates.Paused or RunStates.WaitingForUser && state == RunStates.WaitingForApproval))
            {
                return false;
            }

            _state = state;
            return true;
        }
    }

    /// <summary>The user took control: interrupt the current step and hold the next until control is given back.</summary>
    internal bool Pause()
    {
        lock (_gate)
        {
            if (FinishedAt is not null || _state is RunStates.Paused or RunStates.WaitingForUser)
            {
                return false;
            }

            _state = RunStates.Paused;
            _userTurn ??= new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            // Steps in progress hold the old token; it is left to the collector rather than disposed under them.
            _stepInterrupt.Cancel();
            _stepInterrupt = new CancellationTokenSource();
            return true;
        }
    }

    /// <summary>ask_user: the user has control until they say done.</summary>
    internal Task<string?> HandToUser(string question)
    {
        lock (_gate)
        {
            _state = RunStates.WaitingForUser;
            Question = question;
            _userTurn ??= new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _userTurn.Task;
        }
    }

    /// <summary>Control comes back to the agent (after a pause or an ask_user); false when it was not waiting.</summary>
    internal bool Resume(string? note)
    {
        TaskCompletionSource<string?>? turn;
        lock (_gate)
        {
            if (FinishedAt is not null || _userTurn is null)
            {
                return false;
            }

            turn = _userTurn;
            _userTurn = null;
            _state = RunStates.Running;
            Question = null;
        }

        turn.TrySetResult(note);
        return true;
    }

    /// <summary>Waits while the user has control; returns at once when the agent has it.</summary>
    internal Task WaitForAgentTurnAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _userTurn is { } turn ? turn.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
        }
    }

    internal bool Finish(string state, string message, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (FinishedAt is not null)
            {
                return false;
            }

            _state = state;
            Message = message;
            FinishedAt = at;
            Question = null;
            _userTurn?.TrySetCanceled();
            _userTurn = null;
            return true;
        }
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        _stepInterrupt.Dispose();
    }
}

/// <summary>
/// Who asked for a tool step: a model run, a caller of the actions API, a workflow's step, or an MCP client
/// (<see cref="Client"/> is then the name it gave in its initialize request).
/// </summary>
public sealed record StepOrigin(string Source, AgentRun? Run, string? Client = null)
{
    public const string AgentSource = "agent";
    public const string ActionsSource = "actions";
    public const string WorkflowSource = "workflow";
    public const string McpSource = "mcp";

    public static readonly StepOrigin Actions = new(ActionsSource, null);

    public static StepOrigin ForRun(AgentRun run) => new(AgentSource, run);

    /// <summary>A workflow's step: it runs inside the agent run the workflow holds the session's control with.</summary>
    public static StepOrigin ForWorkflow(AgentRun run) => new(WorkflowSource, run);

    /// <summary>An MCP client's tool call: like the actions API, no run; the step names the client.</summary>
    public static StepOrigin ForMcp(string client) => new(McpSource, null, client);
}
