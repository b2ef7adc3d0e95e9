using System.Text.Json.Nodes;

namespace OperaStudio.BrowserService.Workflows.Batches;

/// <summary>
/// One input of a batch as stored in <c>workflow_batches.inputs</c> (a JSON array of these, in input order): the
/// inputs, then the run made for them, or why none could be started.
/// </summary>
public sealed record BatchItem(JsonObject Inputs, string? RunId = null, string? Error = null);
