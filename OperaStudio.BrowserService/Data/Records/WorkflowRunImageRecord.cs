namespace OperaStudio.BrowserService.Data.Records;

/// <summary>The picture of one run step: the screenshot it took, or the page when it failed.</summary>
public sealed class WorkflowRunImageRecord
{
    public required string RunId { get; set; }

    public int StepIndex { get; set; }

    /// <summary>image/jpeg or image/png.</summary>
    public required string ContentType { get; set; }

    public required byte[] Bytes { get; set; }

    public DateTimeOffset At { get; set; }
}
