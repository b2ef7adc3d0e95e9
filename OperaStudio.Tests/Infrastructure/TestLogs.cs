using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// With <c>OPERA_TEST_LOGS</c> set to a folder, the services the tests host log what they do (OperaStudio's own
/// categories at Information, sessions at Debug, the rest at Warning) to one file per host there, and viewers' console messages go
/// beside them: what a failure in a full run needs to be explained afterwards. Unset, nothing is written.
/// </summary>
public static class TestLogs
{
    public static string? Folder { get; } = Environment.GetEnvironmentVariable("OPERA_TEST_LOGS") is { Length: > 0 } folder
        ? Directory.CreateDirectory(folder).FullName
        : null;

    private static readonly ConcurrentDictionary<string, StreamWriter> Writers = new(StringComparer.Ordinal);

    /// <summary>Adds the file logger for a host named <paramref name="name"/>, when logs are on.</summary>
    public static void AddTo(ILoggingBuilder logging, string name)
    {
        if (Folder is null)
        {
            return;
        }

        logging.AddProvider(new FileLoggerProvider(name));
        logging.AddFilter<FileLoggerProvider>("OperaStudio", LogLevel.Information);
        logging.AddFilter<FileLoggerProvider>("OperaStudio.BrowserService.Sessions", LogLevel.Debug);
        logging.AddFilter<FileLoggerProvider>("OperaStudio.BrowserService.Browsers", LogLevel.Debug);
        logging.AddFilter<FileLoggerProvider>(null, LogLevel.Warning);
    }

    public static void Write(string name, string line)
    {
        if (Folder is null)
        {
            return;
        }

        var writer = Writers.GetOrAdd(name, n => new StreamWriter(Path.Combine(Folder, $"{n}.log"), append: true) { AutoFlush = true });
        lock (writer)
        {
            writer.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}");
        }
    }

    private sealed class FileLoggerProvider(string name) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new FileLogger(name, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class FileLogger(string name, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Write(name, $"{logLevel,-11} {category}: {formatter(state, exception)}{(exception is null ? "" : $" | {exception.GetType().Name}: {exception.Message}")}");
    }
}
