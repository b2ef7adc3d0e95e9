using System.Net;

namespace OperaStudio.BrowserService.Security;

/// <summary>The proxy's log lines; refusals at Information so operators see what the browser was kept from.</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "URL policy proxy listening on {Endpoint}")]
    public static partial void Listening(this ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Host}:{Port} ({Code}): {Reason}")]
    public static partial void Refused(this ILogger logger, string host, int port, string code, string reason);

    /// <summary>Names that do not resolve (Chromium's own background requests on an offline machine, typos): routine.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused {Host}:{Port} ({Code}): {Reason}")]
    public static partial void RefusedUnresolvable(this ILogger logger, string host, int port, string code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rejected a malformed proxy request ({Status}): {Error}")]
    public static partial void Malformed(this ILogger logger, int status, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not connect to {Host}:{Port}: {Error}")]
    public static partial void UpstreamFailed(this ILogger logger, string host, int port, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A proxy connection ended with an error")]
    public static partial void ConnectionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A proxy connection failed unexpectedly")]
    public static partial void Unexpected(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The URL policy proxy failed to accept a connection")]
    public static partial void AcceptFailed(this ILogger logger, Exception exception);
}
