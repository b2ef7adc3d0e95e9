namespace OperaStudio.AppHost.Hosting;

/// <summary>The table printed once everything runs: each resource, how it is provided, its state and where it is.</summary>
internal static class ResourceTable
{
    public static void Print(ResourceLog log, IReadOnlyList<Resource> resources)
    {
        var rows = resources.Select(r => (r.Name, r.Kind, State: r.State.ToString(), r.Endpoint)).ToList();
        var nameWidth = Math.Max(8, rows.Max(r => r.Name.Length)) + 2;
        var kindWidth = Math.Max(4, rows.Max(r => r.Kind.Length)) + 2;
        var stateWidth = Math.Max(5, rows.Max(r => r.State.Length)) + 2;

        log.Raw("");
        log.Raw($"  {"RESOURCE".PadRight(nameWidth)}{"KIND".PadRight(kindWidth)}{"STATE".PadRight(stateWidth)}ENDPOINT");
        foreach (var (name, kind, state, endpoint) in rows)
        {
            log.Raw($"  {name.PadRight(nameWidth)}{kind.PadRight(kindWidth)}{state.PadRight(stateWidth)}{endpoint}");
        }

        log.Raw("");
        if (resources.OfType<ProjectResource>().FirstOrDefault(p => p.FixedPort is not null)?.HttpEndpoint is { } url)
        {
            log.Raw($"  Opera Studio is ready: open {url}");
        }

        log.Raw("  Press Ctrl+C to stop everything.");
        log.Raw("");
    }
}
