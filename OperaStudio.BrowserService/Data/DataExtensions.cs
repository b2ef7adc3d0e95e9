using OperaStudio.ServiceDefaults;

namespace OperaStudio.BrowserService.Data;

public static class DataExtensions
{
    /// <summary>Redis for live state, PostgreSQL for history; both from the AppHost's connection strings.</summary>
    public static WebApplicationBuilder AddDataStores(this WebApplicationBuilder builder)
    {
        builder.AddRedisClient(ResourceNames.Redis);
        builder.AddNpgsqlDbContext<OperaDbContext>(ResourceNames.Database);
        return builder;
    }
}
