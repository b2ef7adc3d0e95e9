namespace OperaStudio.BrowserService.Streaming;

/// <summary>
/// One screencast frame as viewers receive it over MessagePack: the JPEG bytes (binary, never base64), the image
/// size, and the page viewport in CSS pixels that the image shows (to map pointer positions back).
/// </summary>
public sealed record FrameMessage(
    string TabId,
    byte[] Data,
    int Width,
    int Height,
    double ViewportWidth,
    double ViewportHeight,
    long Sequence,
    double CapturedAtMs);
