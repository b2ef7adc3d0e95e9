using OperaStudio.BrowserService.Sessions.Persistence;
using OperaStudio.BrowserService.Sessions.Registry;

namespace OperaStudio.BrowserService.Sessions;

public static class SessionsExtensions
{
    public static WebApplicationBuilder AddSessions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SessionOptions>()
            .BindConfiguration(SessionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UrlGuard>();
        builder.Services.AddSingleton<SessionStateStore>();
        // Registry and saver are hosted before the manager, so the manager stops (saving every session) first.
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SessionRegistry>());
        builder.Services.AddSingleton<SessionSaver>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SessionSaver>());
        builder.Services.AddSingleton<SessionManager>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SessionManager>());
        return builder;
    }
}
