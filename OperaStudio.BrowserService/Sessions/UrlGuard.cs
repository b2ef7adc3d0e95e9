using Microsoft.AspNetCore.Http.HttpResults;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Security;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// The sessions API's view of the URL policy: turns what a user typed into a URL (400 when it is missing, malformed or
/// longer than <see cref="InputLimits.Url"/>), refuses what the policy refuses with a 403 that says why (and shows the
/// same explanation in the tab), and turns Chromium's navigation errors — including a proxy refusal behind
/// ERR_TUNNEL_CONNECTION_FAILED — into clear problems.
/// </summary>
public sealed class UrlGuard(UrlPolicy policy, FilteringProxy proxy)
{
    /// <summary>The outcome: <see cref="Url"/> is set whenever the input parsed, even when the policy refuses it.</summary>
    public sealed record Check(Uri? Url, ProblemHttpResult? Problem, UrlDecision? Refusal, string? Reason)
    {
        public bool Allowed => Problem is null;
    }

    public Task<Check> CheckAsync(string? input, CancellationToken cancellationToken) => CheckAsync(input, null, cancellationToken);

    /// <summary>
    /// <paramref name="currentPage"/> is where the tab is now: a <c>blob:</c> URL of that same origin may be opened,
    /// as the page itself may (see <see cref="UrlPolicy.Evaluate"/>).
    /// </summary>
    public async Task<Check> CheckAsync(string? input, string? currentPage, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            const string missing = "Send {\"url\": \"https://...\"}.";
            return new Check(null, Problems.BadRequest("Missing URL", missing, "missing-url"), null, missing);
        }

        if (input.Length > InputLimits.Url)
        {
            return TooLong(input.Length);
        }

        if (!UrlPolicy.TryNormalize(input, out var url, out var error))
        {
            var reason = error == AddressBarInput.NotAUrl
                ? $"'{input.Trim()}' is not a valid web address."
                : char.ToUpperInvariant(error[0]) + error[1..] + ".";
            return new Check(null, Problems.BadRequest("Invalid URL", reason, "invalid-url"), null, reason);
        }

        if (url.AbsoluteUri.Length > InputLimits.Url)
        {
            return TooLong(url.AbsoluteUri.Length);
        }

        var page = currentPage is not null && Uri.TryCreate(currentPage, UriKind.Absolute, out var current) ? current : null;
        var decision = await policy.EvaluateAsync(url, UrlUse.TopLevel, page, cancellationToken);
        return decision.Allowed
            ? new Check(url, null, null, null)
            : new Check(url, Problems.Refused(decision.Reason, decision.Code), decision, decision.Reason);
    }

    private static Check TooLong(int length)
    {
        var problem = Problems.TooLong("url", length, InputLimits.Url);
        return new Check(null, problem, null, $"The URL is {length} characters long; the limit is {InputLimits.Url}.");
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
            return Problems.Refused(refusal.Reason, refusal.Code);
        }

        return exception is TimeoutException || message.Contains("Timeout", StringComparison.Ordinal)
            ? Problems.GatewayTimeout($"{url} did not answer in time: {message}")
            : Problems.BadGateway($"Could not open {url}: {message}");
    }
}
