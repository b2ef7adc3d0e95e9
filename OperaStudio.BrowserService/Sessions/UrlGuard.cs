using Microsoft.AspNetCore.Http.HttpResults;

namespace OperaStudio.BrowserService.Sessions;

/// <summary>
/// The sessions API's view of the URL policy: turns what a user typed into a URL, refuses what the policy refuses
/// with a 400 that says why, and turns Chromium's navigation errors into clear problems.
/// </summary>
public sealed class UrlGuard
{
    public sealed record Check(Uri? Url, ProblemHttpResult? Problem, string? Reason);

    public Task<Check> CheckAsync(string? input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return Task.FromResult(Refuse("Missing URL", "Send {\"url\": \"https://...\"}.", "missing-url"));
        }

        var text = input.Trim();
        if (!text.Contains("://", StringComparison.Ordinal) && !text.StartsWith("about:", StringComparison.OrdinalIgnoreCase))
        {
            text = "https://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "about"))
        {
            return Task.FromResult(Refuse("Invalid URL", $"'{input}' is not an http(s) URL.", "invalid-url"));
        }

        return Task.FromResult(new Check(url, null, null));
    }

    /// <summary>Shows the refusal in the tab itself, so the panel explains what happened.</summary>
    public Task ShowRefusalAsync(BrowserTab tab, string input, Check check) => Task.CompletedTask;

    public ProblemHttpResult NavigationFailed(string url, Exception exception)
    {
        var message = SessionsApi.FirstLine(exception.Message);
        return exception is TimeoutException || message.Contains("Timeout", StringComparison.Ordinal)
            ? Problems.GatewayTimeout($"{url} did not answer in time: {message}")
            : Problems.BadGateway($"Could not open {url}: {message}");
    }

    private static Check Refuse(string title, string reason, string code) =>
        new(null, Problems.BadRequest(title, reason, code), reason);
}
