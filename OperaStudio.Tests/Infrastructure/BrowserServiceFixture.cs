using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The browser service on a real Kestrel port, with real Chromium, Redis and PostgreSQL, and a URL policy that
/// admits the tests' page server. Tests create their own sessions and close them.
/// </summary>
public sealed class BrowserServiceFixture(RedisFixture redis, PostgresFixture postgres, TestPageServer pages) : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IServiceProvider Services => _factory!.Services;

    public SessionManager Sessions => Services.GetRequiredService<SessionManager>();

    public TestPageServer Pages => pages;

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync("browser");
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseEnvironment("Development")
            .UseSetting($"ConnectionStrings:{ResourceNames.Redis}", redis.ConnectionString)
            .UseSetting($"ConnectionStrings:{ResourceNames.Database}", database)
            .UseSetting("UrlPolicy:AllowedHosts:0", pages.HostAndPort)
            .UseSetting("Browsers:WarmContexts", "2")
            .UseSetting("Sessions:MaxSessions", "40"));
        // Loopback on a free port, said explicitly: with UseKestrel(0) the host fell back to Kestrel's default :5000,
        // which collides with any other test run on the machine.
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        _factory = factory;
        BaseAddress = ServerAddress(factory.Services);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The address Kestrel actually bound (the free port it was given).</summary>
    public static Uri ServerAddress(IServiceProvider services) =>
        new(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");

    /// <summary>A live-view connection to the hub (MessagePack, as the panel uses).</summary>
    public async Task<HubConnection> ConnectHubAsync()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(BaseAddress, "/hubs/live"))
            .AddMessagePackProtocol()
            .Build();
        await connection.StartAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

/// <summary>Tests that drive the shared browser service run one class at a time: two cores, one Chromium.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserServiceCollection : ICollectionFixture<BrowserServiceFixture>
{
    public const string Name = "Browser service";
}
