using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>What the live view hub pushes to a viewer (the panel's JS module, or a test client).</summary>
public interface ILiveViewClient
{
    Task Frame(FrameMessage frame);

    Task SessionChanged(SessionDto session);

    Task TabUpdated(TabDto tab);

    Task TabCrashed(string tabId);

    Task DialogOpened(DialogDto dialog);

    Task DialogClosed(string tabId);

    Task FileChooserOpened(string tabId, bool multiple);

    Task DownloadFinished(DownloadDto download);

    Task NavigationBlocked(string tabId, string url, string reason);

    /// <summary>The session stopped here; when <paramref name="restorable"/>, joining again restores it.</summary>
    Task SessionEnded(string reason, bool restorable);

    Task AgentMessage(AgentMessageDto message);

    Task AgentTextDelta(AgentTextDeltaDto delta);

    Task AgentStep(AgentStepDto step);

    Task AgentRunChanged(AgentRunDto run);

    Task AgentRunFinished(AgentRunDto run);

    Task ApprovalRequested(ApprovalDto approval);

    Task ApprovalResolved(ApprovalDto approval);

    Task ControlChanged(ControlDto control);

    /// <summary>Who is in the session's live view now, their colours, who has control and who asked for it.</summary>
    Task Presence(string sessionId, IReadOnlyList<ParticipantDto> participants);

    /// <summary>Another participant's pointer, in CSS pixels of the page's viewport.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The name is the hub event's name on the wire, a pointer on screen.")]
    Task Pointer(string sessionId, string user, string color, double x, double y);

    /// <summary>Input of this viewer's was not sent to the page, and why (a viewer, or someone else has control).</summary>
    Task InputRefused(string sessionId, string reason);

    /// <summary>The session's recording started (or is running, when a viewer joins) or stopped (null).</summary>
    Task RecordingChanged(string sessionId, RecordingDto? recording);

    /// <summary>This viewer's access to the session was revoked: no more frames or events come.</summary>
    Task AccessEnded(string sessionId, string reason);
}
