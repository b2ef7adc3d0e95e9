using Microsoft.AspNetCore.SignalR.Client;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The browser service configured for the agent tests: its model is the <see cref="ScriptedModelServer"/> (an
/// OpenAI-compatible endpoint on loopback), with a small step limit and no retries, so runs are deterministic.
/// A second service instance (its own Chromium, one warm context) because the shared one keeps the default,
/// unconfigured model.
/// </summary>
public sealed class AgentServiceFixture(DataStoresFixture stores, TestPageServer pages) : IAsyncLifetime, IServiceUnderTest
{
    public const int MaxSteps = 8;

    private BrowserServiceHost? _host;

    public ScriptedModelServer Model { get; private set; } = null!;

    public Uri BaseAddress => Host.BaseAddress;

    public HttpClient Http => Host.Http;

    public string DatabaseConnectionString => Host.DatabaseConnectionString;

    public IServiceProvider Services => Host.Services;

    public SessionManager Sessions => Host.Sessions;

    public TestPageServer Pages => pages;

    private BrowserServiceHost Host => _host ?? throw new InvalidOperationException("The agent's browser service has not started.");

    public async ValueTask InitializeAsync()
    {
        Model = await ScriptedModelServer.StartAsync();
        _host = BrowserServiceHost.Start(stores.RedisConnectionString, await stores.CreateDatabaseAsync("agent"), pages.HostAndPort, new Dictionary<string, string>
        {
            ["Browsers:WarmContexts"] = "1",
            ["Agent:Provider"] = "OpenAICompatible",
            ["Agent:BaseUrl"] = Model.BaseUrl.ToString(),
            ["Agent:ApiKey"] = "test",
            ["Agent:Model"] = "scripted",
            ["Agent:MaxSteps"] = MaxSteps.ToString(),
            ["Agent:MaxRetries"] = "0",
            ["Agent:ToolTimeoutSeconds"] = "10",
        });
    }

    /// <summary>A live-view hub connection with no handlers (see <see cref="HubViewer"/> for one that acknowledges frames).</summary>
    public Task<HubConnection> ConnectHubAsync() => HubViewer.OpenConnectionAsync(BaseAddress);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (Model is not null)
        {
            await Model.DisposeAsync();
        }
    }
}

/// <summary>The agent tests share one service and one scripted model, one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class AgentServiceCollection : ICollectionFixture<AgentServiceFixture>
{
    public const string Name = "Agent service";
}
