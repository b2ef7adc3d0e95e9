namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// A PostgreSQL server from the machine's own binaries, run by DCP as an executable resource with a connection
/// string (no database in it; <see cref="NativePostgresDatabaseResource"/> adds one), like Aspire's container server.
/// </summary>
public sealed class NativePostgresServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    /// <summary>The role initdb creates; the services connect as it.</summary>
    public const string UserName = "opera";

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");
}
