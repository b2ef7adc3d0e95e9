extern alias web;

using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The web app on a real Kestrel port, talking to a browser service of the tests' (<typeparamref name="TService"/>)
/// through service discovery and proxying <c>/api</c> and <c>/hubs</c> to it, exactly as the AppHost wires them.
/// </summary>
/// <remarks>
/// A class fixture, not a second collection fixture: xunit v3 cannot hand one collection fixture to another
/// ("unresolved constructor arguments: BrowserServiceFixture"), but a class fixture may take a collection fixture.
/// Each UI class starts its own web app (about a second); the browser service behind them is shared.
/// </remarks>
public class WebAppFixture<TService>(TService service) : IAsyncLifetime, IWebAppUnderTest
    where TService : IServiceUnderTest
{
    private WebApplicationFactory<web::Program>? _factory;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public TService Service => service;

    public SessionManager Sessions => service.Sessions;

    public ValueTask InitializeAsync()
    {
        _factory = WebAppFixture.Start(service.BaseAddress.ToString(), service.DatabaseConnectionString);
        BaseAddress = BrowserServiceHost.ServerAddress(_factory.Services);
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(20_000);
        // A token holder's client, as automation would call the web app's /api (the proxy passes the token on).
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
        return ValueTask.CompletedTask;
    }

    /// <summary>An absolute URL of the web app.</summary>
    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("The web app has not started.");

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (BaseAddress is not null)
        {
            WebSignIn.Forget(BaseAddress);
        }

        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

/// <summary>The web app in front of the shared <see cref="BrowserServiceFixture"/>.</summary>
public sealed class WebAppFixture(BrowserServiceFixture service) : WebAppFixture<BrowserServiceFixture>(service)
{
    /// <summary>
    /// A web app whose browser service is at <paramref name="browserService"/> (any address, even one where nothing
    /// listens, to see how the UI copes), with its accounts in <paramref name="database"/> (whose administrator is
    /// <see cref="TestIdentity.AdminUserName"/> with <see cref="TestIdentity.AdminPassword"/>). The caller disposes
    /// it; its address is <see cref="BrowserServiceHost.ServerAddress"/>.
    /// </summary>
    public static WebApplicationFactory<web::Program> Start(
        string browserService, string database, IReadOnlyDictionary<string, string>? settings = null, Action<IWebHostBuilder>? configure = null)
    {
        var factory = new WebApplicationFactory<web::Program>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Development")
                .ConfigureLogging(logging => TestLogs.AddTo(logging, $"web-{Environment.ProcessId}"))
                .UseSetting("Logging:LogLevel:Default", "Warning")
                .UseSetting("Auth:ServiceKey", TestIdentity.ServiceKey)
                .UseSetting("Auth:Admin:UserName", TestIdentity.AdminUserName)
                .UseSetting("Auth:Admin:Password", TestIdentity.AdminPassword)
                .UseSetting($"ConnectionStrings:{ResourceNames.Database}", database)
                // Tests sign in far more often than people do; the limit itself has its own test.
                .UseSetting("Auth:SignInAttemptsPerMinute", "1000")
                .UseSetting($"services:{ResourceNames.BrowserService}:http:0", browserService.TrimEnd('/'));
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                host.UseSetting(key, value);
            }

            configure?.Invoke(host);
        });
        // Loopback on a free port, said explicitly: with UseKestrel(0) the host fell back to Kestrel's default :5000.
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        return factory;
    }
}

/// <summary>The web app in front of the agent's service (<see cref="AgentServiceFixture"/>, whose model is the scripted one).</summary>
public sealed class AgentWebAppFixture(AgentServiceFixture service) : WebAppFixture<AgentServiceFixture>(service);

/// <summary>A browser service the tests run in this process: where it listens, its sessions and the pages it may open.</summary>
public interface IServiceUnderTest
{
    Uri BaseAddress { get; }

    SessionManager Sessions { get; }

    TestPageServer Pages { get; }

    /// <summary>Its database, where the web app in front of it keeps its accounts.</summary>
    string DatabaseConnectionString { get; }
}

/// <summary>A web app the UI tests drive, and the sessions of the browser service behind it.</summary>
public interface IWebAppUnderTest
{
    Uri BaseAddress { get; }

    /// <summary>A client of the web app with the administrator's token (its proxy passes <c>/api</c> to the browser service).</summary>
    HttpClient Http { get; }

    SessionManager Sessions { get; }

    /// <summary>An absolute URL of the web app.</summary>
    string Url(string path);
}
