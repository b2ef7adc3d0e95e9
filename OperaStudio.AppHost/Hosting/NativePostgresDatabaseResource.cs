namespace OperaStudio.AppHost.Hosting;

/// <summary>One database on a <see cref="NativePostgresServerResource"/>; its connection string names the database.</summary>
public sealed class NativePostgresDatabaseResource(string name, string databaseName, NativePostgresServerResource parent)
    : Resource(name), IResourceWithParent<NativePostgresServerResource>, IResourceWithConnectionString
{
    public NativePostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}
