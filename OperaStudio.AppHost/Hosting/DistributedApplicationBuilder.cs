using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace OperaStudio.AppHost.Hosting;

/// <summary>Declares the resources of the system; <see cref="Build"/> makes the application that runs them.</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];

    internal DistributedApplicationBuilder(string[] args)
    {
        Configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        Options = new AppHostOptions { Configuration = Configuration, RepositoryRoot = FindRepositoryRoot() };
    }

    public IConfiguration Configuration { get; }

    public AppHostOptions Options { get; }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' is already declared.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public DistributedApplication Build() => new(Options, _resources);

    /// <summary>The repository the AppHost was built from (recorded at build), for the default data folder.</summary>
    private static string FindRepositoryRoot() =>
        typeof(DistributedApplicationBuilder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value is { } root
            ? Path.GetFullPath(root)
            : Directory.GetCurrentDirectory();
}
