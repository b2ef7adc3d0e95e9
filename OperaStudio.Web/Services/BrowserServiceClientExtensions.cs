using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using OperaStudio.Web.Identity;
using OperaStudio.BrowserService.Contracts;
using Polly;

namespace OperaStudio.Web.Services;

public static class BrowserServiceClientExtensions
{
    /// <summary>
    /// The typed client with its own resilience: the service defaults' standard handler would retry a POST (a second
    /// session, a second navigation), cut navigations at its 10 s attempt timeout and open its circuit after a few
    /// 502s from failing sites. Here only safe methods are retried, briefly, and nothing else is second-guessed.
    /// </summary>
    public static IServiceCollection AddBrowserServiceClient(this IServiceCollection services)
    {
        services.AddOptions<WebAuthOptions>().BindConfiguration(WebAuthOptions.SectionName)
            .Validate(o => o.ServiceKey.Length >= CallerSignature.MinimumKeyLength,
                $"Auth:ServiceKey must be the browser service's key (at least {CallerSignature.MinimumKeyLength} characters): the web app signs whom it acts for with it. The AppHost sets it.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ServiceIdentity>();
        services.AddTransient<ServiceIdentityHandler>();
        services.AddTransient<Proxy.Nodes.NodeRoutingHandler>();
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental, but it is the way to opt one client out of the defaults.
        services.AddHttpClient<BrowserServiceClient>(http =>
            {
                http.BaseAddress = BrowserServiceClient.BaseAddress;
                http.Timeout = BrowserServiceClient.Timeout;
                // Everything this client does, a person did in the UI: the history logs it as theirs.
                http.DefaultRequestHeaders.Add(ApiHeaders.Actor, ApiHeaders.HumanActor);
            })
            .AddHttpMessageHandler<ServiceIdentityHandler>()
            .AddHttpMessageHandler<Proxy.Nodes.NodeRoutingHandler>()
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("browser-service", pipeline =>
            {
                var retry = new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    Delay = TimeSpan.FromMilliseconds(200),
                    BackoffType = DelayBackoffType.Exponential,
                };
                retry.DisableForUnsafeHttpMethods();
                pipeline.AddRetry(retry);
            });
#pragma warning restore EXTEXP0001
        return services;
    }
}
