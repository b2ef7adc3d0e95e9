namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// Redis from Debian's <c>redis-server</c>, run by DCP as an executable resource that has a connection string, so
/// <c>WithReference</c>, <c>WaitFor</c> (a real PING) and the dashboard treat it as they treat Aspire's container Redis.
/// </summary>
public sealed class NativeRedisResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    /// <summary><c>host:port</c>, the form StackExchange.Redis and Aspire's Redis client read.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
