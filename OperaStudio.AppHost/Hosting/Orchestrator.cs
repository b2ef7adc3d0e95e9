namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// Starts resources as soon as what they wait for is healthy, restarts one that crashes (a limited number of
/// times in a window), and stops them in reverse dependency order.
/// </summary>
internal sealed class Orchestrator(IReadOnlyList<Resource> resources, RunContext context)
{
    private static readonly TimeSpan RestartWindow = TimeSpan.FromMinutes(10);
    private readonly List<Resource> _startOrder = [];

    public async Task StartAllAsync(CancellationToken cancellationToken)
    {
        // A taken fixed port is known before anything starts; say so at once instead of after the databases.
        foreach (var project in resources.OfType<ProjectResource>())
        {
            if (project.FixedPort is { } port)
            {
                Ports.EnsureFree(port, $"{project.Name} HTTP endpoint", project.PortHint);
            }
        }

        var ready = resources.ToDictionary(r => r, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var starts = resources.Select(async resource =>
        {
            try
            {
                await Task.WhenAll(resource.WaitsFor.Select(dependency => ready[dependency].Task)).WaitAsync(failFast.Token);
                await StartOneAsync(resource, failFast.Token);
                ready[resource].SetResult();
            }
            catch
            {
                resource.State = ResourceState.Failed;
                ready[resource].TrySetCanceled();
                await failFast.CancelAsync();
                throw;
            }
        }).ToList();

        try
        {
            await Task.WhenAll(starts);
        }
        catch when (starts.Any(t => t.Exception?.InnerException is AppHostException))
        {
            throw starts.Select(t => t.Exception?.InnerException).OfType<AppHostException>().First();
        }
    }

    /// <summary>Watches every resource until a stop is requested (returns null) or one fails for good.</summary>
    public async Task<AppHostException?> SuperviseAsync(CancellationToken stopping)
    {
        var watches = resources.Select(resource => SuperviseOneAsync(resource, stopping)).ToList();
        while (watches.Count > 0)
        {
            var ended = await Task.WhenAny(watches);
            if (await ended is { } failure)
            {
                return failure;
            }

            watches.Remove(ended);
        }

        return null;
    }

    public async Task StopAllAsync()
    {
        var order = _startOrder.AsEnumerable().Reverse().ToList();
        foreach (var resource in order.Where(r => r.State is not (ResourceState.Stopped or ResourceState.Waiting)))
        {
            resource.State = ResourceState.Stopping;
            try
            {
                await resource.StopAsync();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or TimeoutException or AppHostException)
            {
                context.Log.Error($"stopping {resource.Name} failed: {ex.Message}");
            }

            resource.State = ResourceState.Stopped;
            context.Log.Info($"{resource.Name} stopped");
        }
    }

    private async Task StartOneAsync(Resource resource, CancellationToken cancellationToken)
    {
        lock (_startOrder)
        {
            _startOrder.Add(resource);
        }

        resource.State = ResourceState.Starting;
        context.Log.Info($"starting {resource.Name}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(context.Options.StartupTimeout);
        try
        {
            await resource.StartAsync(context, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AppHostException($"{resource.Name} did not start within {context.Options.StartupTimeout.TotalSeconds:0} s.");
        }

        resource.State = ResourceState.Running;
        context.Log.Info($"{resource.Name} is running: {resource.Endpoint}");
    }

    private async Task<AppHostException?> SuperviseOneAsync(Resource resource, CancellationToken stopping)
    {
        var restarts = new Queue<DateTimeOffset>();
        while (true)
        {
            int exitCode;
            try
            {
                exitCode = await resource.WaitForExitAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            if (stopping.IsCancellationRequested)
            {
                return null;
            }

            var now = DateTimeOffset.UtcNow;
            while (restarts.Count > 0 && now - restarts.Peek() > RestartWindow)
            {
                restarts.Dequeue();
            }

            if (restarts.Count >= context.Options.MaxRestarts)
            {
                resource.State = ResourceState.Failed;
                return new AppHostException(
                    $"{resource.Name} exited with code {exitCode} after {restarts.Count} restarts in {RestartWindow.TotalMinutes:0} minutes; giving up.");
            }

            restarts.Enqueue(now);
            resource.State = ResourceState.Restarting;
            context.Log.Error($"{resource.Name} exited unexpectedly with code {exitCode}; restarting ({restarts.Count}/{context.Options.MaxRestarts})");
            try
            {
                await resource.StartAsync(context, stopping);
                resource.State = ResourceState.Running;
                context.Log.Info($"{resource.Name} is running again: {resource.Endpoint}");
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (AppHostException ex)
            {
                resource.State = ResourceState.Failed;
                return ex;
            }
        }
    }
}
