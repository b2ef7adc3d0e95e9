namespace OperaStudio.BrowserService.Workflows.Runs;

/// <summary>A run cannot start or resume now: the session is busy with another run, or the run is not in a state to resume.</summary>
public sealed class WorkflowRunConflictException(string message) : Exception(message);
