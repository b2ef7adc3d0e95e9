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

// The browser service: one node (`browser`), or with BrowserService:Nodes > 1 also `browser-2`, `browser-3`, … each on its
// own port under its own node id, sharing Redis and PostgreSQL; the web app routes each session to the node holding it.
var browsers = Enumerable.Range(1, settings.BrowserNodes).Select(AddBrowserNode).ToList();

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
    .WithEnvironment("BrowserService__Nodes", settings.BrowserNodes.ToString(System.Globalization.CultureInfo.InvariantCulture));
// No WaitFor(browser): the web app starts beside it (it says so while the browser service is not there yet).
foreach (var node in browsers)
{
    web.WithReference(node);
}

if (settings.BrowserNodes > 1)
{
    // The router reads the node directory and the session registry.
    web.WithReference(redis).WaitFor(redis);
}
if (settings.AdminPassword is { } adminPassword)
{
    web.WithEnvironment("Auth__Admin__Password", adminPassword);
}

builder.AddStartupReport();
builder.AddOrderedShutdown();

builder.Build().Run();

IResourceBuilder<ProjectResource> AddBrowserNode(int ordinal)
{
    var name = BrowserNodes.ResourceName(ordinal);
    var browser = builder.AddProject<Projects.OperaStudio_BrowserService>(name, project => project.ExcludeLaunchProfile = true)
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

    if (settings.BrowserNodes > 1)
    {
        // Its node id is its resource name, which the web app's router knows it by; a drain hands its sessions over;
        // hub messages that must reach another node go through Redis.
        var endpoint = browser.GetEndpoint("http");
        browser.WithEnvironment("Sessions__NodeId", name)
            .WithEnvironment("Nodes__Address", endpoint)
            .WithEnvironment("Nodes__MigrateOnDrain", "true")
            .WithEnvironment("Nodes__Backplane", "true");
    }

    return browser;
}
