using Microsoft.AspNetCore.Components;
using MudBlazor;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Pages.Recordings;

// "Make workflow": the recording's action list becomes a workflow (the service maps it), opened in the editor.
public sealed partial class Player
{
    private bool _makingWorkflow;

    [Inject]
    private NavigationManager Navigation { get; set; } = null!;

    private async Task MakeWorkflowAsync()
    {
        if (_detail is not { } detail)
        {
            return;
        }

        _makingWorkflow = true;
        var result = await Api.CreateWorkflowFromRecordingAsync(new WorkflowFromRecordingRequest(detail.Recording.Id, null));
        _makingWorkflow = false;
        if (result.Value is { } workflow)
        {
            Navigation.NavigateTo(BrowserServiceClient.WorkflowPagePath(workflow.Id));
        }
        else if (result.Problem is { } problem)
        {
            Snackbar.Add($"No workflow made: {(problem.Problems is { Count: > 0 } list ? string.Join(" ", list) : problem.Message)}", Severity.Warning);
        }
    }
}
