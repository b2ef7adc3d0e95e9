using System.Text;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace OperaStudio.BrowserService.Data;

/// <summary>
/// Tells a write PostgreSQL refused for what it holds — the same data fails every time, so retrying it would stop
/// everything queued behind it — from an outage, which passes and is worth retrying.
/// </summary>
public static class StoreErrors
{
    /// <summary>PostgreSQL unreachable (or its retries spent): the API answers 503 with the reason rather than 500.</summary>
    public static bool IsOutage(Exception exception) =>
        exception.GetBaseException() is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException
        || exception is NpgsqlException or RetryLimitExceededException;

    /// <summary>
    /// True for SQLSTATE class 22 (data exception: invalid byte sequence, value too long, bad JSON) and 23 (integrity
    /// constraint violation), and for text the client cannot encode.
    /// </summary>
    public static bool IsDataError(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal)))
            {
                return true;
            }

            if (current is EncoderFallbackException)
            {
                return true;
            }
        }

        return false;
    }
}
