namespace OperaStudio.BrowserService.Nodes;

public static class NodesExtensions
{
    /// <summary>
    /// The node directory, this node's heartbeat in it and the drain's hand-over. Call before <c>AddSessions</c>: the
    /// heartbeat is hosted first so it stops last, after the sessions are saved.
    /// </summary>
    public static WebApplicationBuilder AddNodes(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<NodeOptions>()
            .BindConfiguration(NodeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<NodeDirectory>();
        builder.Services.AddSingleton<NodeMigration>();
        builder.Services.AddSingleton<NodeHeartbeat>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NodeHeartbeat>());
        return builder;
    }
}
