using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using OperaStudio.BrowserService.Nodes;
using StackExchange.Redis;

namespace OperaStudio.BrowserService.Streaming;

public static class StreamingExtensions
{
    public static WebApplicationBuilder AddStreaming(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StreamingOptions>()
            .BindConfiguration(StreamingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var signalR = builder.Services.AddSignalR(hub =>
            {
                // Paste text travels as one message; anything larger is refused before it reaches a hub method.
                hub.MaximumReceiveMessageSize = 512 * 1024;
                hub.EnableDetailedErrors = false;
            })
            .AddMessagePackProtocol();
        // Many nodes: group messages and sends to another node's connections go through Redis (the AppHost turns it
        // on with more than one node). A send to a connection of this node — every frame — is still written to it
        // directly; one node keeps the in-memory hub as before. Decided at start: the hub's lifetime manager is fixed.
        if (builder.Configuration.GetSection(NodeOptions.SectionName).Get<NodeOptions>()?.Backplane == true)
        {
            signalR.AddStackExchangeRedis();
            // Its own connection to the same Redis: the backplane unsubscribes and closes it when the host is disposed,
            // which the shared client (and its tracing) may no longer allow by then.
            builder.Services.AddOptions<RedisOptions>().Configure<IConnectionMultiplexer>((redis, shared) =>
            {
                redis.Configuration.ChannelPrefix = RedisChannel.Literal("opera:hub");
                redis.ConnectionFactory = async log => await ConnectionMultiplexer.ConnectAsync(shared.Configuration, log);
            });
        }

        builder.Services.AddSingleton<Budget.FrameBudget>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Budget.FrameBudget>());
        builder.Services.AddSingleton<LiveViews>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveViews>());
        builder.Services.AddSingleton<Sharing.SessionPresence>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Sharing.SessionPresence>());
        builder.Services.AddSingleton<ViewerConnections>();
        builder.Services.AddSingleton<TokenConnections>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TokenConnections>());
        return builder;
    }

    public static IEndpointRouteBuilder MapLiveViewHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<LiveViewHub>(LiveViewHub.Path, connection =>
        {
            // A small transport buffer: a frame write waits for the socket instead of piling up in memory.
            connection.TransportMaxBufferSize = 64 * 1024;
            connection.Transports = HttpTransportType.WebSockets | HttpTransportType.LongPolling;
        });
        return app;
    }
}
