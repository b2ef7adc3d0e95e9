namespace OperaStudio.BrowserService.Contracts;

/// <summary>
/// An agent step's <see cref="AgentStepDto.Status"/> as the contract spells it: the service sets them, the web app's
/// chat reads them.
/// </summary>
public static class StepStatuses
{
    public const string Running = "running";
    public const string WaitingForApproval = "waiting_for_approval";
    public const string WaitingForUser = "waiting_for_user";
    public const string Ok = "ok";
    public const string Error = "error";
    public const string Denied = "denied";

    /// <summary>The user took control while the step ran.</summary>
    public const string Interrupted = "interrupted";
    public const string Cancelled = "cancelled";

    /// <summary>The step is over (succeeded, failed, denied, interrupted or cancelled); it changes no more.</summary>
    public static bool IsFinal(string status) => status is Ok or Error or Denied or Interrupted or Cancelled;
}
