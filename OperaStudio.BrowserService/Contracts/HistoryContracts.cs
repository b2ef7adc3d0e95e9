namespace OperaStudio.BrowserService.Contracts;

/// <summary>A session as its history remembers it, live or long gone.</summary>
public sealed record PastSessionDto(
    string Id,
    string? Owner,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset? EndedAt,
    string? EndReason,
    int OpenTabs,
    string? LastUrl,
    string? LastTitle,
    bool Live);

/// <summary>
/// One moment of a session's history. <see cref="Kind"/>: <c>navigation</c>, <c>action</c> (a human, API or agent
/// action, with its <see cref="Actor"/>, <see cref="Outcome"/> and the <see cref="User"/> who did it), <c>chat</c> (a message; <see cref="Actor"/> is
/// user, assistant or notice) or <c>step</c> (an agent tool step).
/// </summary>
public sealed record TimelineEntryDto(
    DateTimeOffset At,
    string Kind,
    string Actor,
    string? TabId,
    string Title,
    string? Detail,
    string? Outcome,
    string? User = null);

public sealed record SessionTimelineDto(PastSessionDto Session, IReadOnlyList<TimelineEntryDto> Entries, bool Truncated);

public sealed record PastSessionsPageDto(IReadOnlyList<PastSessionDto> Sessions, int Total);
