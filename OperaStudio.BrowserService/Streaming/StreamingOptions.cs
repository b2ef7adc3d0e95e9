using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>Live view tuning. Section <c>Streaming</c>.</summary>
public sealed class StreamingOptions
{
    public const string SectionName = "Streaming";

    /// <summary>JPEG quality of screencast frames: lower is smaller and faster, higher is sharper.</summary>
    [Range(20, 100)]
    public int JpegQuality { get; set; } = 70;

    /// <summary>
    /// Frames sent to a viewer but not yet acknowledged (drawn). Beyond it only the newest frame waits, so a slow
    /// viewer never makes the server queue frames; 2 keeps a fast viewer busy across one round trip.
    /// </summary>
    [Range(1, 8)]
    public int MaxFramesInFlight { get; set; } = 2;

    /// <summary>
    /// Frames per second this node encodes and sends in total, over all sessions (see <see cref="Budget.FrameBudget"/>);
    /// 0 picks <see cref="Budget.FrameAllocator.PerCoreDefault"/> per processor core.
    /// </summary>
    [Range(0, 10_000)]
    public int FrameBudgetPerSecond { get; set; }

    /// <summary>A session whose viewer sent input within this many seconds counts as interactive: its frames come first.</summary>
    [Range(1, 600)]
    public int InteractiveWindowSeconds { get; set; } = 5;

    /// <summary>Frames per second every watched session gets at least, however full the node is.</summary>
    [Range(1, 60)]
    public int MinWatchedFps { get; set; } = 2;

    /// <summary>Frames per second for a session only a recording consumes (no viewer): enough for the player and export.</summary>
    [Range(1, 60)]
    public int RecordingFps { get; set; } = 10;

    /// <summary>Largest text a viewer may paste at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxPasteCharacters { get; set; } = 100_000;
}
