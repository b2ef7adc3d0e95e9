using System.Diagnostics;

namespace OperaStudio.BrowserService.Diagnostics;

/// <summary>
/// The browser service's own spans (source <c>OperaStudio.BrowserService</c>, the application's name, which service
/// defaults trace): session create, tab navigate, each agent run and each tool step. Model calls and function
/// invocations inside a run come from Semantic Kernel's own sources; HTTP, Redis and PostgreSQL from their clients.
/// </summary>
public static class BrowserServiceActivities
{
    public const string SourceName = "OperaStudio.BrowserService";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? SessionCreate() => Source.StartActivity("session.create");

    /// <summary>The address without query or fragment: enough to follow a trace, no tokens or search terms.</summary>
    public static Activity? Navigate(string sessionId, Uri url) =>
        Source.StartActivity("tab.navigate")?
            .SetTag("opera.session.id", sessionId)
            .SetTag("url.scheme", url.Scheme)
            .SetTag("server.address", url.Host)
            .SetTag("url.path", url.AbsolutePath);

    public static Activity? AgentRun(string sessionId, string runId) =>
        Source.StartActivity("agent.run")?
            .SetTag("opera.session.id", sessionId)
            .SetTag("opera.agent.run.id", runId);

    public static Activity? ToolStep(string sessionId, string tool, string origin) =>
        Source.StartActivity($"tool {tool}")?
            .SetTag("opera.session.id", sessionId)
            .SetTag("opera.agent.tool", tool)
            .SetTag("opera.agent.origin", origin);

    /// <summary>Ends a span with its outcome: ok, or an error status with the reason.</summary>
    public static void Finish(this Activity? activity, string outcome, string? error = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("opera.outcome", outcome);
        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }
}
