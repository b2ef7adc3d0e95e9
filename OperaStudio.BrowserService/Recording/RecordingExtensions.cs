namespace OperaStudio.BrowserService.Recording;

public static class RecordingExtensions
{
    /// <summary>Session recording: the recorders (after the live view, whose streams they attach to), retention, export.</summary>
    public static WebApplicationBuilder AddRecording(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RecordingOptions>()
            .BindConfiguration(RecordingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<RecordingAccess>();
        builder.Services.AddSingleton<RecordingExporter>();
        builder.Services.AddSingleton<Recorders>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Recorders>());
        builder.Services.AddSingleton<RecordingRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RecordingRetention>());
        return builder;
    }
}
