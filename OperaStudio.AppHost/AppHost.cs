using OperaStudio.AppHost;
using OperaStudio.AppHost.Dashboard;
using OperaStudio.AppHost.Hosting;
using OperaStudio.AppHost.Startup;
using OperaStudio.ServiceDefaults;

var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostSettings.From(builder);

// Redis and PostgreSQL: an existing server named in configuration (ConnectionStrings__redis, ConnectionStrings__operadb),
// else Aspire's containers when a container runtime answers, else the machine's own binaries as Aspire resources.
IResourceBuilder<IResourceWithConnectionString> redis = builder.HasConnectionString(ResourceNames.Redis)
    ? builder.AddConnectionString(ResourceNames.Redis)
    : settings.UseContainers
        ? builder.AddRedis(ResourceNames.Redis).WithDataVolume()
        : builder.AddNativeRedis(ResourceNames.Redis, settings.DataDirectory);

IResourceBuilder<IResourceWithConnectionString> database = builder.HasConnectionString(ResourceNames.Database)
    ? builder.AddConnectionString(ResourceNames.Database)
    : settings.UseContainers
        ? builder.AddPostgres(ResourceNames.Postgres).WithDataVolume().AddDatabase(ResourceNames.Database)
        : builder.AddNativePostgres(ResourceNames.Postgres, settings.DataDirectory).AddDatabase(ResourceNames.Database);

var browser = builder.AddProject<Projects.OperaStudio_BrowserService>(ResourceNames.BrowserService, project => project.ExcludeLaunchProfile = true)
    .WithHttpEndpoint(port: Ports.Free(), isProxied: false)
    .WithProjectDefaults()
    // Aspire turns on message contents in GenAI traces; page text has no place in telemetry.
    .WithEnvironment("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "false")
    // The key that encrypts the Data Protection keys stored in PostgreSQL is kept outside it, in the data directory
    // (the service creates the file on its first start).
    .WithEnvironment("DataProtection__KeyFile", settings.DataProtectionKeyFile)
    .WithEnvironment("Auth__ServiceKey", settings.ServiceKey)
    .WithEnvironment("Auth__Admin__UserName", settings.AdminUserName)
    // Recordings hold hours of frames: they belong with the rest of the data, not in the temp directory.
    .WithEnvironment("Recording__Path", Path.Combine(settings.DataDirectory, "recordings"))
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(database).WaitFor(database)
    .WithOperatorCommands(settings);
if (settings.AdminToken is { } adminToken)
{
    browser.WithEnvironment("Auth__AdminToken", adminToken);
}

var web = builder.AddProject<Projects.OperaStudio_Web>(ResourceNames.Web, project => project.ExcludeLaunchProfile = true)
    .WithHttpEndpoint(port: settings.WebPort, isProxied: false)
    .WithProjectDefaults()
    .WithExternalHttpEndpoints()
    .WithAppLinks()
    .WithHttpHealthCheck("/health")
    .WithPortCheck(settings.WebPort, "OPERA_WEB_PORT")
    .WithEnvironment("Auth__ServiceKey", settings.ServiceKey)
    .WithEnvironment("Auth__Admin__UserName", settings.AdminUserName)
    // Accounts live in the same database; the sign-in cookies' keys are encrypted with the same key file.
    .WithEnvironment("DataProtection__KeyFile", settings.DataProtectionKeyFile)
    .WithReference(database).WaitFor(database)
    // No WaitFor(browser): the web app starts beside it (it says so while the browser service is not there yet).
    .WithReference(browser);
if (settings.AdminPassword is { } adminPassword)
{
    web.WithEnvironment("Auth__Admin__Password", adminPassword);
}

builder.AddStartupReport();
builder.AddOrderedShutdown();

builder.Build().Run();
