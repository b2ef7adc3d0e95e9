using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.AppHost.Dashboard;

internal static class OperatorCommands
{
    /// <summary>
    /// Buttons on the browser service in the dashboard: drain the node (it stops taking new sessions and reports
    /// not-ready, while the sessions it holds go on) and take sessions again.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOperatorCommands(this IResourceBuilder<ProjectResource> browser, AppHostSettings settings) =>
        browser
            .WithHttpCommand("/api/operations/drain", "Drain", commandOptions: new HttpCommandOptions
            {
                Description = "Stop taking new sessions on this node; the sessions it holds go on until they end.",
                IconName = "ArrowExit",
                ConfirmationMessage = "Drain the browser service? New sessions will be refused until you resume it.",
                Method = HttpMethod.Post,
                PrepareRequest = context => SignAsAdministrator(context, settings),
            })
            .WithHttpCommand("/api/operations/drain", "Resume", commandOptions: new HttpCommandOptions
            {
                Description = "Take new sessions again after a drain.",
                IconName = "Play",
                Method = HttpMethod.Delete,
                PrepareRequest = context => SignAsAdministrator(context, settings),
            });

    /// <summary>The operations API is the administrator's; the dashboard's buttons act as them.</summary>
    private static Task SignAsAdministrator(HttpCommandRequestContext context, AppHostSettings settings)
    {
        context.Request.Headers.Add(CallerSignature.Header, CallerSignature.Sign(settings.AdminUserName, DateTimeOffset.UtcNow.AddMinutes(5), settings.ServiceKey));
        return Task.CompletedTask;
    }

    /// <summary>The web app's links in the dashboard: the app itself and its operations view.</summary>
    public static IResourceBuilder<ProjectResource> WithAppLinks(this IResourceBuilder<ProjectResource> web) =>
        web.WithUrls(context =>
        {
            foreach (var url in context.Urls.Where(u => u.Endpoint?.EndpointName == "http"))
            {
                url.DisplayText = "Opera Studio";
            }

            if (context.Urls.FirstOrDefault(u => u.Endpoint?.EndpointName == "http") is { } app)
            {
                context.Urls.Add(new ResourceUrlAnnotation { Url = app.Url.TrimEnd('/') + "/operations", DisplayText = "Operations view", Endpoint = app.Endpoint });
            }
        });
}
