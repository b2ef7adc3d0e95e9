using System.Text.Json;

namespace OperaStudio.BrowserService.Diagnostics;

/// <summary>
/// A request the framework could not read (a body that is not JSON, JSON of the wrong shape, an unsupported content
/// type) is answered with a ProblemDetails that says what was wrong and where, instead of a bare "Bad Request": the
/// caller fixes their request from the answer alone. Nothing about the server (types, stack) goes out.
/// </summary>
public static class RequestProblems
{
    public static void Describe(ProblemDetailsContext context)
    {
        var detail = (context.Exception, context.ProblemDetails.Status) switch
        {
            (BadHttpRequestException { InnerException: JsonException json }, _) =>
                $"The request body could not be read as this call's JSON: look at {(json.Path is null or "$" ? "its start" : json.Path)} (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}): a value there is malformed, incomplete or of the wrong type.",
            (_, StatusCodes.Status415UnsupportedMediaType) =>
                $"Send the body as JSON (Content-Type: application/json), not {context.HttpContext.Request.ContentType ?? "without a content type"}.",
            (BadHttpRequestException bad, _) => bad.Message,
            _ => null,
        };
        if (detail is not null)
        {
            context.ProblemDetails.Detail ??= detail;
        }
    }
}
