using System.Net;
using System.Net.Http.Json;
using OperaStudio.BrowserService.Browsers;
using Microsoft.Extensions.DependencyInjection;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions.Persistence;
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
    [InlineData("weather today")]
    [InlineData("http://exa mple.com/")]
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
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,<h1>hi</h1>")]
    [InlineData("blob:https://example.com/0b0e5c3a-1111-4f4e-9a59-0d1f5a0b7c1d")]
    public async Task Navigate_RefusedScheme_Returns403WithReason(string url)
    {
        var session = await CreateSessionAsync();

        using var response = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate", new { url });
        var problem = await response.Content.ReadFromJsonAsync<ProblemShape>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("scheme-refused", problem!.Code);
        Assert.Contains("refused", problem.Detail, StringComparison.Ordinal);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/", "loopback", "http://127.0.0.1:1/")]
    [InlineData("http://2130706433:1/", "loopback", "http://127.0.0.1:1/")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local", "http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.1.2.3/", "private-network", "http://10.1.2.3/")]
    public async Task Navigate_RefusedByPolicy_Returns403AndTheTabExplainsWhy(string url, string code, string shown)
    {
        var session = await CreateSessionAsync();

        using var response = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate", new { url });
        var problem = await response.Content.ReadFromJsonAsync<ProblemShape>();
        var tab = await WaitForTabAsync(session.Id, t => t.Title == "Blocked");
        var pageText = await service.Sessions.Find(session.Id)!.ActiveTab.Page.InnerTextAsync("body");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
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

    [Fact]
    public async Task CreateSession_RefusedByPolicy_Returns403()
    {
        using var response = await Http.PostAsJsonAsync("/api/sessions", new { url = "http://10.1.2.3/" });
        var problem = await response.Content.ReadFromJsonAsync<ProblemShape>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("private-network", problem!.Code);
    }

    [Fact]
    public async Task CreateSession_FirstNavigationFails_LeavesNoSessionBehind()
    {
        var redirect = service.Pages.Handle("/api/redirect-to-file", context =>
        {
            context.Response.Redirect("file:///etc/passwd");
            return Task.CompletedTask;
        });
        var before = service.Sessions.All.Select(s => s.Id).ToHashSet();

        using var response = await Http.PostAsJsonAsync("/api/sessions", new { url = redirect.ToString() });
        var problem = await response.Content.ReadFromJsonAsync<ProblemShape>();
        var after = service.Sessions.All.Select(s => s.Id).ToList();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.False(string.IsNullOrWhiteSpace(problem!.Detail));
        Assert.DoesNotContain(after, id => !before.Contains(id));
    }

    [Fact]
    public async Task Navigate_SameOriginBlob_OpensAsThePageItselfMay_ElsewhereIs403()
    {
        var page = service.Pages.Page("/api/blob-maker", """
            <!doctype html><title>Blob maker</title>
            <script>window.blobUrl = URL.createObjectURL(new Blob(['<!doctype html><title>From a blob</title>'], {type: 'text/html'}));</script>
            """);
        var session = await CreateSessionAsync(page);
        await WaitForTabAsync(session.Id, t => t.Title == "Blob maker");
        var blobUrl = await service.Sessions.Find(session.Id)!.ActiveTab.Page.EvaluateAsync<string>("window.blobUrl");

        using var elsewhere = await Http.PostAsJsonAsync("/api/sessions", new { url = blobUrl });
        using var navigated = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate", new { url = blobUrl });
        var tab = await WaitForTabAsync(session.Id, t => t.Title == "From a blob");

        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, navigated.StatusCode);
        Assert.Equal(blobUrl, tab.Url);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task CreateSession_MultiMegabyteUrl_Is400NamingFieldAndLimit_AndNeverListed()
    {
        var url = service.Pages.Page("/api/long", "<!doctype html><title>Long</title>") + "?q=" + new string('a', 3_000_000);
        var session = await CreateSessionAsync();

        using var created = await Http.PostAsJsonAsync("/api/sessions", new { url });
        using var navigated = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs/{session.ActiveTabId}/navigate", new { url = url[..8300] });
        using var opened = await Http.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs", new { url = url[..8193] });
        using var listing = await Http.GetAsync("/api/sessions");
        var problems = new[]
        {
            await created.Content.ReadFromJsonAsync<ProblemShape>(),
            await navigated.Content.ReadFromJsonAsync<ProblemShape>(),
            await opened.Content.ReadFromJsonAsync<ProblemShape>(),
        };

        Assert.All(new[] { created, navigated, opened }, response => Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode));
        Assert.All(problems, problem =>
        {
            Assert.Equal("too-long", problem!.Code);
            Assert.Contains("'url'", problem.Detail, StringComparison.Ordinal);
            Assert.Contains("8192", problem.Detail, StringComparison.Ordinal);
        });
        Assert.DoesNotContain(new string('a', 8193), await listing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Theory]
    [InlineData("POST", "tabs/{tab}/dialog", "promptText", 8193, 8192)]
    [InlineData("POST", "agent/messages", "text", 8001, 8000)]
    [InlineData("POST", "agent/resume", "text", 8001, 8000)]
    [InlineData("PUT", "secrets/api-key", "value", 4097, 4096)]
    public async Task TextOverItsLimit_Is400NamingFieldAndLimit(string method, string path, string field, int length, int limit)
    {
        var session = await CreateSessionAsync();
        var body = new Dictionary<string, object> { [field] = new string('x', length) };
        if (field == "promptText")
        {
            body["accept"] = true;
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/sessions/{session.Id}/{path.Replace("{tab}", session.ActiveTabId, StringComparison.Ordinal)}")
        {
            Content = JsonContent.Create(body),
        };
        using var response = await Http.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<ProblemShape>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("too-long", problem!.Code);
        Assert.Equal($"'{field}' is {length} characters long; the limit is {limit}.", problem.Detail);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task ActionArgumentsOverTheLimit_Are400NamingTheLimit()
    {
        var session = await CreateSessionAsync();

        using var response = await Http.PostAsJsonAsync(
            $"/api/sessions/{session.Id}/actions", new { tool = "type", args = new { @ref = "e1", text = new string('x', 200_000) } });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'args' is", body, StringComparison.Ordinal);
        Assert.Contains("the limit is 100000", body, StringComparison.Ordinal);
        await Http.DeleteAsync($"/api/sessions/{session.Id}");
    }

    [Fact]
    public async Task ClosedSession_WhoseUrlOverflowsItsColumn_StaysClosed()
    {
        var page = service.Pages.Page("/api/grows", "<!doctype html><title>Grows</title>");
        var session = await CreateSessionAsync(page);
        // Saved once as it was (the first save follows the create at once).
        var store = service.Services.GetRequiredService<SessionStateStore>();
        await WaitUntilAsync(async () => await store.LoadRestorableAsync(session.Id) is not null);
        var tab = service.Sessions.Find(session.Id)!.ActiveTab;

        // The page, not the API, takes its address past the 8192 characters its column holds.
        await tab.Page.EvaluateAsync("() => history.replaceState(null, '', '?q=' + 'a'.repeat(20000))");
        await WaitUntilAsync(() => Task.FromResult(tab.Url.Length > 20000));
        using var closed = await Http.DeleteAsync($"/api/sessions/{session.Id}");
        using var afterClose = await Http.GetAsync($"/api/sessions/{session.Id}");

        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterClose.StatusCode);
        Assert.Null(service.Sessions.Find(session.Id));
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

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The condition never became true.");
    }

    private sealed record ProblemShape(string? Title, string? Detail, int? Status, string? Code);
}
