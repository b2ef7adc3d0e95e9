using System.Diagnostics;

namespace OperaStudio.AppHost.Hosting.Processes;

/// <summary>
/// A process the AppHost started: its output is forwarded line by line (for the name prefix), the last lines
/// are kept for error messages, and it stops with a signal first and a kill of its whole tree after a grace period.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int RecentLineCount = 40;

    private readonly Process _process;
    private readonly Queue<string> _recent = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code when the process ends (without waiting for its output pipes).</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    private static readonly string? Setsid = Executables.FindSystemTool("setsid");

    public static ChildProcess Start(ProcessStartInfo startInfo, Action<string>? onLine = null)
    {
        // Each child gets a session of its own, so a Ctrl+C at the terminal (SIGINT to the whole foreground
        // group) reaches only the AppHost, which then stops the children in dependency order.
        if (Setsid is not null)
        {
            startInfo.ArgumentList.Insert(0, startInfo.FileName);
            startInfo.FileName = Setsid;
        }

        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        // Children never read the terminal: Ctrl+C is the AppHost's to handle, and it stops them in order.
        startInfo.RedirectStandardInput = true;

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, onLine);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, onLine);
        process.Exited += (_, _) => child._exited.TrySetResult(SafeExitCode(process));

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new AppHostException($"Could not start {startInfo.FileName}: {ex.Message}.");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public IReadOnlyList<string> RecentOutput()
    {
        lock (_recent)
        {
            return [.. _recent];
        }
    }

    /// <summary>Signals the process, waits up to <paramref name="grace"/>, then kills it and everything it started.</summary>
    public async Task StopAsync(int signal, TimeSpan grace)
    {
        if (HasExited)
        {
            return;
        }

        PosixSignals.Send(Id, signal);
        try
        {
            await Exited.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            Kill();
            await Exited.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            await StopAsync(PosixSignals.SigTerm, TimeSpan.FromSeconds(5));
        }

        _process.Dispose();
    }

    private void OnLine(string? line, Action<string>? onLine)
    {
        if (line is null)
        {
            return;
        }

        lock (_recent)
        {
            _recent.Enqueue(line);
            while (_recent.Count > RecentLineCount)
            {
                _recent.Dequeue();
            }
        }

        onLine?.Invoke(line);
    }

    private static int SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }
}
