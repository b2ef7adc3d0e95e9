using Microsoft.AspNetCore.Http.HttpResults;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// The sessions API's view of the URL policy: turns what a user typed into a URL, refuses what the policy refuses
/// with a 400 that says why (and shows the same explanation in the tab), and turns Chromium's navigation errors —
/// including a proxy refusal behind ERR_TUNNEL_CONNECTION_FAILED — into clear problems.
/// </summary>
public sealed class UrlGuard(UrlPolicy policy, FilteringProxy proxy)
{
    /// <summary>The outcome: <see cref="Url"/> is set whenever the input parsed, even when the policy refuses it.</summary>
    public sealed record Check(Uri? Url, ProblemHttpResult? Problem, UrlDecision? Refusal, string? Reason)
    {
        public bool Allowed => Problem is null;
    }

    public async Task<Check> CheckAsync(string? input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            const string missing = "Send {\"url\": \"https://...\"}.";
            return new Check(null, Problems.BadRequest("Missing URL", missing, "missing-url"), null, missing);
        }

        if (!UrlPolicy.TryNormalize(input, out var url, out var error))
        {
            var reason = error == AddressBarInput.NotAUrl
                ? $"'{input.Trim()}' is not a valid web address."
                : char.ToUpperInvariant(error[0]) + error[1..] + ".";
            return new Check(null, Problems.BadRequest("Invalid URL", reason, "invalid-url"), null, reason);
        }

        var decision = await policy.EvaluateAsync(url, UrlUse.TopLevel, cancellationToken);
        return decision.Allowed
            ? new Check(url, null, null, null)
            : new Check(url, Problems.BadRequest("Address refused by the URL policy", decision.Reason, decision.Code), decision, decision.Reason);
    }

    /// <summary>Shows a policy refusal in the tab itself, so the panel explains what happened.</summary>
    public static async Task ShowRefusalAsync(BrowserTab tab, Check check)
    {
        if (check is { Url: { } url, Refusal: { } refusal })
        {
            await tab.ShowBlockedAsync(url.ToString(), refusal);
        }
    }

    /// <summary>Why the proxy refused this address a moment ago, if it did.</summary>
    public UrlDecision? RecentRefusal(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var address) && proxy.TryGetRecentRefusal(address.Host, address.Port, out var decision)
            ? decision
            : null;

    public ProblemHttpResult NavigationFailed(string url, Exception exception)
    {
        var message = SessionsApi.FirstLine(exception.Message);
        if (message.Contains("ERR_TUNNEL_CONNECTION_FAILED", StringComparison.Ordinal) && RecentRefusal(url) is { } refusal)
        {
            return Problems.BadRequest("Address refused by the URL policy", refusal.Reason, refusal.Code);
        }

        return exception is TimeoutException || message.Contains("Timeout", StringComparison.Ordinal)
            ? Problems.GatewayTimeout($"{url} did not answer in time: {message}")
            : Problems.BadGateway($"Could not open {url}: {message}");
    }
}
