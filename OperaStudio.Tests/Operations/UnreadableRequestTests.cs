using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Operations;

/// <summary>
/// A request body the service cannot read gets a ProblemDetails that says what was wrong and where, whichever
/// endpoint it was sent to, and the service answers the next request as usual.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class UnreadableRequestTests(BrowserServiceFixture service)
{
    [Theory]
    [InlineData("/api/workflows", "not json at all", "application/json", 400, "could not be read as this call's JSON: look at its start (line 1")]
    [InlineData("/api/workflows", "{\"name\": 5, \"steps\": []}", "application/json", 400, "look at $.name (line 1")]
    [InlineData("/api/sessions", "{\"url\": ", "application/json", 400, "could not be read as this call's JSON")]
    [InlineData("/api/workflows", "name=x", "text/plain", 415, "Send the body as JSON (Content-Type: application/json), not text/plain")]
    public async Task UnreadableBody_IsAProblemSayingWhatAndWhere(string path, string body, string contentType, int status, string detail)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new(contentType);

        using var response = await service.Http.PostAsync(path, content);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        using var next = await service.Http.GetAsync("/api/workflows");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }
}
