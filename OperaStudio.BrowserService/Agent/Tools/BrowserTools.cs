using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Agent.Safety;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent.Tools;

/// <summary>
/// The browser tools, one implementation each, used by the model's plugin and by the actions API alike: same
/// URL policy, same approvals, same step log. Each acts on the session's active tab, addresses elements by
/// snapshot ref (or by a description resolved against the snapshot), and reports a small result. Expected failures
/// come back as errors (the run carries on); only cancellation escapes.
/// </summary>
public sealed partial class BrowserTools
{
    private readonly AgentSession _agent;
    private readonly UrlGuard _guard;
    private readonly ApprovalPolicy _policy;
    private readonly AgentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal BrowserTools(AgentSession agent, UrlGuard guard, ApprovalPolicy policy, AgentOptions options, TimeProvider time, ILogger logger)
    {
        _agent = agent;
        _guard = guard;
        _policy = policy;
        _options = options;
        _time = time;
        _logger = logger;
    }

    private BrowserSession Browser => _agent.Browser;

    private float Timeout => _options.ToolTimeoutSeconds * 1000f;

    internal static string Shorten(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
