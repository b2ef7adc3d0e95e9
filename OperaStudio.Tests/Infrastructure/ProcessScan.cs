namespace OperaStudio.Tests.Infrastructure;

/// <summary>Which processes are ours: those below one, and those that carry a marker in their environment (read through <see cref="ProcFs"/>).</summary>
public static class ProcessScan
{
    public static IReadOnlyList<ProcFs.Process> All() => ProcFs.Processes();

    public static IReadOnlyList<ProcFs.Process> Descendants(int rootPid)
    {
        var all = All();
        var result = new List<ProcFs.Process>();
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
    public static IReadOnlyList<ProcFs.Process> WithEnvironment(string entry) =>
        All().Where(p => ProcFs.Environment(p.Pid).Contains(entry, StringComparer.Ordinal)).ToList();
}
