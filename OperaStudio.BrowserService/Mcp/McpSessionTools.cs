using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Microsoft.Playwright;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Data.Records;
using OperaStudio.BrowserService.History;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Mcp;

/// <summary>
/// The two tools that bind an MCP session to a browser session: <c>create_session</c> opens a new one (the caller owns
/// it, as with <c>POST /api/sessions</c>), <c>attach_session</c> takes one the caller may use (any other is "not found").
/// </summary>
internal sealed class McpSessionTools : McpServerTool
{
    public const string CreateSession = "create_session";
    public const string AttachSession = "attach_session";

    private readonly Tool _definition;
    private readonly McpBinding _binding;
    private readonly Func<McpSessionTools, RequestContext<CallToolRequestParams>, CancellationToken, Task<CallToolResult>> _run;

    private McpSessionTools(Tool definition, McpBinding binding, Func<McpSessionTools, RequestContext<CallToolRequestParams>, CancellationToken, Task<CallToolResult>> run)
    {
        _definition = definition;
        _binding = binding;
        _run = run;
    }

    public static IEnumerable<McpServerTool> For(McpBinding binding) =>
    [
        new McpSessionTools(Define(CreateSession,
            "Opens a new browser session, optionally at a URL, and binds this MCP session to it: the browser tools act on it from now on. "
            + "People see it, and what you do in it, live in Opera Studio. Returns the session with its id and tabs.",
            """{"type":"object","properties":{"url":{"type":"string","description":"The address to open first, e.g. https://example.com; leave it out for the start page."}}}"""),
            binding, static (tool, request, ct) => tool.CreateAsync(request, ct)),
        new McpSessionTools(Define(AttachSession,
            "Binds this MCP session to an existing browser session you may use (yours, or one shared with you), given its id: the browser tools act on it from now on.",
            """{"type":"object","properties":{"session_id":{"type":"string","description":"The session's id, as Opera Studio shows it (the address of its panel ends with it)."}},"required":["session_id"]}"""),
            binding, static (tool, request, ct) => tool.AttachAsync(request, ct)),
    ];

    public override Tool ProtocolTool => _definition;

    public override IReadOnlyList<object> Metadata => [];

    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default) =>
        new(_run(this, request, cancellationToken));

    private async Task<CallToolResult> CreateAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        if (Argument(request, "url", out var given) is { } wrong)
        {
            return McpResults.Error(wrong);
        }

        var services = request.Services!;
        var guard = services.GetRequiredService<UrlGuard>();
        Uri? url = null;
        if (!string.IsNullOrWhiteSpace(given))
        {
            var check = await guard.CheckAsync(given, cancellationToken);
            if (!check.Allowed)
            {
                return McpResults.Error(check.Reason ?? check.Problem!.ProblemDetails.Detail ?? "The URL is not allowed.");
            }

            url = check.Url;
        }

        BrowserSession session;
        try
        {
            session = await services.GetRequiredService<SessionManager>().CreateAsync(url, _binding.Owner, cancellationToken);
        }
        catch (Exception ex) when (ex is SessionLimitException or BrowserUnavailableException)
        {
            return McpResults.Error(ex.Message);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return McpResults.Error(guard.NavigationFailed(given ?? "", ex).ProblemDetails.Detail ?? ex.Message);
        }

        _binding.Bind(session.Id);
        services.GetRequiredService<HistoryRecorder>().Action(
            session.Id, session.ActiveTab.Id, Actor.Mcp, "open-session", url?.ToString(), "ok", user: request.Server.ClientInfo?.Name);
        return Bound(session);
    }

    private async Task<CallToolResult> AttachAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        if (Argument(request, "session_id", out var id) is { } wrong)
        {
            return McpResults.Error(wrong);
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            return McpResults.Error($"{AttachSession} needs 'session_id': the id of a session you may use.");
        }

        id = id.Trim();
        var services = request.Services!;
        if (await services.GetRequiredService<SessionAccess>().RightAsync(request.User!, id, cancellationToken) == Sharing.SessionRight.None
            || await McpBinding.LiveAgentAsync(id, services, cancellationToken) is null
            || services.GetRequiredService<SessionManager>().Find(id) is not { } session)
        {
            return McpResults.Error(McpBinding.NotFound(id));
        }

        _binding.Bind(id);
        return Bound(session);
    }

    private static CallToolResult Bound(BrowserSession session) =>
        McpResults.Text(JsonSerializer.Serialize(session.ToDto(), JsonSerializerOptions.Web));

    /// <summary>A string argument; returns why it is wrong (not a string, an argument the tool does not take), else null.</summary>
    private string? Argument(RequestContext<CallToolRequestParams> request, string name, out string? value)
    {
        value = null;
        foreach (var (key, given) in request.Params?.Arguments ?? new Dictionary<string, JsonElement>())
        {
            if (key != name)
            {
                return $"{_definition.Name} has no argument '{key}'; it takes {name}.";
            }

            if (given.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return $"{_definition.Name}: '{name}' must be a string.";
            }

            value = given.ValueKind == JsonValueKind.String ? given.GetString() : null;
        }

        return null;
    }

    private static Tool Define(string name, string description, string schema) =>
        new() { Name = name, Description = description, InputSchema = JsonDocument.Parse(schema).RootElement.Clone() };
}
