using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.Recording;

/// <summary>When sessions are recorded.</summary>
public enum RecordingMode
{
    /// <summary>Never; starting one is refused.</summary>
    Off,

    /// <summary>When someone starts it (the panel's record button, or REST).</summary>
    OnDemand,

    /// <summary>Every session from its start (a restored session starts a new recording).</summary>
    Always,
}

/// <summary>Session recording. Section <c>Recording</c>.</summary>
public sealed class RecordingOptions
{
    public const string SectionName = "Recording";

    public RecordingMode Mode { get; set; } = RecordingMode.OnDemand;

    /// <summary>
    /// Where frames are kept, a directory per recording; empty means a folder under the temp directory (the AppHost puts
    /// it in its data directory). One per node: a node repairs what it finds there after a crash.
    /// </summary>
    public string? Path { get; set; }

    public string ResolvePath() =>
        string.IsNullOrWhiteSpace(Path) ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "opera-studio", "recordings") : Path;

    /// <summary>Recordings older than this are deleted; 0 keeps them regardless of age.</summary>
    [Range(0, 36_500)]
    public double MaxAgeDays { get; set; } = 30;

    /// <summary>What all finished recordings may take together; beyond it the oldest go first. 0 means no limit.</summary>
    [Range(0, 100_000_000)]
    public double MaxTotalMegabytes { get; set; } = 10_240;

    /// <summary>How often retention looks (and once shortly after start).</summary>
    [Range(1, 86_400)]
    public int RetentionIntervalSeconds { get; set; } = 600;

    /// <summary>How often frames are flushed to disk: a crash loses at most this much.</summary>
    [Range(100, 1000)]
    public int FlushIntervalMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Frames waiting for the disk per recording; beyond it the oldest waiting frame is dropped (a stalled disk must not
    /// grow memory, and the newest picture matters most).
    /// </summary>
    [Range(4, 10_000)]
    public int MaxPendingFrames { get; set; } = 120;

    /// <summary>
    /// Frames one response of the frames endpoint holds at most (never more than the contract's
    /// <see cref="Contracts.RecordingFrames.MaxFramesPerResponse"/>); the player asks again from the next header.
    /// </summary>
    [Range(1, Contracts.RecordingFrames.MaxFramesPerResponse)]
    public int MaxFramesPerResponse { get; set; } = Contracts.RecordingFrames.MaxFramesPerResponse;

    /// <summary>The ffmpeg program for video export (Debian package <c>ffmpeg</c>); a name is looked up on the PATH.</summary>
    [Required]
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>Frames per second of exported video: frames are repeated or skipped to this fixed rate.</summary>
    [Range(1, 60)]
    public int ExportFrameRate { get; set; } = 10;
}
