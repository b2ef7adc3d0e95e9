using System.Collections.Concurrent;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Safety;

/// <summary>
/// A session's sensitive steps waiting for the user. A request is announced to the panel (with the element's box
/// when there is one) and waits for a decision through the REST API, the timeout (counts as denied), or
/// cancellation. Used the same way by model runs and by the actions API.
/// </summary>
public sealed class ApprovalGate(string sessionId, Action<SessionEvent> publish, TimeProvider time)
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Denied = "denied";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";

    private readonly ConcurrentDictionary<string, (ApprovalDto Request, TaskCompletionSource<bool> Decision)> _pending =
        new(StringComparer.Ordinal);

    public IReadOnlyList<ApprovalDto> PendingApprovals => [.. _pending.Values.Select(p => p.Request).OrderBy(r => r.RequestedAt)];

    /// <summary>Waits for the user's decision; returns the final state (approved, denied or expired).</summary>
    public async Task<string> RequestAsync(ApprovalDto request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var decision = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[request.Id] = (request, decision);
        publish(new ApprovalRequested(sessionId, request));
        string outcome;
        try
        {
            outcome = await decision.Task.WaitAsync(timeout, time, cancellationToken) ? Approved : Denied;
        }
        catch (TimeoutException)
        {
            outcome = Expired;
        }
        catch (OperationCanceledException)
        {
            Finish(request, Cancelled);
            throw;
        }

        Finish(request, outcome);
        return outcome;
    }

    /// <summary>The user's decision; null when no such approval is waiting (unknown, or already decided).</summary>
    public ApprovalDto? Decide(string approvalId, bool approve)
    {
        if (!_pending.TryGetValue(approvalId, out var pending) || !pending.Decision.TrySetResult(approve))
        {
            return null;
        }

        return pending.Request with { Status = approve ? Approved : Denied };
    }

    private void Finish(ApprovalDto request, string status)
    {
        if (_pending.TryRemove(request.Id, out _))
        {
            publish(new ApprovalResolved(sessionId, request with { Status = status }));
        }
    }
}
