using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sharing;
using OperaStudio.BrowserService.Workflows.Definitions;
using OperaStudio.BrowserService.Workflows.Runs;
using OperaStudio.BrowserService.Workflows.Storage;

namespace OperaStudio.BrowserService.Workflows;

/// <summary>
/// Workflows over HTTP: create (from the JSON that export gives back), read, edit (a new version each time), delete
/// (runs stay readable), run, and follow, resume and cancel runs. Workflows and runs belong to their owner; anyone else
/// (but the administrator) is told they do not exist.
/// </summary>
public static class WorkflowsApi
{
    public static IEndpointRouteBuilder MapWorkflowsApi(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/api/workflows").WithTags("Workflows");
        workflows.MapGet("", ListAsync);
        workflows.MapPost("", CreateAsync);
        workflows.MapGet("/{id}", GetAsync);
        workflows.MapPut("/{id}", UpdateAsync);
        workflows.MapDelete("/{id}", DeleteAsync);
        workflows.MapGet("/{id}/versions", VersionsAsync);
        workflows.MapGet("/{id}/export", ExportAsync);
        workflows.MapGet("/{id}/runs", RunsAsync);
        workflows.MapPost("/{id}/runs", StartAsync);

        var runs = app.MapGroup("/api/workflow-runs").WithTags("Workflows");
        runs.MapGet("/{id}", GetRunAsync);
        runs.MapPost("/{id}/resume", ResumeAsync);
        runs.MapPost("/{id}/cancel", CancelAsync);
        runs.MapGet("/{id}/steps/{index:int}/image", ImageAsync);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<WorkflowSummaryDto>>> ListAsync(WorkflowCatalog catalog, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(await catalog.ListAsync(Callers.IsAdmin(user) ? null : Callers.Name(user), cancellationToken));

    private static async Task<Results<Created<WorkflowDto>, ProblemHttpResult>> CreateAsync(
        WorkflowDefinitionDto? definition, WorkflowCatalog catalog, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        try
        {
            var created = await catalog.CreateAsync(Callers.Name(user), definition!, cancellationToken);
            return TypedResults.Created($"/api/workflows/{created.Id}", created);
        }
        catch (WorkflowInvalidException ex)
        {
            return Invalid("The workflow is not valid", ex);
        }
    }

    private static async Task<Results<Ok<WorkflowDto>, ProblemHttpResult>> GetAsync(
        string id, WorkflowCatalog catalog, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await FindAsync(catalog, id, user, cancellationToken) is { } workflow ? TypedResults.Ok(workflow) : WorkflowNotFound(id);

    private static async Task<Results<Ok<WorkflowDto>, ProblemHttpResult>> UpdateAsync(
        string id, WorkflowDefinitionDto? definition, WorkflowCatalog catalog, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await FindAsync(catalog, id, user, cancellationToken) is null)
        {
            return WorkflowNotFound(id);
        }

        try
        {
            return await catalog.UpdateAsync(id, definition!, Callers.Name(user), cancellationToken) is { } updated ? TypedResults.Ok(updated) : WorkflowNotFound(id);
        }
        catch (WorkflowInvalidException ex)
        {
            return Invalid("The workflow is not valid", ex);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, WorkflowCatalog catalog, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await FindAsync(catalog, id, user, cancellationToken) is not null && await catalog.DeleteAsync(id, cancellationToken)
            ? TypedResults.NoContent()
            : WorkflowNotFound(id);

    private static async Task<Results<Ok<IReadOnlyList<WorkflowVersionDto>>, ProblemHttpResult>> VersionsAsync(
        string id, WorkflowCatalog catalog, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await FindAsync(catalog, id, user, cancellationToken) is not null
            ? TypedResults.Ok(await catalog.VersionsAsync(id, cancellationToken))
            : WorkflowNotFound(id);

    /// <summary>The definition as a file: exactly what POST /api/workflows takes.</summary>
    private static async Task<IResult> ExportAsync(
        string id, int? version, WorkflowCatalog catalog, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await FindAsync(catalog, id, user, cancellationToken) is not { } workflow)
        {
            return WorkflowNotFound(id);
        }

        if (await catalog.DefinitionAsync(id, version, cancellationToken) is not { } definition)
        {
            return Problems.NotFound("Version not found", $"Workflow {id} has no version {version}; its versions are 1 to {workflow.Version}.");
        }

        var file = string.Concat(definition.Name!.Select(c => char.IsLetterOrDigit(c) ? c : '-')).Trim('-');
        return TypedResults.Json(definition, WorkflowJson.Options, "application/json", StatusCodes.Status200OK) is var json && file.Length > 0
            ? new FileNamed(json, $"{file}.workflow.json")
            : json;
    }

    /// <summary>A workflow's runs; a deleted workflow's too (its runs stay readable).</summary>
    private static async Task<Results<Ok<IReadOnlyList<WorkflowRunSummaryDto>>, ProblemHttpResult>> RunsAsync(
        string id, WorkflowCatalog catalog, WorkflowRunStore store, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await catalog.RecordAsync(id, cancellationToken) is { } record && MaySee(record.Owner, user)
            ? TypedResults.Ok(await store.ForWorkflowAsync(id, cancellationToken))
            : WorkflowNotFound(id);

    private static async Task<Results<Accepted<WorkflowRunDto>, ProblemHttpResult>> StartAsync(
        string id, WorkflowRunRequest? request, WorkflowCatalog catalog, WorkflowRunner runner, SessionAccess access, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(catalog, id, user, cancellationToken) is null)
        {
            return WorkflowNotFound(id);
        }

        if (request?.SessionId is { } sessionId && await access.RightAsync(user, sessionId, cancellationToken) < SessionRight.Owner)
        {
            // Running steps in a session is acting in it at any time: its owner's (or the administrator's) right.
            return Problems.SessionNotFound(sessionId);
        }

        JsonObject inputs;
        try
        {
            inputs = request?.Inputs is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given
                ? JsonNode.Parse(given.GetRawText()) as JsonObject ?? throw new WorkflowInvalidException(["inputs must be a JSON object of parameter name → value."])
                : [];
        }
        catch (WorkflowInvalidException ex)
        {
            return Invalid("The inputs are not valid", ex);
        }

        return await RunAsync(
            () => runner.StartAsync(new WorkflowStart(id, Callers.Name(user), inputs, request?.SessionId, WorkflowActions.ManualTrigger), cancellationToken),
            "The inputs are not valid");
    }

    private static async Task<Results<Ok<WorkflowRunDto>, ProblemHttpResult>> GetRunAsync(
        string id, WorkflowRunStore store, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await FindRunAsync(store, id, user, cancellationToken) is { } run ? TypedResults.Ok(RunMapping.ToDto(run)) : RunNotFound(id);

    private static async Task<Results<Accepted<WorkflowRunDto>, ProblemHttpResult>> ResumeAsync(
        string id, HttpContext http, WorkflowRunStore store, WorkflowRunner runner, CancellationToken cancellationToken)
    {
        if (await FindRunAsync(store, id, http.User, cancellationToken) is null)
        {
            return RunNotFound(id);
        }

        ResumeRequest? request = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                request = await http.Request.ReadFromJsonAsync<ResumeRequest>(WorkflowJson.Options, cancellationToken);
            }
            catch (JsonException ex)
            {
                return Problems.BadRequest("Bad resume request", $"The body must be {{\"fromStep\": n}} or empty: {ex.Message}");
            }
        }

        return await RunAsync(() => runner.ResumeAsync(id, request?.FromStep, cancellationToken), "The run cannot resume from there");
    }

    private static async Task<Results<Ok<WorkflowRunDto>, ProblemHttpResult>> CancelAsync(
        string id, WorkflowRunStore store, WorkflowRunner runner, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await FindRunAsync(store, id, user, cancellationToken) is null)
        {
            return RunNotFound(id);
        }

        return await runner.CancelAsync(id, cancellationToken) is { } run ? TypedResults.Ok(run) : RunNotFound(id);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ImageAsync(
        string id, int index, WorkflowRunStore store, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await FindRunAsync(store, id, user, cancellationToken) is null)
        {
            return RunNotFound(id);
        }

        return await store.ImageAsync(id, index, cancellationToken) is { } image
            ? TypedResults.File(image.Bytes, image.ContentType)
            : Problems.NotFound("No image", $"Step {index} of run {id} has no image.");
    }

    /// <summary>Starts or resumes a run, answering its refusals as the caller's problems.</summary>
    private static async Task<Results<Accepted<WorkflowRunDto>, ProblemHttpResult>> RunAsync(Func<Task<WorkflowRunDto>> start, string invalidTitle)
    {
        try
        {
            var run = await start();
            return TypedResults.Accepted($"/api/workflow-runs/{run.Id}", run);
        }
        catch (WorkflowInvalidException ex)
        {
            return Invalid(invalidTitle, ex);
        }
        catch (WorkflowRunConflictException ex)
        {
            return Problems.Conflict("The run cannot go now", ex.Message, "workflow-run-conflict");
        }
        catch (SessionLimitException ex)
        {
            return Problems.TooManySessions(ex.Message);
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Problems.Unavailable($"The workflow store is not reachable: {SessionsApi.FirstLine(ex.Message)}");
        }
    }

    private static async Task<WorkflowDto?> FindAsync(WorkflowCatalog catalog, string id, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await catalog.FindAsync(id, cancellationToken) is { } workflow && MaySee(workflow.Owner, user) ? workflow : null;

    private static async Task<WorkflowRunRecord?> FindRunAsync(WorkflowRunStore store, string id, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } run && MaySee(run.Owner, user) ? run : null;

    private static bool MaySee(string owner, ClaimsPrincipal user) => Callers.IsAdmin(user) || owner == Callers.Name(user);

    private static ProblemHttpResult WorkflowNotFound(string id) =>
        Problems.NotFound("Workflow not found", $"There is no workflow '{id}'. It was deleted, or never existed.");

    private static ProblemHttpResult RunNotFound(string id) =>
        Problems.NotFound("Workflow run not found", $"There is no workflow run '{id}'.");

    /// <summary>400 with every problem, one sentence each, under <c>extensions.problems</c>.</summary>
    private static ProblemHttpResult Invalid(string title, WorkflowInvalidException ex) =>
        TypedResults.Problem(
            string.Join(" ", ex.Problems), statusCode: StatusCodes.Status400BadRequest, title: title,
            extensions: new Dictionary<string, object?> { ["problems"] = ex.Problems.ToArray() });

    /// <summary>resume's optional body.</summary>
    private sealed record ResumeRequest(int? FromStep);

    /// <summary>A JSON answer saved as a file by browsers (export).</summary>
    private sealed class FileNamed(IResult inner, string fileName) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
