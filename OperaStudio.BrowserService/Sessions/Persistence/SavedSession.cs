using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Sessions.Persistence;

/// <summary>What a session needs to come back: its tabs in order, which was active, its viewport and its storage state.</summary>
public sealed record SavedSession(
    string Id,
    string? Owner,
    IReadOnlyList<SavedTab> Tabs,
    string? ActiveTabId,
    ViewportDto Viewport,
    string? StorageStateJson,
    DateTimeOffset CreatedAt);

public sealed record SavedTab(string Id, string Url, string Title);
