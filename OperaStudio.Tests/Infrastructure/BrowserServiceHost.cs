using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Security;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// One browser service instance on a real Kestrel port, with real Chromium, Redis and PostgreSQL. Tests that need
/// their own settings (limits, timeouts) or that crash and restart it start one of these.
/// </summary>
public sealed class BrowserServiceHost : IAsyncDisposable
{
    private static int _started;

    private readonly WebApplicationFactory<Program> _factory;

    private BrowserServiceHost(WebApplicationFactory<Program> factory, string databaseConnectionString)
    {
        _factory = factory;
        DatabaseConnectionString = databaseConnectionString;
        BaseAddress = ServerAddress(factory.Services);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        Http.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
    }

    public Uri BaseAddress { get; }

    /// <summary>Its PostgreSQL database (a web app in front of it keeps its accounts there too).</summary>
    public string DatabaseConnectionString { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _factory.Services;

    public SessionManager Sessions => Services.GetRequiredService<SessionManager>();

    /// <summary>Starts an instance; <paramref name="settings"/> are configuration keys such as <c>Sessions:MaxSessions</c>.</summary>
    public static BrowserServiceHost Start(
        string redisConnectionString, string databaseConnectionString, string allowedHost, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Development")
                .ConfigureLogging(logging => TestLogs.AddTo(logging, $"service-{Environment.ProcessId}-{Interlocked.Increment(ref _started)}"))
                .UseSetting("Logging:LogLevel:Default", "Warning") // keeps the test log to what went wrong
                .UseSetting($"ConnectionStrings:{ResourceNames.Redis}", redisConnectionString)
                .UseSetting($"ConnectionStrings:{ResourceNames.Database}", databaseConnectionString)
                .UseSetting("UrlPolicy:AllowedHosts:0", allowedHost)
                .UseSetting("Browsers:WarmContexts", "2")
                .UseSetting("Sessions:MaxSessions", "40")
                .UseSetting("Auth:ServiceKey", TestIdentity.ServiceKey)
                .UseSetting("Auth:AdminToken", TestIdentity.AdminToken)
                .UseSetting("Recording:Path", TestPaths.NewDirectory("recordings"));
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }
        });
        // Real Kestrel on loopback, port chosen by the OS (measured: UseKestrel(0) falls back to port 5000).
        factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        return new BrowserServiceHost(factory, databaseConnectionString);
    }

    /// <summary>The address Kestrel actually bound.</summary>
    public static Uri ServerAddress(IServiceProvider services) =>
        new(services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/') + "/");

    /// <summary>A live-view hub connection with no handlers (see <see cref="HubViewer"/> for one that acknowledges frames).</summary>
    public Task<HubConnection> ConnectHubAsync() => HubViewer.OpenConnectionAsync(BaseAddress);

    /// <summary>The main process of each Chromium this instance launched (recognised by its filtering proxy's port).</summary>
    public IReadOnlyList<ProcFs.Process> ChromiumProcesses()
    {
        var proxy = $"--proxy-server=http://{Services.GetRequiredService<FilteringProxy>().Endpoint}";
        return ProcessScan.All()
            .Where(p => p.CommandLine.Contains(proxy, StringComparison.Ordinal) && !p.CommandLine.Contains("--type=", StringComparison.Ordinal))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }
}
