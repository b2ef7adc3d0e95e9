using System.Globalization;

namespace OperaStudio.AppHost.Hosting.Processes;

/// <summary>
/// Remembers the processes the AppHost started (pid + kernel start time) in a file under the data folder.
/// If an AppHost was killed without a chance to clean up, the next start stops what it left behind, so a
/// second start never trips over the first one's servers.
/// </summary>
public sealed class ProcessLedger(string path)
{
    private readonly Lock _gate = new();

    public void Record(string name, int pid)
    {
        var startTime = ReadStartTime(pid);
        if (startTime is null)
        {
            return;
        }

        lock (_gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path, $"{pid} {startTime} {name}\n");
        }
    }

    /// <summary>Stops every recorded process that is still the same process (same start time), newest first.</summary>
    public async Task<IReadOnlyList<string>> StopLeftoversAsync()
    {
        var stopped = new List<string>();
        if (!File.Exists(path))
        {
            return stopped;
        }

        var entries = File.ReadAllLines(path)
            .Select(line => line.Split(' ', 3))
            .Where(parts => parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out _))
            .Select(parts => (Pid: int.Parse(parts[0], CultureInfo.InvariantCulture), Start: parts[1], Name: parts[2]))
            .Reverse();

        foreach (var (pid, start, name) in entries)
        {
            if (ReadStartTime(pid) != start)
            {
                continue;
            }

            PosixSignals.Send(pid, PosixSignals.SigTerm);
            for (var i = 0; i < 50 && PosixSignals.IsAlive(pid); i++)
            {
                await Task.Delay(100);
            }

            if (PosixSignals.IsAlive(pid))
            {
                PosixSignals.Send(pid, PosixSignals.SigKill);
            }

            stopped.Add($"{name} (pid {pid})");
        }

        Clear();
        return stopped;
    }

    public void Clear()
    {
        lock (_gate)
        {
            File.Delete(path);
        }
    }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat: start time in clock ticks since boot; pids are reused, this is not.</summary>
    private static string? ReadStartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
