namespace OperaStudio.BrowserService.Data.Records;

/// <summary>A turn of the chat with the agent: the user's message, the assistant's text, or a tool step.</summary>
public sealed class ChatMessageRecord
{
    public long Id { get; set; }

    public required string SessionId { get; set; }

    public string? RunId { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>user, assistant or tool.</summary>
    public required string Role { get; set; }

    public string? Text { get; set; }

    /// <summary>Who wrote a user message.</summary>
    public string? Author { get; set; }

    public string? ToolName { get; set; }

    public string? ToolArguments { get; set; }

    public string? ToolResult { get; set; }

    /// <summary>For tool steps: ok, error, denied, cancelled.</summary>
    public string? Status { get; set; }
}
