namespace OperaStudio.BrowserService.Contracts;

// The sessions API's wire shapes (JSON, camelCase). The web app compiles this folder too, so both sides share one
// definition; keep it free of server types.

/// <summary>
/// A live browser session: its tabs and which one the viewers see. In <c>GET /api/sessions</c> only,
/// <see cref="Owner"/> and <see cref="Role"/> (the caller's: owner, admin, controller or viewer) tell the caller's own
/// sessions from those shared with them; elsewhere they are null.
/// </summary>
public sealed record SessionDto(
    string Id,
    string ActiveTabId,
    IReadOnlyList<TabDto> Tabs,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActivityAt,
    int Viewers,
    ViewportDto Viewport,
    string? Owner = null,
    string? Role = null);

/// <summary>One tab: where it is, whether it is loading, and what the toolbar may offer.</summary>
public sealed record TabDto(
    string Id,
    string Url,
    string Title,
    bool IsLoading,
    bool CanGoBack,
    bool CanGoForward,
    string? FaviconUrl,
    bool IsCrashed);

public sealed record ViewportDto(int Width, int Height, double DeviceScaleFactor);

public sealed record CreateSessionRequest(string? Url);

public sealed record CreateTabRequest(string? Url);

public sealed record NavigateRequest(string? Url);

public sealed record DialogAnswerRequest(bool Accept, string? PromptText);

/// <summary>A JavaScript dialog waiting for the user (alert, confirm, prompt, beforeunload).</summary>
public sealed record DialogDto(string TabId, string Type, string Message, string? DefaultValue);

/// <summary>A file the session downloaded, offered to the user.</summary>
public sealed record DownloadDto(string Id, string TabId, string FileName, long SizeBytes, string Url, DateTimeOffset CompletedAt, string? Error);
