using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Workflows.Definitions;

namespace OperaStudio.BrowserService.Workflows.Batches;

/// <summary>
/// Batches over HTTP: start one from JSON (<see cref="WorkflowBatchRequest"/>, or a bare array of inputs) or CSV, follow
/// its progress, download its results. A batch belongs to whoever started it; anyone else (but the administrator) is
/// told it does not exist.
/// </summary>
public static class WorkflowBatchesApi
{
    // A CSV upload larger than this is refused before it is read (500 inputs of a few fields fit many times over).
    private const int MaxCsvBytes = 4 * 1024 * 1024;

    public static IEndpointRouteBuilder MapWorkflowBatchesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/workflows/{id}/batches", StartAsync).WithTags("Workflows");
        var batches = app.MapGroup("/api/workflow-batches").WithTags("Workflows");
        batches.MapGet("/{id}", GetAsync);
        batches.MapGet("/{id}/results", ResultsAsync);
        return app;
    }

    private static async Task<Results<Accepted<WorkflowBatchDto>, ProblemHttpResult>> StartAsync(
        string id, int? concurrency, HttpContext http, IWorkflowCatalog catalog, WorkflowBatches batches, CancellationToken cancellationToken)
    {
        var user = http.User;
        if (await catalog.FindAsync(id, cancellationToken) is not { } workflow || !MaySee(workflow.Owner, user))
        {
            return Problems.NotFound("Workflow not found", $"There is no workflow '{id}'. It was deleted, or never existed.");
        }

        try
        {
            var (inputs, asked) = await ReadInputsAsync(http.Request, cancellationToken);
            var batch = await batches.StartAsync(workflow, Callers.Name(user), inputs, asked ?? concurrency, cancellationToken);
            return TypedResults.Accepted($"/api/workflow-batches/{batch.Id}", batch);
        }
        catch (WorkflowInvalidException ex)
        {
            return TypedResults.Problem(
                string.Join(" ", ex.Problems), statusCode: StatusCodes.Status400BadRequest, title: "The batch is not valid",
                extensions: new Dictionary<string, object?> { ["problems"] = ex.Problems.ToArray() });
        }
        catch (Exception ex) when (StoreErrors.IsOutage(ex))
        {
            return Problems.Unavailable($"The workflow store is not reachable: {SessionsApi.FirstLine(ex.Message)}");
        }
    }

    private static async Task<Results<Ok<WorkflowBatchDto>, ProblemHttpResult>> GetAsync(
        string id, ClaimsPrincipal user, WorkflowBatches batches, CancellationToken cancellationToken) =>
        await batches.FindAsync(id, cancellationToken) is { } batch && MaySee(batch.Owner, user) ? TypedResults.Ok(batch) : BatchNotFound(id);

    private static async Task<IResult> ResultsAsync(
        string id, string? format, ClaimsPrincipal user, WorkflowBatches batches, CancellationToken cancellationToken)
    {
        if (await batches.ReadAsync(id, cancellationToken) is not { } state || !MaySee(state.Batch.Owner, user))
        {
            return BatchNotFound(id);
        }

        return (format ?? "json").ToLowerInvariant() switch
        {
            "json" => TypedResults.Text(BatchRows.Json(state).ToJsonString(WorkflowJson.Options), "application/json", Encoding.UTF8),
            "csv" => TypedResults.File(Encoding.UTF8.GetBytes(BatchRows.Csv(state)), "text/csv; charset=utf-8", $"batch-{id}.csv"),
            _ => Problems.BadRequest("Unknown format", $"format must be csv or json, not '{format}'."),
        };
    }

    /// <summary>The inputs from a CSV body (a header of parameter names), or from JSON: a request object or a bare array.</summary>
    private static async Task<(IReadOnlyList<JsonNode?> Inputs, int? Concurrency)> ReadInputsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxCsvBytes)
        {
            throw new WorkflowInvalidException([$"The upload is {request.ContentLength} bytes; the limit is {MaxCsvBytes}."]);
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var type = request.ContentType ?? "";
        if (type.Contains("csv", StringComparison.OrdinalIgnoreCase))
        {
            return (BatchInputs.FromCsv(body), null);
        }

        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new WorkflowInvalidException([$"The body is not JSON ({ex.Message}); send {{\"inputs\": [...], \"concurrency\": n}}, a JSON array of inputs, or text/csv."]);
        }

        switch (json)
        {
            case JsonArray array:
                return ([.. array.Select(i => i?.DeepClone())], null);
            case JsonObject obj:
                var problems = new List<string>();
                if (obj["inputs"] is not JsonArray inputs)
                {
                    problems.Add("inputs must be a JSON array of objects (parameter name → value), one per run.");
                    inputs = [];
                }

                int? concurrency = null;
                if (obj["concurrency"] is { } given)
                {
                    if (given is JsonValue value && value.TryGetValue<int>(out var n))
                    {
                        concurrency = n;
                    }
                    else
                    {
                        problems.Add("concurrency must be a whole number.");
                    }
                }

                return problems.Count == 0 ? ([.. inputs.Select(i => i?.DeepClone())], concurrency) : throw new WorkflowInvalidException(problems);
            default:
                throw new WorkflowInvalidException(["Send {\"inputs\": [...], \"concurrency\": n}, a JSON array of inputs, or text/csv."]);
        }
    }

    private static bool MaySee(string owner, ClaimsPrincipal user) => Callers.IsAdmin(user) || owner == Callers.Name(user);

    private static ProblemHttpResult BatchNotFound(string id) =>
        Problems.NotFound("Workflow batch not found", $"There is no workflow batch '{id}'.");
}
