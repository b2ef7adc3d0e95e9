using System.Text.Json.Nodes;

namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>
/// What a tool did. <see cref="Summary"/> is the one line the step shows; <see cref="ModelText"/> is what the model
/// reads (trimmed, and always inside the run's boundary markers: even "Clicked button …" quotes the page, whose
/// element names are page text; <see cref="Source"/> names the page read); <see cref="Data"/> is the actions API's
/// <c>result</c> (when null, the model text is, unless <see cref="DataIsJson"/>: then null is the JSON value null).
/// </summary>
public sealed record ToolResult(string Summary, string ModelText, JsonNode? Data = null, string? Source = null, bool DataIsJson = false)
{
    public static ToolResult Done(string summary) => new(summary, summary);
}

/// <summary>A tool call's outcome: a result, or an error the caller can act on (the model reads it and carries on).</summary>
public sealed record ToolOutcome(ToolResult? Result, string? Error, bool ErrorFromPage = false)
{
    public bool Ok => Result is not null;
}
