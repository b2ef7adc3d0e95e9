using System.ComponentModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OperaStudio.BrowserService.Agent.Tools;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;

namespace OperaStudio.Tests.Mcp;

/// <summary>
/// The MCP server, as an AI client reaches it: the ModelContextProtocol client over streamable HTTP through the web
/// app's origin (its proxy streams the answers), with a personal API token. The agent's tools act on a real page of a
/// session the MCP session created or attached to; each call is a step marked with the client's name.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed partial class McpServerTests(WebAppFixture web) : IClassFixture<WebAppFixture>
{
    private const string ClientName = "test-mcp-client";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private BrowserServiceFixture Service => web.Service;

    [Fact]
    public async Task ListTools_AreTheAgentsToolsWithThePluginsDescriptions_AndTheSessionTools()
    {
        var (_, token) = await NewUserWithTokenAsync("lister");
        await using var client = await ConnectAsync(token);

        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);

        string[] expected = [.. ToolNames.Browser, "create_session", "attach_session"];
        Assert.Equal(expected, tools.Select(t => t.Name));
        foreach (var name in ToolNames.Browser)
        {
            Assert.Equal(PluginDescription(name), tools.Single(t => t.Name == name).Description);
        }

        var click = tools.Single(t => t.Name == ToolNames.Click).ProtocolTool.InputSchema;
        Assert.Equal(
            "The element's ref from the latest snapshot, e.g. e12.",
            click.GetProperty("properties").GetProperty("ref").GetProperty("description").GetString());
        var type = tools.Single(t => t.Name == ToolNames.Type).ProtocolTool.InputSchema;
        string[] required = ["ref", "text"];
        Assert.Equal(required, type.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("os_not-a-real-token-at-all")]
    public async Task WithoutAValidToken_TheServerAnswers401(string? token)
    {
        using var http = new HttpClient { BaseAddress = web.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CreateSession_ThenClick_ChangesThePage_AndTheStepIsTheClients()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = Service.Pages.Page("/mcp/click", """
            <!doctype html><title>Counter</title>
            <h1 id="out">not clicked</h1>
            <button onclick="document.getElementById('out').textContent = 'clicked by mcp'">Change it</button>
            """);
        var (_, token) = await NewUserWithTokenAsync("clicker");
        await using var client = await ConnectAsync(token);

        var created = await CallAsync(client, "create_session", new() { ["url"] = url.ToString() });
        var sessionId = JsonDocument.Parse(created).RootElement.GetProperty("id").GetString()!;
        try
        {
            var before = await CallAsync(client, ToolNames.Snapshot);
            var clicked = await CallAsync(client, ToolNames.Click, new() { ["ref"] = RefOf(before, "button \"Change it\"") });
            var after = await CallAsync(client, ToolNames.Snapshot);

            Assert.Contains("Clicked", clicked, StringComparison.Ordinal);
            Assert.Contains("clicked by mcp", after, StringComparison.Ordinal);
            using var api = Bearer(token);
            var state = (await api.GetFromJsonAsync<AgentStateDto>($"/api/sessions/{sessionId}/agent", ct))!;
            var step = Assert.Single(state.Steps, s => s.Tool == ToolNames.Click);
            Assert.Equal(("mcp", ClientName, StepStatuses.Ok), (step.Source, step.Client, step.Status));

            // History keeps the call as the client's action.
            await Eventually.TrueAsync(
                async () => (await api.GetFromJsonAsync<SessionTimelineDto>($"/api/history/sessions/{sessionId}", ct))!.Entries
                    .Any(e => e is { Kind: "action", Actor: "mcp", Title: ToolNames.Click, User: ClientName }),
                "the click to be in the session's history as the MCP client's", Budget);
        }
        finally
        {
            await CloseAsync(token, sessionId);
        }
    }

    [Fact]
    public async Task ABrowserTool_BeforeCreateOrAttach_IsAnErrorSayingSo()
    {
        var (_, token) = await NewUserWithTokenAsync("unbound");
        await using var client = await ConnectAsync(token);

        var result = await client.CallToolAsync(ToolNames.Snapshot, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.IsError);
        Assert.Contains("create_session", TextOf(result), StringComparison.Ordinal);
        Assert.Contains("attach_session", TextOf(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AttachSession_ToOwnSessionWorks_ToAnotherUsersIsNotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = Service.Pages.Page("/mcp/attach", "<!doctype html><title>Attached</title><p>Mine</p>");
        var (_, aliceToken) = await NewUserWithTokenAsync("alice");
        var (_, bobToken) = await NewUserWithTokenAsync("bob");
        var sessionId = await OpenSessionAsync(aliceToken, url);
        try
        {
            await using var bob = await ConnectAsync(bobToken);
            var refused = await bob.CallToolAsync("attach_session", new Dictionary<string, object?> { ["session_id"] = sessionId }, cancellationToken: ct);
            var stillUnbound = await bob.CallToolAsync(ToolNames.Snapshot, cancellationToken: ct);

            Assert.True(refused.IsError);
            Assert.Contains("no live session", TextOf(refused), StringComparison.Ordinal);
            Assert.True(stillUnbound.IsError);
            Assert.Contains("create_session", TextOf(stillUnbound), StringComparison.Ordinal);

            await using var alice = await ConnectAsync(aliceToken);
            await CallAsync(alice, "attach_session", new() { ["session_id"] = sessionId });
            Assert.Contains("Mine", await CallAsync(alice, ToolNames.GetContent, new() { ["format"] = "text" }), StringComparison.Ordinal);
        }
        finally
        {
            await CloseAsync(aliceToken, sessionId);
        }
    }

    [Fact]
    public async Task AnotherCaller_CannotUseSomeonesMcpSessionId()
    {
        var (_, aliceToken) = await NewUserWithTokenAsync("alice");
        var (_, bobToken) = await NewUserWithTokenAsync("bob");
        await using var alice = await ConnectAsync(aliceToken);
        using var http = Bearer(bobToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"create_session","arguments":{}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Add("Mcp-Session-Id", alice.SessionId);
        request.Headers.Add("MCP-Protocol-Version", alice.NegotiatedProtocolVersion);

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ExecuteScript_WaitsForThePanelsApproval_ThenReturnsTheValue()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = Service.Pages.Page("/mcp/script", "<!doctype html><title>Scripted</title><p>page</p>");
        var (_, token) = await NewUserWithTokenAsync("scripter");
        await using var client = await ConnectAsync(token);
        var sessionId = JsonDocument.Parse(await CallAsync(client, "create_session", new() { ["url"] = url.ToString() })).RootElement.GetProperty("id").GetString()!;
        try
        {
            using var panel = Bearer(token);
            var call = client.CallToolAsync(ToolNames.ExecuteScript, new Dictionary<string, object?> { ["script"] = "return [document.title, 6 * 7];" }, cancellationToken: ct).AsTask();
            var approval = await PendingApprovalAsync(panel, sessionId);
            Assert.False(call.IsCompleted);
            using (var decided = await panel.PostAsJsonAsync($"/api/sessions/{sessionId}/approvals/{approval.Id}", new { approve = true }, ct))
            {
                Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
            }

            var result = await call;

            Assert.Equal(("execute_script", "mcp"), (approval.Kind, approval.Source));
            Assert.NotEqual(true, result.IsError);
            Assert.Equal("[\"Scripted\",42]", TextOf(result));

            // Denied: the call completes as a refusal, and the script does not run.
            var denied = client.CallToolAsync(ToolNames.ExecuteScript, new Dictionary<string, object?> { ["script"] = "document.title = 'ran'" }, cancellationToken: ct).AsTask();
            var second = await PendingApprovalAsync(panel, sessionId);
            (await panel.PostAsJsonAsync($"/api/sessions/{sessionId}/approvals/{second.Id}", new { approve = false }, ct)).Dispose();
            var refusal = await denied;
            Assert.True(refusal.IsError);
            Assert.Contains("denied", TextOf(refusal), StringComparison.Ordinal);
            Assert.Equal("Scripted", Service.Sessions.Find(sessionId)!.ActiveTab.ToDto().Title);
        }
        finally
        {
            await CloseAsync(token, sessionId);
        }
    }

    [Fact]
    public async Task AMemberWithoutControl_IsRefused_SayingControlIsNeeded()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = Service.Pages.Page("/mcp/control", "<!doctype html><title>Shared</title><p>shared</p>");
        var (alice, aliceToken) = await NewUserWithTokenAsync("owner");
        var (bob, bobToken) = await NewUserWithTokenAsync("member");
        var sessionId = await OpenSessionAsync(aliceToken, url);
        try
        {
            using (var asAlice = TestIdentity.ClientFor(Service.BaseAddress, alice))
            using (var shared = await asAlice.PutAsJsonAsync($"/api/sessions/{sessionId}/members/{bob}", new { role = "controller" }, ct))
            {
                Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
            }

            await using var client = await ConnectAsync(bobToken);
            await CallAsync(client, "attach_session", new() { ["session_id"] = sessionId });
            var result = await client.CallToolAsync(ToolNames.Snapshot, cancellationToken: ct);

            Assert.True(result.IsError);
            Assert.Contains("control", TextOf(result), StringComparison.Ordinal);
        }
        finally
        {
            await CloseAsync(aliceToken, sessionId);
        }
    }

    [Fact]
    public async Task BadArguments_AreErrorsThatSayWhy_AndNothingRuns()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = Service.Pages.Page("/mcp/bad", "<!doctype html><title>Bad</title><button>b</button>");
        var (_, token) = await NewUserWithTokenAsync("sloppy");
        await using var client = await ConnectAsync(token);
        var noId = await client.CallToolAsync("attach_session", cancellationToken: ct);
        var sessionId = JsonDocument.Parse(await CallAsync(client, "create_session", new() { ["url"] = url.ToString() })).RootElement.GetProperty("id").GetString()!;
        try
        {
            var unknown = await client.CallToolAsync(ToolNames.Click, new Dictionary<string, object?> { ["selector"] = "button" }, cancellationToken: ct);
            var missing = await client.CallToolAsync(ToolNames.Type, new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: ct);
            var refused = await client.CallToolAsync("create_session", new Dictionary<string, object?> { ["url"] = "file:///etc/passwd" }, cancellationToken: ct);

            Assert.True(noId.IsError);
            Assert.Contains("session_id", TextOf(noId), StringComparison.Ordinal);
            Assert.True(unknown.IsError);
            Assert.Contains("click has no argument 'selector'", TextOf(unknown), StringComparison.Ordinal);
            Assert.True(missing.IsError);
            Assert.Contains("type needs 'ref'", TextOf(missing), StringComparison.Ordinal);
            Assert.True(refused.IsError);
            Assert.Contains("file: URLs are refused", TextOf(refused), StringComparison.Ordinal);
            using var api = Bearer(token);
            var state = (await api.GetFromJsonAsync<AgentStateDto>($"/api/sessions/{sessionId}/agent", ct))!;
            Assert.DoesNotContain(state.Steps, s => s.Source == "mcp");
        }
        finally
        {
            await CloseAsync(token, sessionId);
        }
    }

    [Fact]
    public async Task Screenshot_IsAnImage()
    {
        var url = Service.Pages.Page("/mcp/screenshot", "<!doctype html><title>Shot</title><h1>picture</h1>");
        var (_, token) = await NewUserWithTokenAsync("photographer");
        await using var client = await ConnectAsync(token);
        var sessionId = JsonDocument.Parse(await CallAsync(client, "create_session", new() { ["url"] = url.ToString() })).RootElement.GetProperty("id").GetString()!;
        try
        {
            var result = await client.CallToolAsync(ToolNames.Screenshot, cancellationToken: TestContext.Current.CancellationToken);

            Assert.True(result.IsError != true, TextOf(result));
            var image = Assert.Single(result.Content.OfType<ImageContentBlock>());
            Assert.Equal("image/jpeg", image.MimeType);
            Assert.True(image.DecodedData.Span is [0xFF, 0xD8, ..], "not a JPEG");
        }
        finally
        {
            await CloseAsync(token, sessionId);
        }
    }

    private async Task<McpClient> ConnectAsync(string token)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(web.BaseAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        });
        return await McpClient.CreateAsync(
            transport, new McpClientOptions { ClientInfo = new Implementation { Name = ClientName, Version = "1.0" } },
            cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>Calls a tool that must succeed; returns its text.</summary>
    private static async Task<string> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.IsError != true, $"{tool} failed: {TextOf(result)}");
        return TextOf(result);
    }

    private static string TextOf(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    private static async Task<ApprovalDto> PendingApprovalAsync(HttpClient panel, string sessionId)
    {
        var pending = await Eventually.ValueAsync(
            async () => (await panel.GetFromJsonAsync<List<ApprovalDto>>($"/api/sessions/{sessionId}/approvals", TestContext.Current.CancellationToken))!,
            list => list.Count > 0, "the script's approval to be pending", Budget);
        return Assert.Single(pending);
    }

    private static string PluginDescription(string tool) =>
        typeof(BrowserPlugin).GetMethods().Single(m => m.GetCustomAttribute<KernelFunctionAttribute>()?.Name == tool)
            .GetCustomAttribute<DescriptionAttribute>()!.Description;

    private static string RefOf(string snapshot, string element)
    {
        var match = Regex.Match(snapshot, Regex.Escape(element) + @" \[ref=([a-z0-9]+)\]");
        Assert.True(match.Success, $"No {element} in: {snapshot}");
        return match.Groups[1].Value;
    }

    private async Task<(string User, string Token)> NewUserWithTokenAsync(string name)
    {
        var user = $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];
        using var signedIn = TestIdentity.ClientFor(Service.BaseAddress, user);
        using var response = await signedIn.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("mcp", null), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (user, (await response.Content.ReadFromJsonAsync<CreatedApiTokenDto>(TestContext.Current.CancellationToken))!.Token);
    }

    /// <summary>A client of the web app's origin with the token, as a script (or the panel's own calls) would use it.</summary>
    private HttpClient Bearer(string token)
    {
        var http = new HttpClient { BaseAddress = web.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private async Task<string> OpenSessionAsync(string token, Uri url)
    {
        using var http = Bearer(token);
        using var response = await http.PostAsJsonAsync("/api/sessions", new { url = url.ToString() }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SessionDto>(TestContext.Current.CancellationToken))!.Id;
    }

    private async Task CloseAsync(string token, string sessionId)
    {
        using var http = Bearer(token);
        (await http.DeleteAsync($"/api/sessions/{sessionId}")).Dispose();
    }
}
