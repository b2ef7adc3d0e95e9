using System.Net;
using System.Text.Json;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.ServiceDefaults;

namespace OperaStudio.Web.Services;

/// <summary>
/// Typed client for the browser service, found through service discovery (<c>http://browser</c>): its health, the
/// sessions API, and the agent's API (<c>BrowserServiceClient.Agent.cs</c>). Calls never throw for HTTP or network
/// failures; they answer with the service's ProblemDetails (or an "unreachable" problem) so pages can show the reason.
/// </summary>
public sealed partial class BrowserServiceClient(HttpClient http)
{
    public static readonly Uri BaseAddress = new($"http://{ResourceNames.BrowserService}");

    /// <summary>Navigations wait for the site's first response; the service gives up on its own after ~30 s.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Asks the browser service's readiness endpoint; never throws.</summary>
    public async Task<ServiceStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = JsonDocument.Parse(body).RootElement.TryGetProperty("status", out var s) ? s.GetString() : null;
            return new ServiceStatus(response.IsSuccessStatusCode, status ?? response.StatusCode.ToString(), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            return new ServiceStatus(false, "Unreachable", ex.Message);
        }
    }

    public Task<ApiResult<SessionDto>> CreateSessionAsync(string? url = null, CancellationToken cancellationToken = default) =>
        SendAsync<SessionDto>(HttpMethod.Post, "/api/sessions", new CreateSessionRequest(url), cancellationToken);

    public Task<ApiResult<IReadOnlyList<SessionDto>>> ListSessionsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<SessionDto>>(HttpMethod.Get, "/api/sessions", null, cancellationToken);

    public Task<ApiResult<SessionDto>> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<SessionDto>(HttpMethod.Get, SessionPath(sessionId), null, cancellationToken);

    public Task<ApiResult<bool>> CloseSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, SessionPath(sessionId), null, cancellationToken);

    public Task<ApiResult<TabDto>> OpenTabAsync(string sessionId, string? url = null, CancellationToken cancellationToken = default) =>
        SendAsync<TabDto>(HttpMethod.Post, $"{SessionPath(sessionId)}/tabs", new CreateTabRequest(url), cancellationToken);

    public Task<ApiResult<bool>> CloseTabAsync(string sessionId, string tabId, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Delete, TabPath(sessionId, tabId), null, cancellationToken);

    public Task<ApiResult<TabDto>> NavigateAsync(string sessionId, string tabId, string url, CancellationToken cancellationToken = default) =>
        SendAsync<TabDto>(HttpMethod.Post, $"{TabPath(sessionId, tabId)}/navigate", new NavigateRequest(url), cancellationToken);

    public Task<ApiResult<TabDto>> GoBackAsync(string sessionId, string tabId, CancellationToken cancellationToken = default) =>
        SendAsync<TabDto>(HttpMethod.Post, $"{TabPath(sessionId, tabId)}/back", null, cancellationToken);

    public Task<ApiResult<TabDto>> GoForwardAsync(string sessionId, string tabId, CancellationToken cancellationToken = default) =>
        SendAsync<TabDto>(HttpMethod.Post, $"{TabPath(sessionId, tabId)}/forward", null, cancellationToken);

    public Task<ApiResult<TabDto>> ReloadAsync(string sessionId, string tabId, CancellationToken cancellationToken = default) =>
        SendAsync<TabDto>(HttpMethod.Post, $"{TabPath(sessionId, tabId)}/reload", null, cancellationToken);

    public Task<ApiResult<SessionDto>> ActivateTabAsync(string sessionId, string tabId, CancellationToken cancellationToken = default) =>
        SendAsync<SessionDto>(HttpMethod.Post, $"{TabPath(sessionId, tabId)}/activate", null, cancellationToken);

    public Task<ApiResult<bool>> AnswerDialogAsync(string sessionId, string tabId, bool accept, string? promptText, CancellationToken cancellationToken = default) =>
        SendAsync<bool>(HttpMethod.Post, $"{TabPath(sessionId, tabId)}/dialog", new DialogAnswerRequest(accept, promptText), cancellationToken);

    public Task<ApiResult<IReadOnlyList<DownloadDto>>> ListDownloadsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<DownloadDto>>(HttpMethod.Get, $"{SessionPath(sessionId)}/downloads", null, cancellationToken);

    /// <summary>Where the user's browser fetches a download: the web app's own origin, proxied to the service.</summary>
    public static string DownloadPath(string sessionId, string downloadId) =>
        $"{SessionPath(sessionId)}/downloads/{Uri.EscapeDataString(downloadId)}";

    /// <summary>Where the user's browser posts files for a waiting file chooser (multipart form, field <c>files</c>).</summary>
    public static string FilesPath(string sessionId, string tabId) => $"{TabPath(sessionId, tabId)}/files";

    private static string SessionPath(string sessionId) => $"/api/sessions/{Uri.EscapeDataString(sessionId)}";

    private static string TabPath(string sessionId, string tabId) => $"{SessionPath(sessionId)}/tabs/{Uri.EscapeDataString(tabId)}";

    /// <summary>
    /// One call: the body as JSON, the answer as <typeparamref name="T"/> (a <see cref="bool"/> result is simply
    /// "it worked"), or the problem the service described.
    /// </summary>
    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            // A body that is already content (a CSV upload) goes as it is; anything else as JSON.
            request.Content = body switch
            {
                null => null,
                HttpContent content => content,
                _ => JsonContent.Create(body, body.GetType(), options: Json),
            };

            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return Failed<T>(await ReadProblemAsync(response, cancellationToken));
            }

            if (typeof(T) == typeof(bool))
            {
                return Succeeded((T)(object)true);
            }

            var value = await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
            return value is null
                ? Failed<T>(new ApiProblem((int)response.StatusCode, "Empty answer", "The browser service sent no body."))
                : Succeeded(value);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or NotSupportedException)
        {
            if (ex is TaskCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return Failed<T>(ApiProblem.Unreachable(ex));
        }
    }

    private static ApiResult<T> Succeeded<T>(T value) => new(value, null);

    private static ApiResult<T> Failed<T>(ApiProblem problem) => new(default, problem);

    private static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? title = null;
        string? detail = null;
        string? code = null;
        IReadOnlyList<string>? problems = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (text.Length > 0)
            {
                using var problem = JsonDocument.Parse(text);
                title = problem.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
                detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
                code = ProblemCode(problem.RootElement);
                problems = ProblemList(problem.RootElement);
            }
        }
        catch (JsonException)
        {
            // Not a ProblemDetails body (e.g. a proxy's error page); the status code speaks for itself.
        }

        var retryAfter = response.Headers.RetryAfter?.Delta;
        return new ApiProblem(status, title ?? DescribeStatus(response.StatusCode), detail, retryAfter, code, problems);
    }

    /// <summary>The <c>problems</c> extension: every thing wrong with what was sent (a workflow's JSON), when listed.</summary>
    private static List<string>? ProblemList(JsonElement problem) =>
        problem.TryGetProperty("problems", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString() ?? "" : p.GetRawText())]
            : null;

    /// <summary>What kind of problem, for programs: the <c>code</c> extension, else the last segment of <c>type</c> (when not a status link).</summary>
    private static string? ProblemCode(JsonElement problem)
    {
        if (problem.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
        {
            return c.GetString();
        }

        if (problem.TryGetProperty("type", out var t) && t.GetString() is { Length: > 0 } type && !type.Contains("rfc", StringComparison.OrdinalIgnoreCase))
        {
            return type[(type.TrimEnd('/').LastIndexOf('/') + 1)..].TrimEnd('/');
        }

        return null;
    }

    private static string DescribeStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.NotFound => "Not found",
        HttpStatusCode.TooManyRequests => "Too many sessions",
        HttpStatusCode.ServiceUnavailable => "Browser service unavailable",
        HttpStatusCode.BadGateway => "Bad gateway",
        _ => $"HTTP {(int)status}",
    };
}

public sealed record ServiceStatus(bool IsHealthy, string Status, string? Error);

/// <summary>What went wrong with a call: the HTTP status (0 when the service could not be reached) and its ProblemDetails.</summary>
public sealed record ApiProblem(int Status, string Title, string? Detail, TimeSpan? RetryAfter = null, string? Code = null, IReadOnlyList<string>? Problems = null)
{
    public bool IsUnreachable => Status == 0;

    public bool IsNotFound => Status == (int)HttpStatusCode.NotFound;

    /// <summary>The service is there but cannot take more right now (429 too many sessions, 503 no browser).</summary>
    public bool IsBusy => Status is (int)HttpStatusCode.TooManyRequests or (int)HttpStatusCode.ServiceUnavailable;

    /// <summary>One sentence for the user: the detail when the service gave one, else the title.</summary>
    public string Message => string.IsNullOrWhiteSpace(Detail) ? Title : Detail;

    public static ApiProblem Unreachable(Exception exception) =>
        new(0, "Browser service unreachable", exception is TaskCanceledException ? "The browser service did not answer in time." : exception.Message);
}

/// <summary>A value, or the problem that prevented it.</summary>
public readonly record struct ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool IsSuccess => Problem is null;
}
