using OperaStudio.AppHost.Hosting;
using OperaStudio.AppHost.Hosting.Postgres;
using OperaStudio.AppHost.Hosting.Redis;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.AppHost;

/// <summary>The whole system, declared as Aspire would: two data stores, the browser service, the web app.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(args);

        var redis = builder.AddRedis(ResourceNames.Redis);
        var database = builder.AddPostgres(ResourceNames.Postgres).AddDatabase(ResourceNames.Database);

        var browser = builder.AddProject<Projects.OperaStudio_BrowserService>(ResourceNames.BrowserService)
            .WithReference(redis).WaitFor(redis)
            .WithReference(database).WaitFor(database);

        builder.AddProject<Projects.OperaStudio_Web>(ResourceNames.Web)
            .WithHttpEndpoint(builder.Options.WebPort, hint: "Choose another port, e.g. OPERA_WEB_PORT=5090.")
            .WithReference(browser).WaitFor(browser);

        return await builder.Build().RunAsync();
    }
}
