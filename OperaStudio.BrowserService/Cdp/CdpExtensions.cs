using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Cdp;

// In the hosting namespace, as the service defaults are, so Program.cs calls it without a using of its own.
namespace Microsoft.Extensions.Hosting;

public static class CdpExtensions
{
    /// <summary>The CDP endpoint: Chromium's DevTools port for every pooled browser, and the relay per client.</summary>
    public static WebApplicationBuilder AddCdpEndpoint(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CdpOptions>().BindConfiguration(CdpOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IBrowserLaunchArguments, DevToolsPort>();
        return builder;
    }

    /// <summary>Maps <c>/cdp/{sessionId}</c>; the fallback policy (a caller is required) covers it, so no token means 401.</summary>
    public static IEndpointRouteBuilder MapCdpEndpoint(this IEndpointRouteBuilder app)
    {
        // WebSockets in this branch only, as SignalR does for its hub.
        var branch = app.CreateApplicationBuilder();
        branch.UseWebSockets();
        branch.Run(CdpEndpoint.HandleAsync);
        app.Map(CdpEndpoint.Path + "/{sessionId}", branch.Build()).WithTags("CDP");
        return app;
    }
}
