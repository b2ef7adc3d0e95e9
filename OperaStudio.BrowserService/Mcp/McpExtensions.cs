using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using OperaStudio.BrowserService.Identity;

namespace OperaStudio.BrowserService.Mcp;

/// <summary>
/// The MCP server at <c>/mcp</c> (streamable HTTP): AI clients (Claude, VS Code, Cursor) drive a session with the
/// agent's own browser tools. Each MCP session gets its own tools, bound to the browser session it creates or attaches
/// to, so the server keeps state between requests (stateful mode). Callers are authenticated like every other route
/// (an API token as bearer; none or a bad one gets the service's 401).
/// </summary>
public static class McpExtensions
{
    public const string Path = "/mcp";

    public static WebApplicationBuilder AddMcpEndpoint(this WebApplicationBuilder builder)
    {
        builder.Services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "opera-studio", Version = "1.0" };
                options.ServerInstructions =
                    "Drives a live Opera Studio browser session that people watch (and may take over) in the panel. Call "
                    + $"{McpSessionTools.CreateSession} (optionally with a url) or {McpSessionTools.AttachSession} first; then "
                    + "use snapshot to read the page and act on its refs. Sensitive steps wait for a person's approval in the panel.";
            })
            .WithHttpTransport(http =>
            {
                http.SessionMode = HttpServerSessionMode.Stateful;
                http.ConfigureSessionOptions = (context, options, _) =>
                {
                    options.ToolCollection = [.. McpTools.For(new McpBinding(Callers.Name(context.User)))];
                    return Task.CompletedTask;
                };
            });
        return builder;
    }

    /// <summary>Maps <c>/mcp</c>; the fallback policy (a caller is required) covers it, so no token means 401.</summary>
    public static IEndpointRouteBuilder MapMcpEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapMcp(Path).WithTags("MCP");
        return app;
    }
}
