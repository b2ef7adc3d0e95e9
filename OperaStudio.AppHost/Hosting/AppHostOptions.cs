using Microsoft.Extensions.Configuration;

namespace OperaStudio.AppHost.Hosting;

/// <summary>
/// The AppHost's settings, from appsettings.json, environment variables and the command line:
/// <c>OPERA_WEB_PORT</c> (default 5080), <c>OPERA_DATA_DIR</c> (default ./.data), <c>OPERA_USE_CONTAINERS</c>
/// (auto|true|false), and <c>ConnectionStrings__redis</c> / <c>ConnectionStrings__operadb</c> for external servers.
/// </summary>
public sealed class AppHostOptions
{
    public const int DefaultWebPort = 5080;

    public required IConfiguration Configuration { get; init; }

    public required string RepositoryRoot { get; init; }

    public int WebPort => Configuration.GetValue("OPERA_WEB_PORT", DefaultWebPort);

    public string DataDirectory => Path.GetFullPath(Configuration["OPERA_DATA_DIR"] is { Length: > 0 } dir
        ? dir
        : Path.Combine(RepositoryRoot, ".data"));

    /// <summary>null: use containers when a Docker engine answers.</summary>
    public bool? UseContainers => Configuration["OPERA_USE_CONTAINERS"]?.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => null,
    };

    public TimeSpan StartupTimeout => TimeSpan.FromSeconds(Configuration.GetValue("OPERA_STARTUP_TIMEOUT_SECONDS", 120));

    public int MaxRestarts => Configuration.GetValue("OPERA_MAX_RESTARTS", 3);
}
