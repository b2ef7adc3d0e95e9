using OperaStudio.BrowserService.Sessions;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Recording;

/// <summary>
/// The browser service for the recording tests: the scripted model (for agent runs), recordings in a folder of its own,
/// and a frames endpoint that answers <see cref="FramesPerResponse"/> frames at a time, so every read pages through the
/// next header. Retention runs only when a test asks.
/// </summary>
public sealed class RecordingServiceFixture(DataStoresFixture stores, TestPageServer pages) : IAsyncLifetime
{
    public const int FramesPerResponse = 5;

    private BrowserServiceHost? _host;

    public ScriptedModelServer Model { get; private set; } = null!;

    public Uri BaseAddress => Host.BaseAddress;

    public HttpClient Http => Host.Http;

    public IServiceProvider Services => Host.Services;

    public SessionManager Sessions => Host.Sessions;

    public TestPageServer Pages => pages;

    public string DatabaseConnectionString => Host.DatabaseConnectionString;

    private BrowserServiceHost Host => _host ?? throw new InvalidOperationException("The recording service has not started.");

    public async ValueTask InitializeAsync()
    {
        Model = await ScriptedModelServer.StartAsync();
        _host = BrowserServiceHost.Start(stores.RedisConnectionString, await stores.CreateDatabaseAsync("recording"), pages.HostAndPort, new Dictionary<string, string>
        {
            ["Browsers:WarmContexts"] = "1",
            ["Agent:Provider"] = "OpenAICompatible",
            ["Agent:BaseUrl"] = Model.BaseUrl.ToString(),
            ["Agent:ApiKey"] = "test",
            ["Agent:Model"] = "scripted",
            ["Agent:MaxSteps"] = "8",
            ["Agent:MaxRetries"] = "0",
            ["Agent:ToolTimeoutSeconds"] = "10",
            ["Recording:MaxFramesPerResponse"] = FramesPerResponse.ToString(),
            ["Recording:RetentionIntervalSeconds"] = "86400",
        });
    }

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

/// <summary>The recording tests share one service, one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RecordingServiceCollection : ICollectionFixture<RecordingServiceFixture>
{
    public const string Name = "Recording service";
}
