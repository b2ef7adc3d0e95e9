using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.Web.Services;

/// <summary>
/// The recordings part of the browser service's API: starting and stopping a session's recording, the list, one
/// recording with its events, its re-runnable steps, deletion. Frames and exports are fetched by the person's browser
/// itself, through the web app's proxy (<see cref="FramesPath"/>, <see cref="ExportPath"/>), never through here.
/// </summary>
public sealed partial class BrowserServiceClient
{
    /// <summary>The problem code of a start refused because <c>Recording:Mode</c> is <c>Off</c>.</summary>
    public const string RecordingOff = "recording-off";

    public Task<ApiResult<RecordingsPageDto>> ListRecordingsAsync(int skip, int take, string? sessionId = null, CancellationToken cancellationToken = default) =>
        SendAsync<RecordingsPageDto>(HttpMethod.Get,
            $"/api/recordings?skip={skip}&take={take}{(sessionId is null ? "" : $"&sessionId={Uri.EscapeDataString(sessionId)}")}", null, cancellationToken);

    public Task<ApiResult<RecordingDetailDto>> GetRecordingAsync(string recordingId, CancellationToken cancellationToken = default) =>
        SendAsync<RecordingDetailDto>(HttpMethod.Get, RecordingPath(recordingId), null, cancellationToken);

    public Task<ApiResult<RecordingStepsDto>> GetRecordingStepsAsync(string recordingId, CancellationToken cancellationToken = default) =>
        SendAsync<RecordingStepsDto>(HttpMethod.Get, $"{RecordingPath(recordingId)}/steps", null, cancellationToken);

    /// <summary>The owner (or the administrator) deletes; the frames and events go with it.</summary>
    public Task<ApiResult<bool>> DeleteRecordingAsync(string recordingId, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, RecordingPath(recordingId), null, cancellationToken);

    /// <summary>Starts recording the session (starting twice answers the active recording); 409 <see cref="RecordingOff"/> when recording is off.</summary>
    public Task<ApiResult<RecordingDto>> StartRecordingAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<RecordingDto>(HttpMethod.Post, $"{SessionPath(sessionId)}/recording", null, cancellationToken);

    public Task<ApiResult<RecordingDto>> StopRecordingAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<RecordingDto>(HttpMethod.Delete, $"{SessionPath(sessionId)}/recording", null, cancellationToken);

    /// <summary>The session's active recording; a 404 problem when it is not recording.</summary>
    public Task<ApiResult<RecordingDto>> GetActiveRecordingAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<RecordingDto>(HttpMethod.Get, $"{SessionPath(sessionId)}/recording", null, cancellationToken);

    /// <summary>Where the player's JS fetches frames (same origin, the sign-in cookie).</summary>
    public static string FramesPath(string recordingId) => $"{RecordingPath(recordingId)}/frames";

    /// <summary>A download of the recording: <c>webm</c> or <c>mp4</c> (video), <c>json</c> (the event log).</summary>
    public static string ExportPath(string recordingId, string format) => $"{RecordingPath(recordingId)}/export?format={Uri.EscapeDataString(format)}";

    public static string PlayerPath(string recordingId, double? atMs = null) =>
        $"/recordings/{Uri.EscapeDataString(recordingId)}{(atMs is { } t ? $"?t={Math.Max(0, (long)t)}" : "")}";

    private static string RecordingPath(string recordingId) => $"/api/recordings/{Uri.EscapeDataString(recordingId)}";
}
