namespace OperaStudio.AppHost.Startup;

internal static class PortCheck
{
    /// <summary>
    /// Fails the resource before it starts when its fixed port is taken, with a message that says how to choose
    /// another, instead of the project's own bind error deep in its log.
    /// </summary>
    public static IResourceBuilder<T> WithPortCheck<T>(this IResourceBuilder<T> builder, int port, string setting) where T : IResource =>
        builder.OnBeforeResourceStarted((resource, _, _) => Ports.IsFree(port)
            ? Task.CompletedTask
            : throw new DistributedApplicationException(
                $"Port {port} ({resource.Name}) is already in use by another process. Choose another port, e.g. {setting}={port + 10}."));
}
