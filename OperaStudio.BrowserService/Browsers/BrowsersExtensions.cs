using Microsoft.Extensions.Diagnostics.HealthChecks;
using OperaStudio.BrowserService.Browsers.Sandbox;

namespace OperaStudio.BrowserService.Browsers;

public static class BrowsersExtensions
{
    public static WebApplicationBuilder AddBrowsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<BrowserOptions>()
            .BindConfiguration(BrowserOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ChromiumSandbox>();
        builder.Services.AddSingleton<BrowserPool>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BrowserPool>());
        builder.Services.AddHealthChecks().AddCheck<BrowserPoolHealthCheck>("browsers", tags: ["ready"]);
        return builder;
    }

    private sealed class BrowserPoolHealthCheck(BrowserPool pool) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(pool.IsReady
                ? HealthCheckResult.Healthy($"{pool.ConnectedBrowsers} browser(s), {pool.WarmCount} warm context(s), {pool.TotalContexts} context(s)")
                : HealthCheckResult.Unhealthy("No Chromium process is running."));
    }
}
