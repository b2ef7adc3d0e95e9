namespace OperaStudio.AppHost.Hosting;

/// <summary>Anything the AppHost starts and watches: a server, a database, a project.</summary>
public interface IResource
{
    string Name { get; }
}

/// <summary>A resource other resources reach by connection string (<c>ConnectionStrings__{Name}</c>).</summary>
public interface IResourceWithConnectionString : IResource
{
    string? ConnectionString { get; }
}

/// <summary>A resource other resources reach over HTTP (<c>services__{Name}__http__0</c>).</summary>
public interface IResourceWithServiceDiscovery : IResource
{
    Uri? HttpEndpoint { get; }
}

public enum ResourceState
{
    Waiting,
    Starting,
    Running,
    Restarting,
    Stopping,
    Stopped,
    Failed,
}

public abstract class Resource(string name) : IResource
{
    public string Name { get; } = name;

    public ResourceState State { get; internal set; } = ResourceState.Waiting;

    /// <summary>Resources that must be running (and healthy) before this one starts.</summary>
    public List<Resource> WaitsFor { get; } = [];

    /// <summary>How it is provided, for the resource table: "native", "container", "external", "project".</summary>
    public abstract string Kind { get; }

    /// <summary>Where to reach it, for the resource table.</summary>
    public abstract string Endpoint { get; }

    /// <summary>Starts the resource and returns once it answers its health probe.</summary>
    internal abstract Task StartAsync(RunContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Completes with an exit code when the running instance stops on its own (a crash), never for resources
    /// that have no process of ours. The orchestrator restarts the resource then, within a limit.
    /// </summary>
    internal abstract Task<int> WaitForExitAsync(CancellationToken cancellationToken);

    internal abstract Task StopAsync();

    /// <summary>For resources with no process of ours: they never exit on their own.</summary>
    protected static async Task<int> NeverExitsAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }
}
