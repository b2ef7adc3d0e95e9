namespace OperaStudio.BrowserService.Contracts;

/// <summary>
/// One recording of a session. <see cref="State"/>: <c>recording</c> (still being written), <c>finished</c> (stopped,
/// or its session ended) or <c>interrupted</c> (the service stopped while it was recording; everything up to its last
/// flushed second is kept). Times in the player are milliseconds since <see cref="StartedAt"/>.
/// </summary>
public sealed record RecordingDto(
    string Id,
    string SessionId,
    string? Owner,
    string? StartedBy,
    string State,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double DurationMs,
    long Bytes,
    int Frames,
    int Width,
    int Height,
    string? Title);

/// <summary>
/// One moment of a recording, for the player's markers and event list. <see cref="Kind"/>: <c>navigation</c>,
/// <c>click</c>, <c>input</c> (typing — a count, never the text —, scrolling, keys), <c>step</c> (an agent or API step),
/// <c>approval</c>, <c>chat</c>, <c>error</c>, <c>tab</c> (opened, switched, closed), <c>viewport</c>, <c>dialog</c>,
/// <c>upload</c>, <c>download</c>. <see cref="Actor"/>: <c>human</c>, <c>agent</c>, <c>api</c>, <c>page</c>.
/// <see cref="AtMs"/> is milliseconds since the recording started. <see cref="ThumbnailUrl"/>: an agent step's image of
/// the tab after it, while the service still holds it (it keeps the latest few per session).
/// </summary>
public sealed record RecordingEventDto(
    double AtMs,
    string Kind,
    string Actor,
    string? TabId,
    string Title,
    string? Detail,
    string? Outcome,
    string? User,
    string? ThumbnailUrl = null);

public sealed record RecordingDetailDto(RecordingDto Recording, IReadOnlyList<RecordingEventDto> Events);

public sealed record RecordingsPageDto(IReadOnlyList<RecordingDto> Recordings, int Total);

/// <summary>
/// The API and agent actions of a recording as steps in the workflows' JSON shape (<c>{"action":"click",
/// "description":"…"}</c>), so they can be saved as a workflow and run again in a fresh session.
/// </summary>
public sealed record RecordingStepsDto(string RecordingId, IReadOnlyList<System.Text.Json.Nodes.JsonObject> Steps);

/// <summary>
/// The body of <c>GET /api/recordings/{id}/frames?from=&amp;to=</c> (<c>application/octet-stream</c>) is a run of
/// frames, each: <c>float64</c> milliseconds since the start, <c>uint16</c> width, <c>uint16</c> height, <c>int32</c>
/// length, then that many bytes of JPEG — all little-endian. The first frame is the last one at or before
/// <c>from</c> (so the picture at <c>from</c> can be drawn); frames follow up to <c>to</c>. A response holds at most
/// <see cref="MaxFramesPerResponse"/> frames or <see cref="MaxBytesPerResponse"/> bytes; when it stops early, the
/// <see cref="NextHeader"/> header gives the time to ask from next.
/// </summary>
public static class RecordingFrames
{
    public const int HeaderSize = 16;
    public const int MaxFramesPerResponse = 600;
    public const int MaxBytesPerResponse = 16 * 1024 * 1024;
    public const string NextHeader = "X-Recording-Next";
}
