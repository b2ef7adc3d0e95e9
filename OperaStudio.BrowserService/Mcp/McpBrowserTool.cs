using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Mcp;

/// <summary>
/// One of the agent's browser tools, called by an MCP client on its bound session: checked and run as the actions API
/// runs it (<see cref="ActionCatalog"/>, the same <see cref="BrowserTools"/>: URL policy, approvals, secrets, the step
/// log), the step marked as the client's. A call that needs approval waits here until the panel decides.
/// </summary>
internal sealed class McpBrowserTool(Tool definition, McpBinding binding) : McpServerTool
{
    public override Tool ProtocolTool => definition;

    public override IReadOnlyList<object> Metadata => [];

    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        var (agent, refusal) = await binding.ResolveAsync(request.User!, request.Services!, cancellationToken);
        if (agent is null)
        {
            return McpResults.Error(refusal!);
        }

        var args = request.Params?.Arguments is { } given ? JsonSerializer.SerializeToElement(given) : (JsonElement?)null;
        if (args?.GetRawText().Length is var length and > InputLimits.ActionArguments)
        {
            return McpResults.Error($"The arguments are {length} characters long; the limit is {InputLimits.ActionArguments}.");
        }

        var origin = StepOrigin.ForMcp(request.Server.ClientInfo?.Name is { Length: > 0 } client ? BrowserTools.Shorten(client, 64) : "client");
        var (outcome, badRequest) = await ActionCatalog.RunAsync(agent.Tools, definition.Name, args, origin, cancellationToken);
        if (badRequest is not null)
        {
            return McpResults.Error(badRequest);
        }

        return outcome!.Result is { } result ? McpResults.From(definition.Name, result) : McpResults.Error(outcome.Error!);
    }
}

/// <summary>A tool's outcome as MCP content: text (what the actions API would return), and a screenshot as an image.</summary>
internal static class McpResults
{
    public static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    public static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    public static CallToolResult From(string tool, ToolResult result)
    {
        if (tool == ToolNames.Screenshot && result.Data is JsonObject { } shot && shot["image"]?.GetValue<string>() is { } image)
        {
            var contentType = shot["contentType"]?.GetValue<string>() ?? "image/jpeg";
            return new CallToolResult { Content = [new TextContentBlock { Text = result.Summary }, ImageContentBlock.FromBytes(Convert.FromBase64String(image), contentType)] };
        }

        // Text as text; a value that is JSON (a script's result, extracted data) as its JSON, so "42" and 42 differ.
        var value = ActionCatalog.ValueOf(result);
        return Text(!result.DataIsJson && value is JsonValue text && text.TryGetValue<string>(out var plain) ? plain : value?.ToJsonString() ?? "null");
    }
}
