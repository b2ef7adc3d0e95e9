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

    /// <summary>Largest text a viewer may paste at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxPasteCharacters { get; set; } = 100_000;
}
