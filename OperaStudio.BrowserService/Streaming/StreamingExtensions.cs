using Microsoft.AspNetCore.Http.Connections;

namespace OperaStudio.BrowserService.Streaming;

public static class StreamingExtensions
{
    public static WebApplicationBuilder AddStreaming(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StreamingOptions>()
            .BindConfiguration(StreamingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSignalR(hub =>
            {
                // Paste text travels as one message; anything larger is refused before it reaches a hub method.
                hub.MaximumReceiveMessageSize = 512 * 1024;
                hub.EnableDetailedErrors = false;
            })
            .AddMessagePackProtocol();
        builder.Services.AddSingleton<Budget.FrameBudget>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Budget.FrameBudget>());
        builder.Services.AddSingleton<LiveViews>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveViews>());
        builder.Services.AddSingleton<Sharing.SessionPresence>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Sharing.SessionPresence>());
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
