using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Model;
using OperaStudio.BrowserService.Agent.Tools;

namespace OperaStudio.BrowserService.Agent.Safety;

/// <summary>What makes a step sensitive. Each is also an <c>Agent:Approvals</c> key.</summary>
public static class Sensitivity
{
    public const string ExecuteScript = "execute_script";
    public const string PasswordSubmit = "password_submit";
    public const string Download = "download";
    public const string LeaveOrigins = "leave_origins";
    public const string SecretField = "secret_field";

    /// <summary>Not detected: the options ask for every call of the tool.</summary>
    public const string Always = "always";
}

/// <summary>
/// Decides whether a step waits for the user. A tool set to <c>Always</c> always asks and one set to <c>Never</c> never
/// does; under <c>Auto</c> (the default) the step asks when it is detected as sensitive, unless that kind of
/// sensitivity is itself set to <c>Never</c>. The same policy holds for model runs and for the actions API.
/// </summary>
public sealed class ApprovalPolicy(IOptions<AgentOptions> options)
{
    public static readonly IReadOnlySet<string> KnownActions = new HashSet<string>(
        [.. ToolNames.Browser, Sensitivity.PasswordSubmit, Sensitivity.Download, Sensitivity.LeaveOrigins, Sensitivity.SecretField],
        StringComparer.OrdinalIgnoreCase);

    private readonly AgentOptions _options = options.Value;

    public IReadOnlyList<string> AllowedOrigins => _options.AllowedOrigins;

    /// <summary>The kind that needs approval, or null when the step may go ahead.</summary>
    public string? Requires(string tool, IEnumerable<string> detected)
    {
        switch (_options.ApprovalFor(tool))
        {
            case ApprovalMode.Never:
                return null;
            case ApprovalMode.Always:
                return detected.FirstOrDefault() ?? Sensitivity.Always;
            default:
                return detected.FirstOrDefault(kind => _options.ApprovalFor(kind) != ApprovalMode.Never);
        }
    }

    /// <summary>True when <paramref name="url"/> leaves the allowed origins (when any are set).</summary>
    public bool LeavesAllowedOrigins(Uri url)
    {
        if (_options.AllowedOrigins.Length == 0 || url.Scheme is not ("http" or "https"))
        {
            return false;
        }

        var origin = url.GetLeftPart(UriPartial.Authority);
        return !_options.AllowedOrigins.Any(allowed =>
            string.Equals(new Uri(allowed).GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase));
    }

    public static string Describe(string kind, string tool) => kind switch
    {
        Sensitivity.ExecuteScript => "runs a script in the page",
        Sensitivity.PasswordSubmit => "submits a form with a password field",
        Sensitivity.Download => "starts a download",
        Sensitivity.LeaveOrigins => "leaves the allowed sites",
        Sensitivity.SecretField => "types a stored secret into a field that is not a password field",
        _ => $"every {tool} needs approval (Agent:Approvals)",
    };
}
