using Microsoft.Extensions.DependencyInjection.Extensions;
using OperaStudio.BrowserService.Workflows.Comparison;
using OperaStudio.BrowserService.Workflows.Runs;
using OperaStudio.BrowserService.Workflows.Storage;

namespace OperaStudio.BrowserService.Workflows;

public static partial class WorkflowsExtensions
{
    /// <summary>Workflows: the stored catalog, the runner, and what batches, schedules and authoring add (the extras).</summary>
    public static IHostApplicationBuilder AddWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkflowOptions>()
            .BindConfiguration(WorkflowOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<WorkflowCatalog>();
        builder.Services.AddSingleton<IWorkflowCatalog>(services => services.GetRequiredService<WorkflowCatalog>());
        builder.Services.AddSingleton<WorkflowRunStore>();
        builder.Services.AddSingleton<Regrounder>();
        builder.Services.TryAddSingleton<ComparisonSummarizer>();
        builder.Services.AddSingleton<StepExecutor>();
        builder.Services.AddSingleton<WorkflowRunner>();
        builder.Services.AddSingleton<IWorkflowRuns>(services => services.GetRequiredService<WorkflowRunner>());
        builder.Services.AddSingleton<WorkflowRunRecovery>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WorkflowRunRecovery>());
        AddWorkflowExtras(builder);
        return builder;
    }

    public static IEndpointRouteBuilder MapWorkflows(this IEndpointRouteBuilder app)
    {
        app.MapWorkflowsApi();
        MapWorkflowExtras(app);
        return app;
    }

    /// <summary>Batches, schedules, authoring (Workflows/WorkflowsExtensions.Extras.cs).</summary>
    static partial void AddWorkflowExtras(IHostApplicationBuilder builder);

    static partial void MapWorkflowExtras(IEndpointRouteBuilder app);
}
