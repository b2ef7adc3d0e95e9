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
}
