using Microsoft.AspNetCore.Components;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Components.Chat;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Pages.Workflows;

/// <summary>
/// The run's page. While the run is not final it reads the run again every second (the service persists step
/// progress as it goes), and shows its session's browser panel with the session's agent state, so approvals and
/// questions the steps raise can be answered here and taking control pauses the run as it pauses the agent.
/// </summary>
public sealed partial class WorkflowRun : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private WorkflowRunDto? _run;
    private ApiProblem? _problem;
    private SessionDto? _session;
    private AgentChatState? _agent;
    private AgentEventFeed? _feed;
    private bool _busy;
    private bool _polling;

    [Parameter]
    public string Id { get; set; } = "";

    [Inject]
    private BrowserServiceClient Api { get; set; } = null!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = null!;

    /// <summary>The live view is worth its room only while the run acts in a session.</summary>
    private bool ShowPanel => _run is { SessionId: not null } run && !WorkflowRunStatuses.IsFinal(run.Status);

    /// <summary>Failed or cancelled runs go on from their failed step (or the one picked).</summary>
    private bool CanResume => _run is { Status: WorkflowRunStatuses.Failed or WorkflowRunStatuses.Cancelled };

    protected override async Task OnParametersSetAsync()
    {
        if (_run?.Id == Id)
        {
            return;
        }

        _run = null;
        await RefreshAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (RendererInfo.IsInteractive && !_polling)
        {
            _polling = true;
            _ = PollAsync();
        }
    }

    private async Task PollAsync()
    {
        using var timer = new PeriodicTimer(Poll);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (_run is null || !WorkflowRunStatuses.IsFinal(_run.Status) || _session is not null)
                {
                    await InvokeAsync(async () =>
                    {
                        await RefreshAsync();
                        StateHasChanged();
                    });
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
    }

    private async Task RefreshAsync()
    {
        var result = await Api.GetWorkflowRunAsync(Id, _stop.Token);
        _problem = result.Problem;
        _run = result.Value ?? _run;
        await FollowSessionAsync();
    }

    /// <summary>Opens the session's panel (and its agent feed) while the run is live in it, and lets go after.</summary>
    private async Task FollowSessionAsync()
    {
        var sessionId = ShowPanel ? _run!.SessionId : null;
        if (_session?.Id == sessionId)
        {
            return;
        }

        await DropSessionAsync();
        if (sessionId is null || !RendererInfo.IsInteractive)
        {
            return;
        }

        var session = await Api.GetSessionAsync(sessionId, _stop.Token);
        if (session.Value is { } live)
        {
            _session = live;
            _agent = new AgentChatState(live.Id, Api);
            _agent.Changed += OnAgentChanged;
            _feed = AgentEventFeed.Start(_agent, Api, InvokeAsync);
            await _agent.LoadAsync(_stop.Token);
        }
    }

    private void OnAgentChanged() => _ = InvokeAsync(StateHasChanged);

    private async Task DropSessionAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
            _feed = null;
        }

        if (_agent is not null)
        {
            _agent.Changed -= OnAgentChanged;
            _agent = null;
        }

        _session = null;
    }

    private async Task ResumeAsync(int? fromStep)
    {
        _busy = true;
        var result = await Api.ResumeWorkflowRunAsync(Id, fromStep);
        _busy = false;
        if (result.Value is { } run)
        {
            _run = run;
            _problem = null;
            Snackbar.Add(fromStep is { } i ? $"Resumed from step {i + 1}." : "Resumed.", Severity.Normal);
            await FollowSessionAsync();
        }
        else
        {
            Snackbar.Add($"Could not resume: {result.Problem?.Message}", Severity.Error);
        }
    }

    private async Task CancelAsync()
    {
        _busy = true;
        var result = await Api.CancelWorkflowRunAsync(Id);
        _busy = false;
        if (result.Value is { } run)
        {
            _run = run;
            await FollowSessionAsync();
        }
        else
        {
            Snackbar.Add($"Could not cancel: {result.Problem?.Message}", Severity.Error);
        }
    }

    /// <summary>An ask_user step waits for the person's "done", as the agent's question does.</summary>
    private async Task AnswerAsync()
    {
        if (_agent is not null && await _agent.ResumeAsync(null) is { } problem)
        {
            Snackbar.Add(problem.Message, Severity.Error);
        }
    }

    private static string? StepDisplayDuration(DateTimeOffset started, DateTimeOffset finished) => StepDisplay.Duration(started, finished);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await DropSessionAsync();
        _stop.Dispose();
    }
}
