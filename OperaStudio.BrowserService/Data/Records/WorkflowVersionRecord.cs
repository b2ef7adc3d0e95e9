namespace OperaStudio.BrowserService.Data.Records;

/// <summary>One version of a workflow: its definition as the JSON the API takes (never changed, only added).</summary>
public sealed class WorkflowVersionRecord
{
    public required string WorkflowId { get; set; }

    public int Version { get; set; }

    /// <summary>The <c>WorkflowDefinitionDto</c> as JSON.</summary>
    public required string Definition { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }
}
