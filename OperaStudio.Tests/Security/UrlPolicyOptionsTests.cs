using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.Tests.Security;

/// <summary>The UrlPolicy section binds from configuration and the environment; a malformed entry stops the start.</summary>
public sealed class UrlPolicyOptionsTests
{
    [Theory]
    [InlineData("AllowedHosts", "http://127.0.0.1:8081", "UrlPolicy:AllowedHosts[0] 'http://127.0.0.1:8081' is not valid")]
    [InlineData("AllowedHosts", "127.0.0.1:http", "'http' is not a port")]
    [InlineData("AllowedHosts", "127.0.0.1:70000", "'70000' is not a port")]
    [InlineData("AllowedHosts", "127.0.0.1:", "'' is not a port")]
    [InlineData("AllowedHosts", "256.0.0.1:80", "'256.0.0.1' is not a host name or IP address")]
    [InlineData("AllowedHosts", "[::1", "is not valid")]
    [InlineData("AllowedHosts", "intranet.example.com/path", "give a host or host:port")]
    [InlineData("AllowedHosts", "*.example.com", "give a host or host:port")]
    [InlineData("AllowedHosts", "", "give a host or host:port")]
    [InlineData("BlockedHosts", "example.com:443", "a port is not allowed here")]
    public async Task Start_MalformedEntry_FailsWithClearMessage(string key, string entry, string message)
    {
        await using var app = Build(new() { [$"UrlPolicy:{key}:0"] = entry });

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EntriesFromEnvironment_BindAndAdmitTheCanonicalHost()
    {
        // The real environment-variable provider, with a prefix only this test uses, so parallel tests are unaffected.
        var prefix = $"OPERA_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "UrlPolicy__AllowedHosts__0", "127.0.0.1:8081");
        Environment.SetEnvironmentVariable(prefix + "UrlPolicy__BlockedHosts__0", "example.com");
        Environment.SetEnvironmentVariable(prefix + "UrlPolicy__AllowPrivateNetworks", "true");
        try
        {
            await using var app = Build([], builder => builder.Configuration.AddEnvironmentVariables(prefix));
            await app.StartAsync();
            var policy = app.Services.GetRequiredService<UrlPolicy>();

            Assert.True(policy.Evaluate(new Uri("http://2130706433:8081/"), UrlUse.TopLevel).Allowed);
            Assert.False(policy.Evaluate(new Uri("http://2130706433:8082/"), UrlUse.TopLevel).Allowed);
            Assert.Equal(UrlDecision.BlockedHost, policy.Evaluate(new Uri("https://www.example.com/"), UrlUse.TopLevel).Code);
            Assert.True(policy.Evaluate(new Uri("http://192.168.1.1/"), UrlUse.TopLevel).Allowed);
            Assert.Contains("--proxy-bypass-list=<-loopback>", app.Services.GetRequiredService<FilteringProxy>().ChromiumArguments);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "UrlPolicy__AllowedHosts__0", null);
            Environment.SetEnvironmentVariable(prefix + "UrlPolicy__BlockedHosts__0", null);
            Environment.SetEnvironmentVariable(prefix + "UrlPolicy__AllowPrivateNetworks", null);
        }
    }

    private static WebApplication Build(Dictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        configure?.Invoke(builder);
        builder.AddUrlPolicy();
        return builder.Build();
    }
}
