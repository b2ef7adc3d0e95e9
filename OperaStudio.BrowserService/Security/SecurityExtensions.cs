using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Security;

// In the hosting namespace, as the service defaults are, so Program.cs calls it without a using of its own.
namespace Microsoft.Extensions.Hosting;

public static class SecurityExtensions
{
    /// <summary>
    /// The URL policy and the filtering proxy every browser is launched through. The proxy is a hosted service
    /// registered here, before the browser pool, so it listens before any browser starts.
    /// </summary>
    public static WebApplicationBuilder AddUrlPolicy(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<UrlPolicyOptions>()
            .BindConfiguration(UrlPolicyOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<UrlPolicy>();
        builder.Services.AddSingleton<FilteringProxy>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FilteringProxy>());
        builder.Services.AddSingleton<IBrowserLaunchArguments>(services => services.GetRequiredService<FilteringProxy>());
        return builder;
    }
}
