namespace OperaStudio.BrowserService.Recording;

/// <summary>Something that happened in a recorded session, before it is placed on the recording's clock.</summary>
internal sealed record RecordedMoment(
    DateTimeOffset At,
    string Kind,
    string Actor,
    string? TabId,
    string Title,
    string? Detail = null,
    string? Outcome = null,
    string? User = null,
    string? Tool = null,
    string? ThumbnailUrl = null);

/// <summary>The kinds and actors of <see cref="Contracts.RecordingEventDto"/>.</summary>
internal static class MomentKinds
{
    public const string Navigation = "navigation";
    public const string Click = "click";
    public const string Input = "input";
    public const string Step = "step";
    public const string Approval = "approval";
    public const string Chat = "chat";
    public const string Error = "error";
    public const string Tab = "tab";
    public const string Viewport = "viewport";
    public const string Dialog = "dialog";
    public const string Upload = "upload";
    public const string Download = "download";

    public const string Human = "human";
    public const string Agent = "agent";
    public const string Api = "api";
    public const string Page = "page";
}
