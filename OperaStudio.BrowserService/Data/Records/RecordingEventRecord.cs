namespace OperaStudio.BrowserService.Data.Records;

/// <summary>
/// One moment of a recording (see <see cref="Contracts.RecordingEventDto"/> for the kinds). Typed text is never stored,
/// only how many characters; a step's arguments are kept as the step log has them (secrets as placeholders).
/// </summary>
public sealed class RecordingEventRecord
{
    public long Id { get; set; }

    public required string RecordingId { get; set; }

    /// <summary>Milliseconds since the recording started, on the same clock as its frames.</summary>
    public double AtMs { get; set; }

    public required string Kind { get; set; }

    public required string Actor { get; set; }

    public string? TabId { get; set; }

    public required string Title { get; set; }

    public string? Detail { get; set; }

    public string? Outcome { get; set; }

    public string? User { get; set; }

    /// <summary>For steps: the tool (<c>click</c>, <c>navigate</c>, …), so the steps can be replayed.</summary>
    public string? Tool { get; set; }

    /// <summary>For agent steps: the step's thumbnail, while the service still holds it.</summary>
    public string? ThumbnailUrl { get; set; }
}
