using Microsoft.Extensions.Configuration;
using OperaStudio.AppHost.Hosting;

namespace OperaStudio.AppHost;

/// <summary>
/// The AppHost's own settings, from appsettings.json, the environment and the command line: <c>OPERA_WEB_PORT</c>
/// (5080), <c>OPERA_DATA_DIR</c> (the repository's <c>.data</c>), <c>OPERA_USE_CONTAINERS</c> (true, false, or unset:
/// use containers when a container runtime answers), and the browser service's <c>DataProtection:KeyFile</c> (under
/// the data directory unless configured), and <c>Auth:ServiceKey</c> (the key the web app signs whom it acts for with,
/// shared with the browser service; a new one each start unless configured), <c>Auth:AdminToken</c> (optional), and
/// the first administrator's <c>Auth:Admin:UserName</c> and <c>Auth:Admin:Password</c> (unset: the web app generates
/// one on the first start and writes it to its log), and <c>BrowserService:Nodes</c> (how many browser-service nodes:
/// 1 by default; more run as <c>browser</c>, <c>browser-2</c>, … each on its own port).
/// </summary>
internal sealed record AppHostSettings(
    int WebPort, string DataDirectory, bool UseContainers, string DataProtectionKeyFile, string ServiceKey, string? AdminToken, string AdminUserName, string? AdminPassword)
{
    public const int DefaultWebPort = 5080;

    public const int MaxBrowserNodes = 16;

    /// <summary>Browser-service nodes to run (<c>BrowserService:Nodes</c>).</summary>
    public int BrowserNodes { get; init; } = 1;

    public static AppHostSettings From(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var dataDirectory = configuration["OPERA_DATA_DIR"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(builder.AppHostDirectory, "..", ".data");
        var useContainers = configuration["OPERA_USE_CONTAINERS"]?.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => ContainerRuntime.Answers(configuration["ASPIRE_CONTAINER_RUNTIME"]),
        };
        var keyFile = configuration["DataProtection:KeyFile"] is { Length: > 0 } configuredKey
            ? configuredKey
            : Path.Combine(dataDirectory, "keys", "data-protection-key.pfx");
        // Signed identities live minutes and nothing stored depends on the key: a fresh one per start is enough for
        // one machine. Nodes of a cluster share a configured one.
        var serviceKey = configuration["Auth:ServiceKey"] is { Length: > 0 } configuredServiceKey
            ? configuredServiceKey
            : Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        return new AppHostSettings(
            configuration.GetValue("OPERA_WEB_PORT", DefaultWebPort), Path.GetFullPath(dataDirectory), useContainers, Path.GetFullPath(keyFile),
            serviceKey, configuration["Auth:AdminToken"] is { Length: > 0 } adminToken ? adminToken : null,
            configuration["Auth:Admin:UserName"] is { Length: > 0 } adminName ? adminName : "admin",
            configuration["Auth:Admin:Password"] is { Length: > 0 } adminPassword ? adminPassword : null)
        {
            BrowserNodes = configuration.GetValue("BrowserService:Nodes", 1) is var nodes and >= 1 and <= MaxBrowserNodes
                ? nodes
                : throw new InvalidOperationException($"BrowserService:Nodes must be between 1 and {MaxBrowserNodes}."),
        };
    }
}

internal static class ConfigurationExtensions
{
    /// <summary>True when <c>ConnectionStrings:{name}</c> names an existing server to use instead of starting one.</summary>
    public static bool HasConnectionString(this IDistributedApplicationBuilder builder, string name) =>
        !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name));
}
