namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// A problem the user can act on (a port in use, a missing package, a child that failed to start).
/// The AppHost prints <see cref="Exception.Message"/> as one clear line and exits non-zero.
/// </summary>
public sealed class AppHostException(string message, IReadOnlyList<string>? details = null) : Exception(message)
{
    /// <summary>Context printed under the message, such as the last log lines of a child that died.</summary>
    public IReadOnlyList<string> Details { get; } = details ?? [];
}
