namespace OperaStudio.BrowserService.Sessions;

/// <summary>The node is at its session limit; the caller should retry after <see cref="RetryAfter"/>.</summary>
public sealed class SessionLimitException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
