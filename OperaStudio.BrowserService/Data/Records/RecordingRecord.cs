namespace OperaStudio.BrowserService.Data.Records;

/// <summary>
/// One recording of a session. Its frames are files under <c>Recording:Path</c> (see
/// <see cref="Recording.FrameStore"/>); this row holds what lists and access checks need. While it is being written the
/// figures here are those of its start, the live recorder has the current ones.
/// </summary>
public sealed class RecordingRecord
{
    public required string Id { get; set; }

    public required string SessionId { get; set; }

    /// <summary>The session's owner when it started; with the session's members, who may see it.</summary>
    public string? Owner { get; set; }

    /// <summary>Who started it; null when <c>Recording:Mode=Always</c> did.</summary>
    public string? StartedBy { get; set; }

    /// <summary>recording, finished or interrupted.</summary>
    public required string State { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public double DurationMs { get; set; }

    public long Bytes { get; set; }

    public int Frames { get; set; }

    public int Width { get; set; }

    public int Height { get; set; }

    /// <summary>The page's title when it started.</summary>
    public string? Title { get; set; }
}
