using OperaStudio.BrowserService.Workflows.Batches;

namespace OperaStudio.BrowserService.Workflows;

// What the batches, schedules and authoring add to the workflows (the core calls these two hooks).
public static partial class WorkflowsExtensions
{
    static partial void AddWorkflowExtras(IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WorkflowBatches>();
    }

    static partial void MapWorkflowExtras(IEndpointRouteBuilder app)
    {
        app.MapWorkflowBatchesApi();
    }
}
