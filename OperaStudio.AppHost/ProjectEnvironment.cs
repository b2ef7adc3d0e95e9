namespace OperaStudio.AppHost;

internal static class ProjectEnvironment
{
    /// <summary>
    /// The projects run without their launch profiles (the AppHost sets their ports), and DCP never passes the
    /// AppHost's own environment name on, so they get it here: Development under run.sh and `dotnet run`, which
    /// serves the web app's static assets from the build output and reads user secrets such as the model key.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAppHostEnvironment(this IResourceBuilder<ProjectResource> project) =>
        project.WithEnvironment("ASPNETCORE_ENVIRONMENT", project.ApplicationBuilder.Environment.EnvironmentName);
}
