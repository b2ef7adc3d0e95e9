namespace OperaStudio.AppHost;

internal static class ProjectDefaults
{
    /// <summary>
    /// What both services need from the AppHost beyond their ports. They run without their launch profiles (the
    /// AppHost sets the ports) and DCP never passes the AppHost's environment name on, so they get it here:
    /// Development under run.sh and `dotnet run`, which serves the web app's static assets from the build output and
    /// reads user secrets such as the model key. They serve plain HTTP on loopback (TLS belongs to whatever fronts
    /// them in production), so no development certificate is configured or asked for.
    /// </summary>
#pragma warning disable ASPIRECERTIFICATES001 // WithoutHttpsCertificate is an evaluation API in 13.6; without it the dashboard warns about a certificate nothing uses
    public static IResourceBuilder<ProjectResource> WithProjectDefaults(this IResourceBuilder<ProjectResource> project) =>
        project
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", project.ApplicationBuilder.Environment.EnvironmentName)
            .WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
}
