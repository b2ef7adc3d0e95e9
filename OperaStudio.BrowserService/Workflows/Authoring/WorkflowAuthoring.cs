using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Data;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.Recording;

namespace OperaStudio.BrowserService.Workflows.Authoring;

/// <summary>
/// Workflow definitions made from what already happened: a finished chat run's successful tool calls (the session's
/// step log), or a recording's actions. The definition is stored like any other (validated, version 1).
/// </summary>
public sealed class WorkflowAuthoring(AgentSessions agents, IDbContextFactory<OperaDbContext> database)
{
    private const int MaxNameLength = 80;

    // The session API's action names in a recording, as the tools name them.
    private static readonly Dictionary<string, string> SessionActions = new(StringComparer.Ordinal)
    {
        ["back"] = ToolNames.GoBack,
        ["forward"] = ToolNames.GoForward,
        ["open-tab"] = "open_tab",
        ["close-tab"] = "close_tab",
        ["switch-tab"] = "switch_tab",
    };

    /// <summary>
    /// The definition from chat run <paramref name="runId"/> of the live session (its latest run when null). Throws
    /// <see cref="AuthoringException"/> when there is no such finished run or nothing in it can be repeated.
    /// </summary>
    public WorkflowDefinitionDto FromRun(string sessionId, string? runId, string? name)
    {
        var agent = agents.Find(sessionId) ?? throw new AuthoringException(StatusCodes.Status404NotFound, $"The session '{sessionId}' is not live on this node, so its chat run's steps cannot be read.");
        var steps = agent.Steps.Recent(int.MaxValue);
        runId ??= steps.LastOrDefault(s => s.Source == StepOrigin.AgentSource && s.RunId is not null)?.RunId
            ?? throw new AuthoringException(StatusCodes.Status404NotFound, "The session has no chat run with steps.");
        if (agent.CurrentRun is { } current && current.Id == runId && !current.IsFinished)
        {
            throw new AuthoringException(StatusCodes.Status409Conflict, "The chat run is still going; save it as a workflow when it has finished.");
        }

        var ran = steps.Where(s => s.RunId == runId && s.Source == StepOrigin.AgentSource).ToList();
        if (ran.Count == 0)
        {
            throw new AuthoringException(StatusCodes.Status404NotFound, $"The session has no steps of chat run '{runId}' (it is not in the session's recent step log).");
        }

        var drafts = new StepDrafts();
        foreach (var step in ran.Where(s => s.Status == StepStatuses.Ok))
        {
            drafts.Add(step.Tool, Parse(step.Arguments), step.Summary);
        }

        var asked = agent.Messages.FirstOrDefault(m => m.RunId == runId && m.Role == "user")?.Text;
        return Definition(drafts, name ?? asked, $"Made from chat run {runId} of session {sessionId}.", "The run has no successful steps that a workflow can repeat.");
    }

    /// <summary>The definition from a recording's successful actions (reading the page is left out).</summary>
    public async Task<WorkflowDefinitionDto> FromRecordingAsync(RecordingRecord recording, string? name, CancellationToken cancellationToken)
    {
        await using var db = await database.CreateDbContextAsync(cancellationToken);
        var events = await db.RecordingEvents.AsNoTracking()
            .Where(e => e.RecordingId == recording.Id && e.Kind == MomentKinds.Step && e.Outcome == "ok" && e.Tool != null)
            .OrderBy(e => e.AtMs).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken);
        var drafts = new StepDrafts();
        foreach (var e in events)
        {
            var tool = SessionActions.GetValueOrDefault(e.Tool!, e.Tool!);
            var args = Parse(e.Detail);
            if (args is null && e.Detail is { Length: > 0 } text)
            {
                // The session API logs its target as text: a URL, or a tab id.
                args = tool is "switch_tab" or "close_tab" ? new JsonObject { ["tab_id"] = text } : new JsonObject { ["url"] = text };
            }

            drafts.Add(tool, args, e.Title);
        }

        return Definition(drafts, name, $"Made from recording {recording.Id}.", "The recording has no successful actions that a workflow can repeat.");
    }

    private static WorkflowDefinitionDto Definition(StepDrafts drafts, string? name, string origin, string empty)
    {
        if (drafts.Steps.Count == 0)
        {
            throw new AuthoringException(StatusCodes.Status400BadRequest, drafts.LeftOut.Count == 0 ? empty : $"{empty} {string.Join(" ", drafts.LeftOut)}");
        }

        var title = (name ?? "").Trim().ReplaceLineEndings(" ");
        title = title.Length == 0 ? "Untitled workflow" : title.Length > MaxNameLength ? title[..(MaxNameLength - 1)].TrimEnd() + "…" : title;
        var description = drafts.LeftOut.Count == 0 ? origin : $"{origin} {string.Join(" ", drafts.LeftOut)}";
        return new WorkflowDefinitionDto(title, description, [], [.. drafts.Steps.Select(s => JsonSerializer.SerializeToElement(s))]);
    }

    private static JsonObject? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A workflow cannot be made from what was asked: the status to answer with and why.</summary>
public sealed class AuthoringException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
