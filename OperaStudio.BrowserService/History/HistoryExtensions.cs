namespace OperaStudio.BrowserService.History;

public static class HistoryExtensions
{
    public static WebApplicationBuilder AddHistory(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HistoryOptions>()
            .BindConfiguration(HistoryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<HistoryRecorder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<HistoryRecorder>());
        return builder;
    }
}
