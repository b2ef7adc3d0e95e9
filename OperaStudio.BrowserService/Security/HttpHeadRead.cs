namespace OperaStudio.BrowserService.Security;

/// <summary>How reading a head ended: complete, or why not (the client closed, it was too large, it was not HTTP).</summary>
internal enum HttpHeadStatus
{
    Complete,
    Closed,
    TooLarge,
    Malformed,
}

/// <summary>The outcome of <see cref="HttpHead.ReadAsync"/>: the head when complete, otherwise the error.</summary>
internal sealed record HttpHeadRead(HttpHeadStatus Status, HttpHead? Head, string? Error);
