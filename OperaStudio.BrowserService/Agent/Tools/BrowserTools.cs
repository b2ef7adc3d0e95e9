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

    /// <summary>A call's own <c>timeout_ms</c>; flows with the call into its step (tools of a session may overlap).</summary>
    private static readonly AsyncLocal<int?> CallTimeout = new();

    /// <summary>The longest <c>timeout_ms</c> a call may ask for.</summary>
    internal const int MaxTimeoutMilliseconds = 120_000;

    private float Timeout => CallTimeout.Value ?? _options.ToolTimeoutSeconds * 1000f;

    /// <summary>
    /// Starts <paramref name="tool"/> with its own timeout instead of the global one (the actions API's and the model's
    /// <c>timeout_ms</c>). The value is set only while the call starts: an async method keeps the context it started in.
    /// </summary>
    internal static Task<ToolOutcome> WithTimeout(int? milliseconds, Func<Task<ToolOutcome>> tool)
    {
        if (milliseconds is null)
        {
            return tool();
        }

        if (milliseconds is < 1 or > MaxTimeoutMilliseconds)
        {
            throw new ArgumentException($"timeout_ms must be between 1 and {MaxTimeoutMilliseconds}.");
        }

        var previous = CallTimeout.Value;
        CallTimeout.Value = milliseconds;
        try
        {
            return tool();
        }
        finally
        {
            CallTimeout.Value = previous;
        }
    }

    internal static string Shorten(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
