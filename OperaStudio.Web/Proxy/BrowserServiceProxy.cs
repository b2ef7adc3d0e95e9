using OperaStudio.BrowserService.Contracts;
using OperaStudio.ServiceDefaults;
using OperaStudio.Web.Identity;
using OperaStudio.Web.Proxy.Nodes;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace OperaStudio.Web.Proxy;

/// <summary>
/// The browser service behind the web app's own origin: <c>/api/**</c> (REST, downloads, uploads), <c>/hubs/**</c>
/// (the live view hub, WebSockets included), <c>/mcp</c> (the MCP server, streamed answers included) and <c>/cdp</c> (the
/// CDP endpoint for Playwright and Puppeteer scripts, a WebSocket) are forwarded
/// to it, so the page's JS and outside clients never need a second origin.
/// The destination is <c>http://browser</c>, resolved by service discovery (<c>services:browser:http:0</c>); with
/// <c>BrowserService:Nodes</c> above one also <c>http://browser-2</c>, …, and <see cref="NodeRouter"/> chooses the node
/// of each request (<see cref="NodeSelection"/>, a step of the proxy pipeline).
/// </summary>
public static class BrowserServiceProxy
{
    public const string ClusterId = "browser-service";

    /// <summary>The same service for MCP, whose streams may stay quiet longer than the API's (see its timeout).</summary>
    public const string McpClusterId = "browser-service-mcp";

    /// <summary>The same service for CDP connections, which stay open (and may stay quiet) as long as a script runs.</summary>
    public const string CdpClusterId = "browser-service-cdp";

    public static WebApplicationBuilder AddBrowserServiceProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<BrowserNodesOptions>()
            .BindConfiguration(BrowserNodesOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Decided at start (the clusters are built from it): more than one node brings the router and its Redis.
        var nodes = builder.Configuration.GetSection(BrowserNodesOptions.SectionName).Get<BrowserNodesOptions>()?.Nodes ?? 1;
        if (nodes > 1)
        {
            builder.AddRedisClient(ResourceNames.Redis);
            builder.Services.AddSingleton<NodeRouter>();
        }

        RouteConfig[] routes =
        [
            Route("browser-api", "/api/{**rest}"),
            Route("browser-hubs", "/hubs/{**rest}"),
            Route("browser-mcp", "/mcp/{**rest}", McpClusterId),
            Route("browser-cdp", "/cdp/{**rest}", CdpClusterId),
        ];
        ClusterConfig[] clusters =
        [
            new()
            {
                ClusterId = ClusterId,
                Destinations = Destinations(nodes),
                // Navigations wait for the site; long polling (the hub's fallback) holds a request ~90 s.
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(2) },
            },
            new()
            {
                ClusterId = McpClusterId,
                Destinations = Destinations(nodes),
                // A tool call's stream is silent while its step waits for a person's approval (5 minutes by default),
                // and the client's standing GET stream is silent between messages.
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(15) },
            },
            new()
            {
                ClusterId = CdpClusterId,
                Destinations = Destinations(nodes),
                // A script may hold its connection idle between steps for a long while; CDP has no keep-alive of its own.
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromHours(2) },
            },
        ];

        builder.Services.AddSingleton<SameOriginGuard>();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddTransforms(transforms => transforms.AddRequestTransform(context =>
            {
                // Whom the web app acts for, signed: the person signed in here, never what the caller claims (a forged
                // identity header is dropped). Without a sign-in the request goes on as it came: a token holder's
                // Authorization header is the service's to check, and anyone else gets its 401.
                var headers = context.ProxyRequest.Headers;
                headers.Remove(CallerSignature.Header);
                headers.Remove("X-Opera-User");
                if (CurrentPerson.NameOf(context.HttpContext.User) is { } person)
                {
                    headers.Add(CallerSignature.Header, context.HttpContext.RequestServices.GetRequiredService<ServiceIdentity>().Sign(person));
                }

                return ValueTask.CompletedTask;
            }))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    /// <summary>
    /// Unknown addresses get the app's not-found page rather than an empty 404 — except what the proxy forwards,
    /// whose answers (ProblemDetails, a 502 when the service is down) must reach the caller as they are.
    /// Call <c>UseRouting</c> after it, so a re-executed request is routed again.
    /// </summary>
    public static WebApplication UseNotFoundPage(this WebApplication app, string path)
    {
        app.UseWhen(
            context => !context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/hubs")
                && !context.Request.Path.StartsWithSegments("/mcp") && !context.Request.Path.StartsWithSegments("/cdp"),
            branch => branch.UseStatusCodePagesWithReExecute(path, createScopeForStatusCodePages: true));
        return app;
    }

    public static WebApplication MapBrowserServiceProxy(this WebApplication app)
    {
        var guard = app.Services.GetRequiredService<SameOriginGuard>();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use((context, next) => guard.InvokeAsync(context, next));
            proxy.Use(NodeSelection.SelectNodeAsync);
            // A custom pipeline replaces YARP's default one: these are its steps.
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        }).AllowAnonymous(); // the browser service decides: a signed person, a token, or its 401
        return app;
    }

    /// <summary>One destination per node, each knowing its node id (kept when service discovery resolves it).</summary>
    private static Dictionary<string, DestinationConfig> Destinations(int nodes) =>
        Enumerable.Range(1, nodes).Select(BrowserNodes.ResourceName).ToDictionary(
            name => name,
            name => new DestinationConfig
            {
                Address = $"http://{name}",
                Metadata = new Dictionary<string, string> { [NodeSelection.NodeMetadata] = name },
            });

    private static RouteConfig Route(string id, string path, string cluster = ClusterId) => new()
    {
        RouteId = id,
        ClusterId = cluster,
        Match = new RouteMatch { Path = path },
    };
}
