namespace OperaStudio.AppHost.Hosting;

/// <summary>A declared resource and the builder it belongs to, for fluent configuration as in Aspire.</summary>
public interface IResourceBuilder<out T> where T : IResource
{
    DistributedApplicationBuilder ApplicationBuilder { get; }

    T Resource { get; }
}

internal sealed record ResourceBuilder<T>(DistributedApplicationBuilder ApplicationBuilder, T Resource) : IResourceBuilder<T>
    where T : IResource;

public static class ResourceBuilderExtensions
{
    /// <summary>Starts this resource only once <paramref name="dependency"/> runs and answers its health probe.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : Resource
    {
        builder.Resource.WaitsFor.Add((Resource)dependency.Resource);
        return builder;
    }
}
