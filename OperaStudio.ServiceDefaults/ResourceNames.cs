namespace OperaStudio.ServiceDefaults;

/// <summary>
/// Names of the resources the AppHost declares. Connection strings (<c>ConnectionStrings__{name}</c>) and
/// service-discovery entries (<c>services__{name}__http__0</c>) use them, so AppHost, services and tests share them.
/// </summary>
public static class ResourceNames
{
    public const string Redis = "redis";
    public const string Postgres = "postgres";
    public const string Database = "operadb";
    public const string BrowserService = "browser";
    public const string Web = "web";
}
