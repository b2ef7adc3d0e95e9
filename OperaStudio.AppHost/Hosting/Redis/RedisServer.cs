using System.Diagnostics;
using OperaStudio.AppHost.Hosting.Processes;
using StackExchange.Redis;

namespace OperaStudio.AppHost.Hosting.Redis;

/// <summary>
/// A native redis-server on loopback with its data in a folder of ours (RDB snapshots, so a second start keeps
/// the data). Used by the AppHost and, through the same code, by the test fixtures.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string InstallHint = "Install it (sudo apt-get install -y redis-server), start a Docker engine, or set ConnectionStrings__redis=host:port.";

    private readonly ChildProcess _process;

    private RedisServer(ChildProcess process, int port, string dataDirectory)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public int ProcessId => _process.Id;

    public Task<int> Exited => _process.Exited;

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static string? FindExecutable() => Executables.Find("redis-server");

    public static async Task<RedisServer> StartAsync(
        string dataDirectory, int port, Action<string>? onLine = null, ProcessLedger? ledger = null, CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable()
            ?? throw new AppHostException($"redis-server was not found. {InstallHint}");
        Directory.CreateDirectory(dataDirectory);
        Ports.EnsureFree(port, "Redis", "Stop the other Redis or let the AppHost pick a port.");

        var startInfo = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "--port", port.ToString(), "--bind", "127.0.0.1", "--protected-mode", "yes",
                "--dir", Path.GetFullPath(dataDirectory), "--dbfilename", "dump.rdb",
                "--save", "30 1", "--appendonly", "no", "--daemonize", "no", "--logfile", "",
            },
        };
        if (SupportsProcTitleOption(executable))
        {
            // Keep the command line (and environment) as started, so `ps` shows which data folder it serves.
            startInfo.ArgumentList.Add("--set-proc-title");
            startInfo.ArgumentList.Add("no");
        }

        var process = ChildProcess.Start(startInfo, onLine);
        ledger?.Record("redis", process.Id);
        var server = new RedisServer(process, port, dataDirectory);
        try
        {
            await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(20), cancellationToken);
            return server;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public static async Task<bool> PingAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        try
        {
            var options = ConfigurationOptions.Parse(connectionString);
            options.AbortOnConnectFail = true;
            options.ConnectTimeout = 2000;
            options.ConnectRetry = 0;
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options, TextWriter.Null).WaitAsync(cancellationToken);
            await connection.GetDatabase().PingAsync();
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>set-proc-title exists since Redis 6.2; older servers refuse unknown options.</summary>
    private static bool SupportsProcTitleOption(string executable)
    {
        using var process = Process.Start(new ProcessStartInfo(executable, "--version") { RedirectStandardOutput = true });
        var output = process?.StandardOutput.ReadToEnd() ?? "";
        process?.WaitForExit();
        var match = System.Text.RegularExpressions.Regex.Match(output, @"v=(\d+)\.(\d+)");
        return match.Success && (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)) is var (major, minor)
            && (major > 6 || (major == 6 && minor >= 2));
    }

    /// <summary>SIGTERM makes redis-server save its snapshot and exit.</summary>
    public Task StopAsync() => _process.StopAsync(PosixSignals.SigTerm, TimeSpan.FromSeconds(15));

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new AppHostException(
                    $"redis-server exited with code {await _process.Exited} during start.", _process.RecentOutput());
            }

            if (await PingAsync(ConnectionString, cancellationToken))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new AppHostException($"redis-server did not answer PING within {timeout.TotalSeconds:0} s.", _process.RecentOutput());
    }
}
