using Microsoft.AspNetCore.Http.HttpResults;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>The ProblemDetails the sessions API answers with, worded for the person reading them.</summary>
internal static class Problems
{
    public static ProblemHttpResult SessionNotFound(string id) =>
        NotFound("Session not found", $"There is no live session '{id}'. It ended, or never existed.");

    public static ProblemHttpResult TabNotFound(string id, string tabId) =>
        NotFound("Tab not found", $"Session {id} has no tab '{tabId}'. It was closed, or never existed.");

    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: title);

    public static ProblemHttpResult BadRequest(string title, string detail, string? code = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title,
            extensions: code is null ? null : new Dictionary<string, object?> { ["code"] = code });

    /// <summary>A text input over its limit: names the field and the limit, for people and programs alike.</summary>
    public static ProblemHttpResult TooLong(string field, int length, int limit) =>
        TypedResults.Problem(
            $"'{field}' is {length} characters long; the limit is {limit}.", statusCode: StatusCodes.Status400BadRequest,
            title: "Input too long",
            extensions: new Dictionary<string, object?> { ["code"] = "too-long", ["field"] = field, ["limit"] = limit });

    /// <summary>A well-formed request the URL policy refuses: 403, as the filtering proxy answers the browser.</summary>
    public static ProblemHttpResult Refused(string detail, string code) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Address refused by the URL policy",
            extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ProblemHttpResult Conflict(string title, string detail, string? code = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title,
            extensions: code is null ? null : new Dictionary<string, object?> { ["code"] = code });

    public static ProblemHttpResult Forbidden(string title, string detail, string? code = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: title,
            extensions: code is null ? null : new Dictionary<string, object?> { ["code"] = code });

    public static ProblemHttpResult TooManySessions(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many sessions");

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "No browser available");

    public static ProblemHttpResult BadGateway(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status502BadGateway, title: "Navigation failed");

    public static ProblemHttpResult GatewayTimeout(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status504GatewayTimeout, title: "Navigation timed out");
}
