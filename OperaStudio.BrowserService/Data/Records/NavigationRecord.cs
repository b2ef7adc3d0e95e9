namespace OperaStudio.BrowserService.Data.Records;

/// <summary>A page a tab arrived at (a committed main-frame navigation).</summary>
public sealed class NavigationRecord
{
    public long Id { get; set; }

    public required string SessionId { get; set; }

    public required string TabId { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Url { get; set; }

    public string Title { get; set; } = "";
}
