namespace OperaStudio.BrowserService.Data.Records;

/// <summary>Who acted: the person in the panel, the agent, or a script through the API.</summary>
public enum Actor
{
    Human,
    Agent,
    Api,

    /// <summary>An MCP client's tool call (<see cref="ActionRecord.User"/> is the client's name).</summary>
    Mcp,
}

/// <summary>
/// One entry of the action log: every human and agent action with its time, tab, target and outcome.
/// Typed text is never stored — only how many characters — so passwords stay out of the log.
/// </summary>
public sealed class ActionRecord
{
    public long Id { get; set; }

    public required string SessionId { get; set; }

    public string? TabId { get; set; }

    public DateTimeOffset At { get; set; }

    public Actor Actor { get; set; }

    /// <summary>
    /// The person behind a human or API action (a shared session has several); for an MCP client's step the name the
    /// client gave; null for the agent's own steps.
    /// </summary>
    public string? User { get; set; }

    /// <summary>click, type, key, scroll, navigate, back, forward, reload, open-tab, close-tab, upload, download, dialog, or a tool name.</summary>
    public required string Kind { get; set; }

    /// <summary>What it acted on: an element description, a URL, a tab.</summary>
    public string? Target { get; set; }

    /// <summary>ok, error, denied, cancelled.</summary>
    public required string Outcome { get; set; }

    public string? Detail { get; set; }

    public string? RunId { get; set; }
}
