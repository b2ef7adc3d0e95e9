namespace OperaStudio.AppHost.Hosting;

public static class ProjectBuilderExtensions
{
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this DistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name, new TProject()));

    /// <summary>Serves the project on a fixed port (for the one URL users open); <paramref name="hint"/> says how to change it.</summary>
    public static IResourceBuilder<ProjectResource> WithHttpEndpoint(this IResourceBuilder<ProjectResource> builder, int port, string hint)
    {
        builder.Resource.FixedPort = port;
        builder.Resource.PortHint = hint;
        return builder;
    }

    /// <summary>Passes a connection string (<c>ConnectionStrings__{name}</c>) or an HTTP endpoint (<c>services__{name}__http__0</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<IResource> source)
    {
        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, string value)
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }
}
