using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Sharing;

namespace OperaStudio.BrowserService.Cdp;

/// <summary>
/// Whether the client may act on the page now. A person who takes control in the panel holds API clients as they hold
/// the agent (<see cref="AgentSession.ClientsHeld"/>); in a shared session a member acts only while holding control
/// (<see cref="SessionPresence.CheckRest"/>, as for the REST routes and MCP).
/// </summary>
internal sealed class CdpControl(string sessionId, string user, SessionRight right, AgentSessions agents, SessionPresence presence)
{
    public const string PersonHasControl =
        "A person has control of this Opera Studio session, so page actions from this client are paused: retry when they hand control back.";

    /// <summary>Null when the client may act; otherwise the CDP error message that says why not.</summary>
    public string? Refusal(string method)
    {
        if (agents.Find(sessionId) is { ClientsHeld: true })
        {
            return $"{PersonHasControl} ({method} was not sent.)";
        }

        return presence.CheckRest(sessionId, user, right) is { } reason ? $"{reason} ({method} was not sent.)" : null;
    }
}
