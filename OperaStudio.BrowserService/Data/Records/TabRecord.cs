namespace OperaStudio.BrowserService.Data.Records;

/// <summary>A tab of a session as last saved: its place in the strip and where it was.</summary>
public sealed class TabRecord
{
    public required string SessionId { get; set; }

    public required string Id { get; set; }

    public int Position { get; set; }

    public required string Url { get; set; }

    public string Title { get; set; } = "";

    public bool IsOpen { get; set; } = true;

    public DateTimeOffset OpenedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }
}
