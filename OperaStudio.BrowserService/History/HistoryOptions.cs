using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.History;

/// <summary>The history writer's queue. Section <c>History</c>.</summary>
public sealed class HistoryOptions
{
    public const string SectionName = "History";

    /// <summary>
    /// Records kept waiting while PostgreSQL is away; beyond it the oldest are dropped (logged, and counted in
    /// <c>opera.history.dropped</c>) so memory stays bounded.
    /// </summary>
    [Range(10, 10_000_000)]
    public int MaxPending { get; set; } = 20_000;
}
