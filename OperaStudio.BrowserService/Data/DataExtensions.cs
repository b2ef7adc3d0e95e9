using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.BrowserService.Data;

public static class DataExtensions
{
    /// <summary>
    /// Redis for live state and PostgreSQL for history (migrated at start), through Aspire's client integrations on
    /// the AppHost's connection strings. Data Protection keys live in PostgreSQL too, so saved logins stay readable
    /// after a restart or on another node.
    /// </summary>
    public static WebApplicationBuilder AddDataStores(this WebApplicationBuilder builder)
    {
        builder.AddRedisClient(
            ResourceNames.Redis,
            // /health names each store after its resource ("redis", "operadb"): DataStoreHealthChecks below.
            settings => settings.DisableHealthChecks = true,
            options =>
            {
                options.ConnectTimeout = 3000;
                options.ClientName ??= builder.Environment.ApplicationName;
            });

        builder.AddNpgsqlDbContext<OperaDbContext>(
            ResourceNames.Database,
            settings =>
            {
                settings.DisableHealthChecks = true;
                // Few, short retries: during an outage the API answers within seconds and the writers retry later themselves.
                settings.DisableRetry = true;
                settings.ConnectionString = FailFast(settings.ConnectionString);
            },
            options => options.UseNpgsql(npgsql => npgsql.EnableRetryOnFailure(3, TimeSpan.FromSeconds(2), null)));
        // Singletons (history writer, session store) open short-lived contexts: a factory over the same options.
        builder.Services.AddSingleton<IDbContextFactory<OperaDbContext>>(services =>
            new PooledDbContextFactory<OperaDbContext>(services.GetRequiredService<DbContextOptions<OperaDbContext>>()));

        builder.Services.AddHealthChecks()
            .AddCheck<RedisHealthCheck>(ResourceNames.Redis, tags: ["ready"], timeout: TimeSpan.FromSeconds(3))
            .AddCheck<DatabaseHealthCheck>(ResourceNames.Database, tags: ["ready"], timeout: TimeSpan.FromSeconds(5));

        builder.Services.AddSingleton<DatabaseInitializer>();
        // The first hosted service, whatever the call order: Data Protection's reads its key ring from these tables at
        // start, and AddAuthentication (AddCallerIdentity) registers it before this runs.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(services => services.GetRequiredService<DatabaseInitializer>()));
        builder.Services.AddHealthChecks().AddCheck<DatabaseInitializer>("migrations", tags: ["ready"]);
        builder.AddDataProtection();
        return builder;
    }

    /// <summary>
    /// The keys that encrypt saved cookies and storage are kept in PostgreSQL (so any node and any restart reads
    /// them) and encrypted there with a certificate from outside the database (<see cref="KeyRingProtectionOptions"/>).
    /// </summary>
    private static void AddDataProtection(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(KeyRingProtectionOptions.SectionName).Get<KeyRingProtectionOptions>() ?? new();
        var current = KeyEncryptionCertificate.LoadOrCreate(settings.KeyFile is { Length: > 0 } file ? file : KeyEncryptionCertificate.DefaultPath);
        var previous = settings.PreviousKeyFiles.Where(path => path.Length > 0).Select(KeyEncryptionCertificate.Load);
        builder.Services.AddDataProtection()
            .SetApplicationName("OperaStudio")
            .PersistKeysToDbContext<OperaDbContext>()
            .ProtectKeysWithCertificate(current)
            .UnprotectKeysWithAnyCertificate([current, .. previous]);
    }

    /// <summary>A 5 s connect timeout instead of Npgsql's 15 s, unless the connection string chose one.</summary>
    private static string? FailFast(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Timeout == 15)
        {
            builder.Timeout = 5;
        }

        return builder.ConnectionString;
    }
}
