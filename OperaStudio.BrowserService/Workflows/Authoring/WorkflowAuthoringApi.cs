using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Recording;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Workflows.Authoring;

/// <summary>
/// "Save as workflow" from a finished chat run, and "Make workflow" from a recording. The caller must be able to see the
/// session or the recording (else it does not exist for them); the workflow is theirs.
/// </summary>
public static class WorkflowAuthoringApi
{
    public static IEndpointRouteBuilder MapWorkflowAuthoringApi(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/api/workflows").WithTags("Workflows");
        workflows.MapPost("/from-run", FromRunAsync);
        workflows.MapPost("/from-recording", FromRecordingAsync);
        return app;
    }

    private static async Task<Results<Created<WorkflowDto>, ProblemHttpResult>> FromRunAsync(
        WorkflowFromRunRequest? request, ClaimsPrincipal user, SessionAccess access, WorkflowAuthoring authoring, IWorkflowCatalog catalog,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request?.SessionId))
        {
            return Invalid(["sessionId is required: the session whose chat run becomes the workflow."]);
        }

        if (await access.RightAsync(user, request.SessionId, cancellationToken) == SessionRight.None)
        {
            return Problems.SessionNotFound(request.SessionId);
        }

        return await CreateAsync(() => Task.FromResult(authoring.FromRun(request.SessionId, request.RunId, request.Name)), user, catalog, cancellationToken);
    }

    private static async Task<Results<Created<WorkflowDto>, ProblemHttpResult>> FromRecordingAsync(
        WorkflowFromRecordingRequest? request, ClaimsPrincipal user, RecordingAccess access, IDbContextFactory<OperaDbContext> database,
        WorkflowAuthoring authoring, IWorkflowCatalog catalog, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request?.RecordingId))
        {
            return Invalid(["recordingId is required: the recording whose actions become the workflow."]);
        }

        await using var db = await database.CreateDbContextAsync(cancellationToken);
        if (await access.FindAsync(db, request.RecordingId, user, cancellationToken) is not { } recording)
        {
            return Problems.NotFound("Recording not found", $"There is no recording '{request.RecordingId}'.");
        }

        return await CreateAsync(() => authoring.FromRecordingAsync(recording, request.Name, cancellationToken), user, catalog, cancellationToken);
    }

    private static async Task<Results<Created<WorkflowDto>, ProblemHttpResult>> CreateAsync(
        Func<Task<WorkflowDefinitionDto>> make, ClaimsPrincipal user, IWorkflowCatalog catalog, CancellationToken cancellationToken)
    {
        try
        {
            var created = await catalog.CreateAsync(Callers.Name(user), await make(), cancellationToken);
            return TypedResults.Created($"/api/workflows/{created.Id}", created);
        }
        catch (AuthoringException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: "No workflow can be made from it");
        }
        catch (WorkflowInvalidException ex)
        {
            // The steps did not make a valid workflow: a bug here, told in full rather than hidden.
            return Invalid(ex.Problems);
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Problems.Unavailable($"The workflow store is not reachable: {SessionsApi.FirstLine(ex.Message)}");
        }
    }

    private static ProblemHttpResult Invalid(IReadOnlyList<string> problems) =>
        TypedResults.Problem(
            string.Join(" ", problems), statusCode: StatusCodes.Status400BadRequest, title: "The workflow is not valid",
            extensions: new Dictionary<string, object?> { ["problems"] = problems.ToArray() });
}
