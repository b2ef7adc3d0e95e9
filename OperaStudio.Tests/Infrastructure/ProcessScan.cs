using System.Globalization;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>Looks at /proc: which processes descend from one, and which carry a marker in their environment.</summary>
public static class ProcessScan
{
    public sealed record Info(int Pid, int ParentPid, string CommandLine);

    public static IReadOnlyList<Info> All()
    {
        var list = new List<Info>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] is "Z" or "X")
                {
                    continue;
                }

                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                list.Add(new Info(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), commandLine));
            }
            catch (IOException)
            {
                // Gone while we looked.
            }
        }

        return list;
    }

    public static IReadOnlyList<Info> Descendants(int rootPid)
    {
        var all = All();
        var result = new List<Info>();
        var frontier = new Queue<int>([rootPid]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var child in all.Where(p => p.ParentPid == parent))
            {
                result.Add(child);
                frontier.Enqueue(child.Pid);
            }
        }

        return result;
    }

    /// <summary>Live processes whose environment contains <paramref name="entry"/> (children inherit it).</summary>
    public static IReadOnlyList<Info> WithEnvironment(string entry) =>
        All().Where(p =>
        {
            try
            {
                return File.ReadAllText($"/proc/{p.Pid}/environ").Split('\0').Contains(entry, StringComparer.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }).ToList();

    /// <summary>The fields of /proc/&lt;pid&gt;/status (Uid, Seccomp, VmRSS, ...); empty when the process is gone.</summary>
    public static IReadOnlyDictionary<string, string> Status(int pid)
    {
        try
        {
            return File.ReadAllLines($"/proc/{pid}/status")
                .Select(line => line.Split(':', 2))
                .Where(parts => parts.Length == 2)
                .ToDictionary(parts => parts[0], parts => parts[1].Trim(), StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return new Dictionary<string, string>();
        }
    }
}
