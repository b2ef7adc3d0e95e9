using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Runs;

/// <summary>
/// The agent side of every live session, made on first use and dropped (its run cancelled) when the session ends.
/// The live view hub asks it who holds control before it passes the user's input on.
/// </summary>
public sealed class AgentSessions(
    SessionManager sessions,
    UrlGuard guard,
    ApprovalPolicy policy,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<BrowserTools> toolLogger)
{
    private readonly ConcurrentDictionary<string, AgentSession> _agents = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The agent side of a live session; null when there is no such session.</summary>
    public AgentSession? Find(string sessionId)
    {
        if (_agents.TryGetValue(sessionId, out var existing))
        {
            return existing;
        }

        if (sessions.Find(sessionId) is not { IsClosed: false } browser)
        {
            return null;
        }

        lock (_gate)
        {
            if (_agents.TryGetValue(sessionId, out existing))
            {
                return existing;
            }

            var agent = new AgentSession(browser, a => new BrowserTools(a, guard, policy, options.Value, time, toolLogger), time);
            browser.Events += e =>
            {
                if (e is SessionEnded && _agents.TryRemove(sessionId, out var ended))
                {
                    ended.Dispose();
                }
            };
            _agents[sessionId] = agent;
            return agent;
        }
    }

    /// <summary>True while the agent acts in this session: the panel's input is refused then.</summary>
    public bool AgentHoldsControl(string sessionId) => _agents.TryGetValue(sessionId, out var agent) && agent.AgentHoldsControl;
}
