using OperaStudio.BrowserService.Workflows.Authoring;
using OperaStudio.BrowserService.Workflows.Batches;
using OperaStudio.BrowserService.Workflows.Schedules;

namespace OperaStudio.BrowserService.Workflows;

// What the batches, schedules and authoring add to the workflows (the core calls these two hooks).
public static partial class WorkflowsExtensions
{
    static partial void AddWorkflowExtras(IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WorkflowBatches>();
        builder.Services.AddSingleton<WorkflowAuthoring>();
        builder.Services.AddSingleton<WorkflowScheduler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WorkflowScheduler>());
    }

    static partial void MapWorkflowExtras(IEndpointRouteBuilder app)
    {
        app.MapWorkflowBatchesApi();
        app.MapWorkflowAuthoringApi();
    }
}
