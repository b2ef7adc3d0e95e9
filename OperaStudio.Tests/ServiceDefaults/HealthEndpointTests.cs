using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.ServiceDefaults;

/// <summary>/health is ready only when Redis and PostgreSQL really answer; /alive only says the process runs.</summary>
public sealed class HealthEndpointTests(DataStoresFixture stores)
{
    [Fact]
    public async Task Health_RedisAndPostgresUp_ReportsHealthyWithEachCheck()
    {
        await using var service = CreateBrowserService(stores.RedisConnectionString, await stores.CreateDatabaseAsync("health"));
        using var client = service.CreateClient();

        // Ready once migrations are applied and the browsers run; poll instead of guessing how long that takes.
        HttpResponseMessage response;
        var attempts = 0;
        while ((response = await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode != HttpStatusCode.OK && ++attempts < 100)
        {
            response.Dispose();
            await Task.Delay(200);
        }

        var checks = await ReadChecksAsync(response);
        response.Dispose();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", checks[ResourceNames.Redis]);
        Assert.Equal("Healthy", checks[ResourceNames.Database]);
        Assert.Equal("Healthy", checks["migrations"]);
        Assert.Equal("Healthy", checks["browsers"]);
    }

    [Fact]
    public async Task Health_RedisAndPostgresDown_ReportsUnhealthyButAlive()
    {
        var deadPort = Signals.FreePort();
        await using var service = CreateBrowserService(
            $"127.0.0.1:{deadPort}", $"Host=127.0.0.1;Port={deadPort};Database=none;Username=opera;Password=x");
        using var client = service.CreateClient();

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var checks = await ReadChecksAsync(health);
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", checks[ResourceNames.Redis]);
        Assert.Equal("Unhealthy", checks[ResourceNames.Database]);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    private static WebApplicationFactory<Program> CreateBrowserService(string redisConnectionString, string databaseConnectionString) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("Browsers:WarmContexts", "0")
            .UseSetting("Auth:ServiceKey", TestIdentity.ServiceKey)
            .UseSetting($"ConnectionStrings:{ResourceNames.Redis}", redisConnectionString)
            .UseSetting($"ConnectionStrings:{ResourceNames.Database}", databaseConnectionString));

    private static async Task<Dictionary<string, string>> ReadChecksAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(check => check.Name, check => check.Value.GetProperty("status").GetString()!);
    }
}
