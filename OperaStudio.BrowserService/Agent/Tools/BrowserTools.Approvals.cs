using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Tools;

// Sensitive steps wait for the user: what the policy asks for, and the element shown with the request.
public sealed partial class BrowserTools
{
    /// <summary>Asks the user when the policy says this step needs it; throws when it is denied or times out.</summary>
    private async Task ApproveAsync(AgentStepDto step, IReadOnlyCollection<string> detected, Target? target, CancellationToken cancellationToken)
    {
        if (_policy.Requires(step.Tool, detected) is not { } kind)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var timeout = TimeSpan.FromSeconds(_options.ApprovalTimeoutSeconds);
        var request = new ApprovalDto(
            Ids.New(10), step.RunId, step.Id, step.Source, step.Tool, step.Arguments, kind,
            $"{step.Tool} {ApprovalPolicy.Describe(kind, step.Tool)}", target is null ? null : await BoxAsync(target),
            ApprovalGate.Pending, now, now + timeout);
        var run = step.RunId is null ? null : _agent.CurrentRun;
        _agent.Steps.Update(step, StepStatuses.WaitingForApproval);
        _agent.SetRunState(run, RunStates.WaitingForApproval);
        string outcome;
        try
        {
            outcome = await _agent.Approvals.RequestAsync(request, timeout, cancellationToken);
        }
        finally
        {
            _agent.SetRunState(run, RunStates.Running);
        }

        _agent.Steps.Update(step, StepStatuses.Running);
        switch (outcome)
        {
            case ApprovalGate.Approved:
                return;
            case ApprovalGate.Expired:
                throw new ToolException("approval timed out", ToolException.DeniedStatus);
            default:
                throw new ToolException("denied", ToolException.DeniedStatus);
        }
    }
}
