using Microsoft.AspNetCore.SignalR.Client;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The shared browser service for most tests, with a URL policy that admits the tests' page server. Tests create
/// their own sessions and close them.
/// </summary>
public sealed class BrowserServiceFixture(DataStoresFixture stores, TestPageServer pages) : IAsyncLifetime, IServiceUnderTest
{
    private BrowserServiceHost? _host;

    public Uri BaseAddress => Host.BaseAddress;

    public HttpClient Http => Host.Http;

    public string DatabaseConnectionString => Host.DatabaseConnectionString;

    public IServiceProvider Services => Host.Services;

    public SessionManager Sessions => Host.Sessions;

    public TestPageServer Pages => pages;

    private BrowserServiceHost Host => _host ?? throw new InvalidOperationException("The browser service has not started.");

    public async ValueTask InitializeAsync() =>
        _host = BrowserServiceHost.Start(stores.RedisConnectionString, await stores.CreateDatabaseAsync("browser"), pages.HostAndPort);

    public Task<HubConnection> ConnectHubAsync() => Host.ConnectHubAsync();

    /// <summary>The main process of each Chromium the shared service runs (to kill it in crash tests).</summary>
    public IReadOnlyList<ProcFs.Process> ChromiumProcesses() => Host.ChromiumProcesses();

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

/// <summary>Tests that drive the shared browser service run one class at a time: two cores, one Chromium.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserServiceCollection : ICollectionFixture<BrowserServiceFixture>
{
    public const string Name = "Browser service";
}
