using System.Net;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Browsers;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Sessions;

[Collection(BrowserServiceCollection.Name)]
public sealed class SessionsApiTests(BrowserServiceFixture service)
{
    private HttpClient Http => service.Http;

    [Fact]
    public async Task CreateSession_WithoutUrl_Returns201WithOneStartPageTab()
    {
        using var response = await Http.PostAsJsonAsync("/api/sessions", new { });
        var session = await response.Content.ReadFromJsonAsync<SessionDto>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/sessions/{session!.Id}", response.Headers.Location?.ToString());
        var tab = Assert.Single(session.Tabs);
        Assert.Equal(session.ActiveTabId, tab.Id);
        Assert.Equal(StartPage.Url, tab.Url);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task CreateSession_WithUrl_OpensThatPage()
    {
        var url = service.Pages.Page("/api/hello", "<!doctype html><title>Hello page</title><h1>hello</h1>");

        using var response = await Http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() });
        var session = (await response.Content.ReadFromJsonAsync<SessionDto>())!;
        var tab = await WaitForTabAsync(session.Id, t => t.Title == "Hello page");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(url.ToString(), tab.Url);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task GetSession_Unknown_Returns404Problem()
    {
        using var response = await Http.GetAsync("/api/sessions/nope");
        var problem = await response.Content.ReadFromJsonAsync<ProblemShape>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Session not found", problem!.Title);
    }

    [Fact]
    public async Task Navigate_UnknownTab_Returns404Problem()
    {
        var session = await CreateSessionAsync();

        using var response = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/nope/navigate", new { url = "https://example.com" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Tab not found", (await response.Content.ReadFromJsonAsync<ProblemShape>())!.Title);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    public async Task Navigate_InvalidUrl_Returns400WithReason(string url)
    {
        var session = await CreateSessionAsync();

        using var response = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate", new { url });
        var problem = await response.Content.ReadFromJsonAsync<ProblemShape>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(problem!.Detail));
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/", "loopback", "http://127.0.0.1:1/")]
    [InlineData("http://2130706433:1/", "loopback", "http://127.0.0.1:1/")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local", "http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.1.2.3/", "private-network", "http://10.1.2.3/")]
    public async Task Navigate_RefusedByPolicy_Returns400AndTheTabExplainsWhy(string url, string code, string shown)
    {
        var session = await CreateSessionAsync();

        using var response = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate", new { url });
        var problem = await response.Content.ReadFromJsonAsync<ProblemShape>();
        var tab = await WaitForTabAsync(session.Id, t => t.Title == "Blocked");
        var pageText = await service.Sessions.Find(session.Id)!.ActiveTab.Page.InnerTextAsync("body");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, problem!.Code);
        Assert.Contains("refuses", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(shown, tab.Url);
        Assert.Contains(problem.Detail!, pageText, StringComparison.Ordinal);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task Tabs_OpenActivateClose_KeepTheSessionConsistent()
    {
        var session = await CreateSessionAsync();
        var url = service.Pages.Page("/api/second", "<!doctype html><title>Second</title>");

        using var opened = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs", new { url = url.ToString() });
        var tab = (await opened.Content.ReadFromJsonAsync<TabDto>())!;
        var afterOpen = await GetSessionAsync(session.Id);
        using var activated = await Http.PostAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/activate", null);
        var afterActivate = await GetSessionAsync(session.Id);
        using var closed = await Http.DeleteAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}");
        var afterClose = await GetSessionAsync(session.Id);

        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        Assert.Equal(2, afterOpen.Tabs.Count);
        Assert.Equal(tab.Id, afterOpen.ActiveTabId);
        Assert.Equal(session.ActiveTabId, afterActivate.ActiveTabId);
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.Equal(tab.Id, Assert.Single(afterClose.Tabs).Id);
        Assert.Equal(tab.Id, afterClose.ActiveTabId);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task BackForwardReload_MoveThroughHistory()
    {
        var first = service.Pages.Page("/api/history-1", "<!doctype html><title>One</title>");
        var second = service.Pages.Page("/api/history-2", "<!doctype html><title>Two</title>");
        var session = await CreateSessionAsync(first);
        var tabPath = $"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}";

        await Http.PostAsJsonAsync($"{tabPath}/navigate", new { url = second.ToString() });
        await WaitForTabAsync(session.Id, t => t.Title == "Two" && t.CanGoBack);
        using var back = await Http.PostAsync($"{tabPath}/back", null);
        var afterBack = await WaitForTabAsync(session.Id, t => t.Title == "One" && t.CanGoForward);
        using var forward = await Http.PostAsync($"{tabPath}/forward", null);
        await WaitForTabAsync(session.Id, t => t.Title == "Two");
        using var reload = await Http.PostAsync($"{tabPath}/reload", null);
        using var tooFar = await Http.PostAsync($"{tabPath}/forward", null);

        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(first.ToString(), afterBack.Url);
        Assert.Equal(HttpStatusCode.OK, forward.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, tooFar.StatusCode);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task Screenshot_ReturnsJpeg()
    {
        var session = await CreateSessionAsync();

        using var response = await Http.GetAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/screenshot");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.True(bytes.Length > 1000 && bytes[0] == 0xFF && bytes[1] == 0xD8, "not a JPEG");
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task DeleteSession_Twice_SecondIs404()
    {
        var session = await CreateSessionAsync();

        using var first = await Http.DeleteAsync($"/api/sessions/{session.Id}");
        using var second = await Http.DeleteAsync($"/api/sessions/{session.Id}");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
    }

    private async Task<SessionDto> CreateSessionAsync(Uri? url = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/sessions", new { url = url?.ToString() });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SessionDto>())!;
    }

    private async Task<SessionDto> GetSessionAsync(string id) =>
        (await Http.GetFromJsonAsync<SessionDto>($"/api/sessions/{id}"))!;

    private async Task<TabDto> WaitForTabAsync(string sessionId, Func<TabDto, bool> condition) =>
        await Eventually.ValueAsync(
            async () =>
            {
                var session = await GetSessionAsync(sessionId);
                return session.Tabs.First(t => t.Id == session.ActiveTabId);
            },
            condition, "the tab to reach the expected state", TimeSpan.FromSeconds(10));

    private sealed record ProblemShape(string? Title, string? Detail, int? Status, string? Code);
}
