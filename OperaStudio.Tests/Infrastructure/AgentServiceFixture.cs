using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The browser service configured for the agent tests: its model is the <see cref="ScriptedModelServer"/> (an
/// OpenAI-compatible endpoint on loopback), with a small step limit and no retries, so runs are deterministic.
/// A second service instance (its own Chromium, one warm context) because the shared one keeps the default,
/// unconfigured model.
/// </summary>
public sealed class AgentServiceFixture(DataStoresFixture stores, TestPageServer pages) : IAsyncLifetime
{
    public const int MaxSteps = 8;

    private WebApplicationFactory<Program>? _factory;

    public ScriptedModelServer Model { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IServiceProvider Services => _factory!.Services;

    public SessionManager Sessions => Services.GetRequiredService<SessionManager>();

    public TestPageServer Pages => pages;

    public async ValueTask InitializeAsync()
    {
        Model = await ScriptedModelServer.StartAsync();
        var database = await stores.CreateDatabaseAsync("agent");
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseEnvironment("Development")
            .UseSetting("Logging:LogLevel:Default", "Warning")
            .UseSetting($"ConnectionStrings:{ResourceNames.Redis}", stores.RedisConnectionString)
            .UseSetting($"ConnectionStrings:{ResourceNames.Database}", database)
            .UseSetting("UrlPolicy:AllowedHosts:0", pages.HostAndPort)
            .UseSetting("Browsers:WarmContexts", "1")
            .UseSetting("Sessions:MaxSessions", "40")
            .UseSetting("Agent:Provider", "OpenAICompatible")
            .UseSetting("Agent:BaseUrl", Model.BaseUrl.ToString())
            .UseSetting("Agent:ApiKey", "test")
            .UseSetting("Agent:Model", "scripted")
            .UseSetting("Agent:MaxSteps", MaxSteps.ToString())
            .UseSetting("Agent:MaxRetries", "0")
            .UseSetting("Agent:ToolTimeoutSeconds", "10")
            // UseKestrel(0) alone ends up on the default http://localhost:5000 (measured), which collides with any
            // other service instance on the machine; an explicit dynamic loopback URL gets a free port.
            .UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0"));
        factory.UseKestrel(0);
        factory.StartServer();
        _factory = factory;
        BaseAddress = factory.ClientOptions.BaseAddress;
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
    }

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
