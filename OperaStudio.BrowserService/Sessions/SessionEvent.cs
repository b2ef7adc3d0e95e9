using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// Something viewers (and the agent) should know about a session. One stream per session, raised from
/// Playwright's threads; handlers must be quick and must not throw.
/// </summary>
public abstract record SessionEvent(string SessionId);

/// <summary>Tabs were opened, closed or reordered, or another tab became active.</summary>
public sealed record TabsChanged(string SessionId, SessionDto Session) : SessionEvent(SessionId);

/// <summary>A tab's URL, title, loading state, history or favicon changed.</summary>
public sealed record TabUpdated(string SessionId, TabDto Tab) : SessionEvent(SessionId);

public sealed record TabCrashed(string SessionId, string TabId) : SessionEvent(SessionId);

public sealed record DialogOpened(string SessionId, DialogDto Dialog) : SessionEvent(SessionId);

public sealed record DialogClosed(string SessionId, string TabId) : SessionEvent(SessionId);

public sealed record FileChooserOpened(string SessionId, string TabId, bool Multiple) : SessionEvent(SessionId);

public sealed record DownloadFinished(string SessionId, DownloadDto Download) : SessionEvent(SessionId);

/// <summary>The URL policy refused a navigation the page itself started (a link, a redirect, a script).</summary>
public sealed record NavigationBlocked(string SessionId, string TabId, string Url, string Reason) : SessionEvent(SessionId);

/// <summary>The viewport changed; screencasts restart at the new size.</summary>
public sealed record ViewportChanged(string SessionId, ViewportDto Viewport) : SessionEvent(SessionId);

/// <summary>A tab committed a navigation in its main frame (a page it arrived at, for the history).</summary>
public sealed record TabNavigated(string SessionId, string TabId, string Url) : SessionEvent(SessionId);

/// <summary>The session stopped running here. When <paramref name="Restorable"/>, joining it again brings it back.</summary>
public sealed record SessionEnded(string SessionId, string Reason, bool Restorable = false) : SessionEvent(SessionId);
/// <summary>A chat entry was added: the user's message, the model's text, or a notice from the service.</summary>
public sealed record AgentMessageAdded(string SessionId, AgentMessageDto Message) : SessionEvent(SessionId);

/// <summary>The model streamed more assistant text.</summary>
public sealed record AgentTextStreamed(string SessionId, AgentTextDeltaDto Delta) : SessionEvent(SessionId);

/// <summary>A tool step started, waits, or finished.</summary>
public sealed record AgentStepChanged(string SessionId, AgentStepDto Step) : SessionEvent(SessionId)
{
    /// <summary>The step is over (succeeded, failed, denied, interrupted or cancelled); it changes no more.</summary>
    public bool IsFinal => StepStatuses.IsFinal(Step.Status);
}

/// <summary>A run started or changed state (paused, waiting for the user or for an approval, running again).</summary>
public sealed record AgentRunChanged(string SessionId, AgentRunDto Run) : SessionEvent(SessionId);

/// <summary>A run ended: completed, cancelled, failed or stopped at its step limit.</summary>
public sealed record AgentRunFinished(string SessionId, AgentRunDto Run) : SessionEvent(SessionId);

/// <summary>A sensitive step waits for the user's approval.</summary>
public sealed record ApprovalRequested(string SessionId, ApprovalDto Approval) : SessionEvent(SessionId);

/// <summary>An approval was decided, expired or cancelled.</summary>
public sealed record ApprovalResolved(string SessionId, ApprovalDto Approval) : SessionEvent(SessionId);

/// <summary>Control of the page moved between the user and the agent.</summary>
public sealed record ControlChanged(string SessionId, ControlDto Control) : SessionEvent(SessionId);
