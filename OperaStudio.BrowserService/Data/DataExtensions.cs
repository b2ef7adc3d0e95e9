using Microsoft.AspNetCore.DataProtection;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.BrowserService.Data;

public static class DataExtensions
{
    /// <summary>
    /// Redis for live state, PostgreSQL for history (migrated at start), both from the AppHost's connection strings.
    /// Data Protection keys live in PostgreSQL too, so saved logins stay readable after a restart or on another node.
    /// </summary>
    public static WebApplicationBuilder AddDataStores(this WebApplicationBuilder builder)
    {
        builder.AddRedisClient(ResourceNames.Redis);
        builder.AddNpgsqlDbContext<OperaDbContext>(ResourceNames.Database);
        builder.Services.AddSingleton<DatabaseInitializer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DatabaseInitializer>());
        builder.Services.AddHealthChecks().AddCheck<DatabaseInitializer>("migrations", tags: ["ready"]);
        builder.Services.AddDataProtection()
            .SetApplicationName("OperaStudio")
            .PersistKeysToDbContext<OperaDbContext>();
        return builder;
    }
}
