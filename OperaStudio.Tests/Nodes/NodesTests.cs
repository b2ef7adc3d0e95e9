extern alias web;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.BrowserService.Sessions.Persistence;
using OperaStudio.ServiceDefaults;
using OperaStudio.Tests.Infrastructure;
using web::OperaStudio.Web.Proxy.Nodes;

namespace OperaStudio.Tests.Nodes;

/// <summary>
/// Two nodes on one Redis and one PostgreSQL: new sessions spread over them and each session's requests (REST and the
/// panel's hub connection) are routed to the node holding it; a drained node hands its sessions over and their viewers
/// are sent to reconnect, and a node killed with kill -9 loses its sessions only until its heartbeat expires — both
/// come back on the other node with their tabs, still logged in; fifty creates at once on both nodes never pass the
/// cluster's cap. The router is the web app's own, reading the same Redis.
/// </summary>
[Collection(BrowserServiceCollection.Name)]
public sealed class NodesTests(TwoNodesFixture nodes) : IClassFixture<TwoNodesFixture>
{
    private static readonly string A = BrowserNodes.ResourceName(1);
    private static readonly string B = BrowserNodes.ResourceName(2);
    private static readonly RequestTarget Create = RequestTarget.Of("POST", "/api/sessions", QueryCollection.Empty);

    [Fact]
    public async Task NewSessions_GoToTheNodeWithTheMostRoom_SpreadOverBoth_AndASessionsRequestsGoToItsHolder()
    {
        var router = Router();
        var created = new List<(string Node, string Id)>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var directory = await DirectoryAsync();
                var node = Assert.Single(await router.ChooseAsync(Create));
                Assert.Equal(directory.Max(n => n.Room), directory.Single(n => n.Id == node).Room);
                using var response = await Host(node).Http.PostAsJsonAsync("/api/sessions", new { });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                created.Add((node, (await response.Content.ReadFromJsonAsync<SessionDto>())!.Id));
                // The next choice sees this session in the node's heartbeat.
                await Eventually.TrueAsync(
                    async () => (await DirectoryAsync()).Single(n => n.Id == node).Sessions == Host(node).Sessions.Count,
                    $"{node}'s heartbeat to count its sessions", TimeSpan.FromSeconds(30));
            }

            Assert.Contains(created, c => c.Node == A);
            Assert.Contains(created, c => c.Node == B);
            foreach (var (node, id) in created)
            {
                await Eventually.TrueAsync(
                    async () => (await router.ChooseAsync(RequestTarget.Of("GET", $"/api/sessions/{id}/tabs", QueryCollection.Empty))).SequenceEqual([node]),
                    $"session {id}'s REST calls to go to {node}", TimeSpan.FromSeconds(30));
                Assert.Equal(node, Assert.Single(await router.ChooseAsync(Hub(id))));
                Assert.Equal(node, Assert.Single(await router.ChooseAsync(RequestTarget.Of("GET", $"/cdp/{id}", QueryCollection.Empty))));
            }

            // MCP sessions live in one node's memory: every /mcp request goes to the same node.
            var mcp = Assert.Single(await router.ChooseAsync(RequestTarget.Of("POST", "/mcp", QueryCollection.Empty)));
            Assert.Equal(mcp, Assert.Single(await router.ChooseAsync(RequestTarget.Of("GET", "/mcp", QueryCollection.Empty))));
        }
        finally
        {
            foreach (var (node, id) in created)
            {
                await Host(node).Http.DeleteAsync($"/api/sessions/{id}");
            }
        }
    }

    [Fact]
    public async Task DrainedNode_HandsItsSessionOver_ItsViewerIsSentToReconnect_AndTheOtherNodeRestoresIt_LoggedInWithItsTabs()
    {
        var router = Router();
        var (session, tabIds) = await LogInWithTwoTabsAsync(nodes.A.Http, nodes.A.Services);
        await using var viewer = await HubViewer.JoinAsync(nodes.A.BaseAddress, session.Id);
        await viewer.NextFrameAsync();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        try
        {
            Assert.Equal(A, Assert.Single(await router.ChooseAsync(Hub(session.Id))));
            using var drain = await nodes.A.Http.PostAsync("/api/operations/drain", null);
            var drained = (await drain.Content.ReadFromJsonAsync<DrainDto>())!;

            Assert.True(drained.Draining);
            Assert.Equal(0, drained.SessionsLive);
            Assert.True((await nodes.Redis.GetDatabase().HashGetAsync(ClusterKeys.Session(session.Id), ClusterKeys.SessionNodeField)).IsNull,
                "the registry should say no node holds the session once the drain answered");
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the panel's cue to reconnect
            // The reconnect (and a new session) goes to the other node: a draining one is never chosen.
            await Eventually.TrueAsync(async () => (await router.ChooseAsync(Hub(session.Id))).SequenceEqual([B]),
                "the router to send the session to the node not draining", TimeSpan.FromSeconds(30));
            Assert.Equal(B, Assert.Single(await router.ChooseAsync(Create)));

            await using var reconnected = await HubViewer.JoinAsync(nodes.B.BaseAddress, session.Id);
            var frame = await reconnected.NextFrameAsync();
            var restored = (await nodes.B.Http.GetFromJsonAsync<SessionDto>($"/api/sessions/{session.Id}"))!;

            Assert.Equal(restored.ActiveTabId, frame.TabId);
            await AssertRestoredAsync(nodes.B, restored, tabIds);
            await Eventually.TrueAsync(async () => (await router.ChooseAsync(Hub(session.Id))).SequenceEqual([B]),
                "the registry to name the node that restored the session", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await nodes.A.Http.DeleteAsync("/api/operations/drain");
            await nodes.B.Http.DeleteAsync($"/api/sessions/{session.Id}");
        }
    }

    [Fact]
    public async Task KilledNode_ItsSessionComesBackOnAnotherNode_FromItsLastSavedState_LoggedInWithItsTabs()
    {
        // kill -9 needs a process of its own: the in-process hosts can only stop gracefully (which saves everything).
        await using var doomed = await NodeProcess.StartAsync(
            nodes.RedisConnectionString, nodes.DatabaseConnectionString, nodes.Pages.HostAndPort, TwoNodesFixture.Settings("browser-killed"));
        var (session, tabIds) = await LogInWithTwoTabsAsync(doomed.Http, nodes.B.Services);
        await Eventually.TrueAsync(
            async () => (string?)await nodes.Redis.GetDatabase().HashGetAsync(ClusterKeys.Session(session.Id), ClusterKeys.SessionNodeField) == "browser-killed",
            "the registry to name the node process", TimeSpan.FromSeconds(30));

        doomed.Kill();
        // Refused while the dead node's heartbeat lives on (at most its TTL), then restored from the saved state.
        var restored = await Eventually.ValueAsync(
            async () =>
            {
                using var response = await nodes.B.Http.GetAsync($"/api/sessions/{session.Id}");
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<SessionDto>() : null;
            },
            s => s is not null, "the other node to restore the killed node's session", TimeSpan.FromSeconds(60));

        try
        {
            await AssertRestoredAsync(nodes.B, restored!, tabIds);
        }
        finally
        {
            await nodes.B.Http.DeleteAsync($"/api/sessions/{session.Id}");
        }
    }

    [Fact]
    public async Task FiftyConcurrentCreates_AcrossTwoNodes_NeverPassTheClusterCap()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => (i % 2 == 0 ? nodes.A : nodes.B).Http.PostAsJsonAsync("/api/sessions", new { })));
        var created = new List<(BrowserServiceHost Host, string Id)>();
        for (var i = 0; i < responses.Length; i++)
        {
            if (responses[i].StatusCode == HttpStatusCode.Created)
            {
                created.Add((i % 2 == 0 ? nodes.A : nodes.B, (await responses[i].Content.ReadFromJsonAsync<SessionDto>())!.Id));
            }
        }

        try
        {
            var statuses = string.Join(", ", responses.GroupBy(r => r.StatusCode).Select(g => $"{(int)g.Key}×{g.Count()}"));
            Assert.True(created.Count is > 0 and <= TwoNodesFixture.ClusterCap, $"created {created.Count} with a cluster cap of {TwoNodesFixture.ClusterCap} ({statuses})");
            Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
            Assert.True(nodes.A.Sessions.Count + nodes.B.Sessions.Count <= TwoNodesFixture.ClusterCap,
                $"live: {nodes.A.Sessions.Count} on A, {nodes.B.Sessions.Count} on B");
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }

            foreach (var (host, id) in created)
            {
                await host.Http.DeleteAsync($"/api/sessions/{id}");
            }
        }
    }

    [Fact]
    public async Task ThroughTheWebApp_EachSessionReachesItsNode_AndAViewerReconnectsToTheOtherNodeAfterADrain_InAtMostThreeRetries()
    {
        await using var webApp = WebAppFixture.Start(nodes.A.BaseAddress.ToString(), nodes.DatabaseConnectionString, new Dictionary<string, string>
        {
            [$"services:{B}:http:0"] = nodes.B.BaseAddress.ToString().TrimEnd('/'),
            ["BrowserService:Nodes"] = "2",
            [$"ConnectionStrings:{ResourceNames.Redis}"] = nodes.RedisConnectionString,
        });
        var web = BrowserServiceHost.ServerAddress(webApp.Services);
        using var http = new HttpClient { BaseAddress = web, Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.Authorization = TestIdentity.AdminBearer;
        var ids = new List<string>();
        try
        {
            // New sessions go to the node with the most room: within a few, both nodes have one of them (whatever
            // the class's other tests left running).
            for (var i = 0; i < 4 && !(ids.Any(id => nodes.A.Sessions.Find(id) is not null) && ids.Any(id => nodes.B.Sessions.Find(id) is not null)); i++)
            {
                using var created = await http.PostAsJsonAsync("/api/sessions", new { });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                ids.Add((await created.Content.ReadFromJsonAsync<SessionDto>())!.Id);
                await Eventually.TrueAsync(
                    async () => (await DirectoryAsync()).Sum(n => n.Sessions) == nodes.A.Sessions.Count + nodes.B.Sessions.Count,
                    "the heartbeats to count the sessions", TimeSpan.FromSeconds(30));
            }

            // One on each node, and each reached through the web app (the other node would answer 404).
            var onA = ids.First(id => nodes.A.Sessions.Find(id) is not null);
            Assert.Contains(ids, id => nodes.B.Sessions.Find(id) is not null);
            foreach (var id in ids)
            {
                using var read = await http.GetAsync($"/api/sessions/{id}");
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            }

            // The panel's connection: its session in the URL, its retry policy.
            var retries = new PanelRetries();
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(web, $"hubs/live?{RequestTarget.SessionQuery}={onA}"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(TestIdentity.AdminToken))
                .WithAutomaticReconnect(retries)
                .AddMessagePackProtocol()
                .Build();
            var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Reconnected += _ =>
            {
                reconnected.TrySetResult();
                return Task.CompletedTask;
            };
            await using var viewer = HubViewer.For(connection);
            await connection.StartAsync();
            await viewer.JoinAsync(onA);
            await viewer.NextFrameAsync();

            using var drain = await nodes.A.Http.PostAsync("/api/operations/drain", null);
            drain.EnsureSuccessStatusCode();
            await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var joined = await viewer.JoinAsync(onA);
            await viewer.NextFrameAsync();

            Assert.Equal(onA, joined.Id);
            Assert.NotNull(nodes.B.Sessions.Find(onA));
            Assert.True(retries.Attempts <= 3, $"reconnected after {retries.Attempts} retries");
        }
        finally
        {
            await nodes.A.Http.DeleteAsync("/api/operations/drain");
            foreach (var id in ids)
            {
                await http.DeleteAsync($"/api/sessions/{id}");
            }
        }
    }

    private BrowserServiceHost Host(string node) => node == A ? nodes.A : nodes.B;

    private NodeRouter Router() => new(
        nodes.Redis, Options.Create(new BrowserNodesOptions { Nodes = 2, DirectoryCacheMilliseconds = 0 }), TimeProvider.System, NullLogger<NodeRouter>.Instance);

    private static RequestTarget Hub(string sessionId) =>
        RequestTarget.Of("GET", "/hubs/live/negotiate", new QueryCollection(new Dictionary<string, StringValues> { [RequestTarget.SessionQuery] = sessionId }));

    private async Task<IReadOnlyList<NodeDto>> DirectoryAsync()
    {
        var db = nodes.Redis.GetDatabase();
        var entries = await db.StringGetAsync([ClusterKeys.Node(A), ClusterKeys.Node(B)]);
        return [.. entries.Where(e => !e.IsNullOrEmpty).Select(e => JsonSerializer.Deserialize<NodeDto>((string)e!, ClusterKeys.Json)!)];
    }

    /// <summary>The panel's reconnect delays: 0.5 s, 1 s, 2 s, then every 5 s.</summary>
    private sealed class PanelRetries : IRetryPolicy
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public TimeSpan? NextRetryDelay(RetryContext retryContext)
        {
            Interlocked.Increment(ref _attempts);
            return TimeSpan.FromMilliseconds(Math.Min(500 * Math.Pow(2, retryContext.PreviousRetryCount), 5000));
        }
    }

    /// <summary>Logs in (a cookie set by a redirecting GET), opens a second tab, and waits until both are saved.</summary>
    private async Task<(SessionDto Session, IReadOnlyList<string> TabIds)> LogInWithTwoTabsAsync(HttpClient node, IServiceProvider storeOwner)
    {
        var pages = nodes.Pages;
        var login = pages.Handle("/nodes/login", context =>
        {
            context.Response.Cookies.Append("who", context.Request.Query["user"].ToString(), new CookieOptions { HttpOnly = true, Path = "/" });
            context.Response.Redirect("/nodes/account");
            return Task.CompletedTask;
        });
        pages.Handle("/nodes/account", context =>
        {
            context.Response.ContentType = "text/html";
            var who = context.Request.Cookies["who"];
            return context.Response.WriteAsync($"<!doctype html><title>Account</title><p id=who>{(who is null ? "signed out" : "signed in as " + who)}</p>");
        });

        using var created = await node.PostAsJsonAsync("/api/sessions", new { url = new Uri(login, "?user=ada").ToString() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = (await created.Content.ReadFromJsonAsync<SessionDto>())!;
        using var opened = await node.PostAsJsonAsync($"/api/sessions/{session.Id}/tabs", new { url = new Uri(pages.BaseAddress, "nodes/account?second").ToString() });
        opened.EnsureSuccessStatusCode();
        var store = storeOwner.GetRequiredService<SessionStateStore>();
        SavedSession? saved = null;
        await Eventually.TrueAsync(async () =>
        {
            saved = await store.LoadRestorableAsync(session.Id);
            return saved is { Tabs.Count: 2, StorageStateJson: { } storage } && storage.Contains("\"who\"", StringComparison.Ordinal)
                && saved.Tabs.All(t => t.Url.Contains("/nodes/account", StringComparison.Ordinal));
        }, "both tabs and the login cookie to be saved", TimeSpan.FromSeconds(30));
        return (session, saved!.Tabs.Select(t => t.Id).ToList());
    }

    private static async Task AssertRestoredAsync(BrowserServiceHost host, SessionDto restored, IReadOnlyList<string> tabIds)
    {
        Assert.True(tabIds.SequenceEqual(restored.Tabs.Select(t => t.Id)),
            $"saved tabs [{string.Join(", ", tabIds)}], restored [{string.Join(", ", restored.Tabs.Select(t => $"{t.Id} {t.Url}"))}]");
        Assert.All(restored.Tabs, tab => Assert.Contains("/nodes/account", tab.Url, StringComparison.Ordinal));
        foreach (var tab in host.Sessions.Find(restored.Id)!.Tabs)
        {
            await tab.Page.WaitForSelectorAsync("#who");
            Assert.Equal("signed in as ada", await tab.Page.InnerTextAsync("#who"));
        }
    }
}
