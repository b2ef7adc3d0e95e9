using System.Net;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Agent;

/// <summary>
/// The other ways to aim a click (visible text, a point of the viewport) and a call's own timeout_ms, whose timeout
/// says in one sentence what was in the way.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class ClickTargetsTests(AgentServiceFixture service)
{
    private const string Html = """
        <!doctype html><title>Click targets</title>
        <style>body { margin: 0; } #corner { position: absolute; left: 40px; top: 300px; width: 120px; height: 60px; }</style>
        <p>Press <b>Continue</b> when ready.</p>
        <button onclick="say('continue')">Continue</button>
        <button onclick="say('later')">Remind me later</button>
        <button onclick="say('save one')">Save</button> <button onclick="say('save two')">Save</button>
        <div id="corner" onclick="say('corner')">Corner</div>
        <p id="out">nothing yet</p>
        <script>function say(text) { document.getElementById('out').textContent = text; }</script>
        """;

    private const string CoveredHtml = """
        <!doctype html><title>Covered</title>
        <button id="buy" onclick="document.getElementById('out').textContent = 'bought'">Buy</button>
        <div id="cover" style="position: fixed; inset: 0; background: rgba(0,0,0,.3)">Cookie wall</div>
        <p id="out">nothing yet</p>
        """;

    [Fact]
    public async Task ClickByText_PrefersTheExactText_ThenContainedText()
    {
        await using var session = await AgentClient.CreateAsync(service.Http, service.Pages.Page("/click-targets/text", Html));

        // "Continue" is the whole text of the button and part of the paragraph: the exact one wins.
        await session.ActAsync("click", new { text = "Continue" });
        Assert.Equal("continue", await OutAsync(session));

        await session.ActAsync("click", new { text = "later" });
        Assert.Equal("later", await OutAsync(session));
    }

    [Fact]
    public async Task ClickByText_SeveralMatches_IsAnAmbiguityAndNothingIsClicked()
    {
        await using var session = await AgentClient.CreateAsync(service.Http, service.Pages.Page("/click-targets/ambiguous", Html));

        var (status, response) = await session.ActionAsync("click", new { text = "Save" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(response.Ok);
        Assert.Contains("2 visible elements", response.Error, StringComparison.Ordinal);
        Assert.Equal("nothing yet", await OutAsync(session));
    }

    [Fact]
    public async Task ClickAtAPoint_ReachesWhatIsThere_AndAPointOutsideTheViewportIsRefused()
    {
        await using var session = await AgentClient.CreateAsync(service.Http, service.Pages.Page("/click-targets/point", Html));

        var result = await session.ActAsync("click", new { x = 100, y = 330 });
        Assert.Equal("corner", await OutAsync(session));
        Assert.Contains("div#corner", result.GetString(), StringComparison.Ordinal);

        var (_, outside) = await session.ActionAsync("click", new { x = 100_000, y = 10 });
        Assert.False(outside.Ok);
        Assert.Contains("outside the viewport", outside.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"x\": 5}")]
    [InlineData("{\"ref\": \"e1\", \"text\": \"Save\"}")]
    [InlineData("{\"text\": \"Save\", \"timeout_ms\": 0}")]
    [InlineData("{\"text\": \"Save\", \"timeout_ms\": \"soon\"}")]
    public async Task BadClickArguments_AreABadRequestSayingWhy(string args)
    {
        await using var session = await AgentClient.CreateAsync(service.Http, service.Pages.Page("/click-targets/bad", Html));

        var (status, response) = await session.ActionAsync("click", System.Text.Json.JsonDocument.Parse(args).RootElement);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(response.Ok);
        Assert.False(string.IsNullOrWhiteSpace(response.Error));
    }

    [Fact]
    public async Task ACoveredElement_TimesOutAtTheCallsOwnTimeout_NamingWhatCoversIt()
    {
        await using var session = await AgentClient.CreateAsync(service.Http, service.Pages.Page("/click-targets/covered", CoveredHtml));

        // Long enough that finding and probing the element fit in it on a loaded machine (each is bounded by the
        // call's timeout too, and a slow page there is "did not answer"), so what runs out is the wait for the cover.
        var (status, response) = await session.ActionAsync("click", new { text = "Buy", timeout_ms = 8000 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(response.Ok);
        Assert.StartsWith("Timed out after 8 s: the element is covered by <div id=\"cover\"", response.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', response.Error!);
        Assert.Equal("nothing yet", await OutAsync(session));
    }

    private async Task<string> OutAsync(AgentClient session) =>
        await service.Sessions.Find(session.SessionId)!.ActiveTab.Page.EvaluateAsync<string>("() => document.getElementById('out').textContent");
}
