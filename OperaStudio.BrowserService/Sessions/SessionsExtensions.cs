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
        builder.Services.AddSingleton<SessionManager>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SessionManager>());
        builder.Services.AddSingleton<UrlGuard>();
        builder.Services.AddSingleton<Registry.SessionRegistry>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Registry.SessionRegistry>());
        return builder;
    }
}
