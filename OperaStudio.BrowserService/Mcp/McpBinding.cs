using System.Security.Claims;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Identity;
using OperaStudio.BrowserService.Sessions;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Mcp;

/// <summary>
/// The browser session one MCP session drives: none until <c>create_session</c> or <c>attach_session</c>. Every call
/// is checked as the REST routes check it: the caller may see the session (else it is "not found"), and in a shared
/// session holds control (<see cref="SharingEndpointFilters.RequirePageControl"/>'s rule).
/// </summary>
internal sealed class McpBinding(string owner)
{
    private volatile string? _sessionId;

    /// <summary>Who started the MCP session (the SDK refuses its session id to anyone else: 403).</summary>
    public string Owner => owner;

    public string? SessionId => _sessionId;

    public void Bind(string sessionId) => _sessionId = sessionId;

    /// <summary>The bound session's agent side, or why the caller may not act on it now.</summary>
    public async Task<(AgentSession? Agent, string? Refusal)> ResolveAsync(ClaimsPrincipal user, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (_sessionId is not { } id)
        {
            return (null, $"No browser session is bound to this MCP session yet: call {McpSessionTools.CreateSession} (optionally with a url) to open one, "
                + $"or {McpSessionTools.AttachSession} with the session_id of a session you may use.");
        }

        var right = await services.GetRequiredService<SessionAccess>().RightAsync(user, id, cancellationToken);
        if (right == SessionRight.None)
        {
            return (null, NotFound(id));
        }

        if (services.GetRequiredService<SessionPresence>().CheckRest(id, owner, right) is { } reason)
        {
            return (null, $"Control required: {reason}");
        }

        return await LiveAgentAsync(id, services, cancellationToken) is { } agent ? (agent, null) : (null, NotFound(id));
    }

    /// <summary>The session restored if it was released or suspended (as the agent API does), then its agent side.</summary>
    public static async Task<AgentSession?> LiveAgentAsync(string id, IServiceProvider services, CancellationToken cancellationToken)
    {
        try
        {
            await services.GetRequiredService<SessionManager>().GetOrRestoreAsync(id, cancellationToken);
        }
        catch (Exception ex) when (ex is SessionLimitException or Browsers.BrowserUnavailableException)
        {
            // Not live, and cannot come back now: answered as not found below, as the agent API does.
        }

        return services.GetRequiredService<AgentSessions>().Find(id);
    }

    /// <summary>The REST routes' words for a session that is not there (or not the caller's to see).</summary>
    public static string NotFound(string id) => Problems.SessionNotFound(id).ProblemDetails.Detail!;
}
