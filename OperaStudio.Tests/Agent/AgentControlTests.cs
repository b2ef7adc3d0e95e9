using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using OperaStudio.BrowserService.Contracts;
using OperaStudio.Tests.Infrastructure;
using static OperaStudio.Tests.Infrastructure.ScriptedReply;

namespace OperaStudio.Tests.Agent;

/// <summary>
/// Control handoff between the person in the panel and the agent, seen through the live view hub as the panel sees
/// it: input is refused while the agent acts, taking control pauses the run, ask_user hands control over until the
/// user says done, and every step, approval and state change arrives as a hub event.
/// </summary>
[Collection(AgentServiceCollection.Name)]
public sealed class AgentControlTests : IDisposable
{
    private const string AgentInControl = "The agent is in control; take control to act";

    private readonly AgentServiceFixture _service;

    public AgentControlTests(AgentServiceFixture service)
    {
        _service = service;
        service.Model.Reset();
    }

    private ScriptedModelServer Model => _service.Model;

    public void Dispose() => Assert.Equal(0, Model.Unplanned);

    [Fact]
    public async Task TakeControl_WhileTheAgentActs_InterruptsTheStep_PausesTheRun_AndGiveBackResumesIt()
    {
        var url = _service.Pages.Page("/agent-control/take", AgentPages.ControlsHtml);
        await using var session = await AgentClient.CreateAsync(_service.Http, url);
        await using var viewer = await PanelViewer.JoinAsync(_service, session.SessionId);
        Model.Plan(Call("wait_for", new { ms = 60_000 }), Call("snapshot"), Say("Back to work."));

        var run = await session.SendAsync("Wait a minute, then look at the page.");
        await session.WaitForStateAsync(s => s.Steps.Any(step => step.RunId == run.Id && step is { Tool: "wait_for", Status: "running" }), "the wait step");
        var refused = await Assert.ThrowsAsync<HubException>(() => viewer.ClickAsync(100, 100));
        using var take = await session.PostAsync("/agent/control", new { holder = "user" });
        var taken = await take.Content.ReadFromJsonAsync<ControlDto>();
        await Model.WaitForRequestAsync(2);
        var paused = await session.WaitForStateAsync(s => s.Run!.State == "paused", "the paused run");
        await viewer.ClickAsync(100, 100);
        using var giveBack = await session.PostAsync("/agent/control", new { holder = "agent" });
        var state = await session.WaitForEndAsync(run.Id);
        // The run's end hands control back to the user; the hub's event of it may come after the REST answer says so.
        await Eventually.TrueAsync(() => viewer.Holders.Count() >= 4, "the hub to say control went back", TimeSpan.FromSeconds(15), () => string.Join(", ", viewer.Holders));

        Assert.Contains(AgentInControl, refused.Message, StringComparison.Ordinal);
        Assert.Equal("user", taken!.Holder);
        Assert.Equal(HttpStatusCode.OK, giveBack.StatusCode);
        Assert.DoesNotContain(paused.Steps, s => s.RunId == run.Id && s.Tool == "snapshot");
        Assert.Contains("interrupted", Model.Requests[1].LastToolResult, StringComparison.Ordinal);
        Assert.Equal(["interrupted", "ok"], state.Steps.Where(s => s.RunId == run.Id).Select(s => s.Status));
        Assert.Equal("completed", state.Run!.State);
        Assert.Equal(["agent", "user", "agent", "user"], viewer.Holders);
    }

    [Fact]
    public async Task AskUser_HandsControlToTheUser_AndTheRunResumesWhenTheySayDone()
    {
        var url = _service.Pages.Page("/agent-control/ask", AgentPages.ControlsHtml);
        await using var session = await AgentClient.CreateAsync(_service.Http, url);
        await using var viewer = await PanelViewer.JoinAsync(_service, session.SessionId);
        Model.Plan(Call("ask_user", new { question = "Please solve the captcha, then say done." }), Call("snapshot"), Say("Thanks, carrying on."));

        var run = await session.SendAsync("Get past the captcha.");
        var waiting = await session.WaitForStateAsync(s => s.Run!.State == "waiting_for_user", "ask_user to wait");
        await viewer.ClickAsync(100, 100);
        using var resume = await session.PostAsync("/agent/resume", new { text = "done, solved it" });
        var state = await session.WaitForEndAsync(run.Id);
        using var tooLate = await session.PostAsync("/agent/resume", new { text = "again" });

        Assert.Equal("user", waiting.Control.Holder);
        Assert.Equal("Please solve the captcha, then say done.", waiting.Control.Question);
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.Contains("done, solved it", Model.Requests[1].LastToolResult, StringComparison.Ordinal);
        Assert.Equal("completed", state.Run!.State);
        Assert.Equal(["ask_user", "snapshot"], state.Steps.Where(s => s.RunId == run.Id).Select(s => s.Tool));
        Assert.Equal(HttpStatusCode.Conflict, tooLate.StatusCode);
        Assert.Contains("Please solve the captcha, then say done.", viewer.Questions);
    }

    [Fact]
    public async Task Hub_StreamsTheRun_TextDeltas_Steps_Approval_AndTheEnd()
    {
        var url = _service.Pages.Page("/agent-control/events", AgentPages.ControlsHtml);
        await using var session = await AgentClient.CreateAsync(_service.Http, url);
        await using var viewer = await PanelViewer.JoinAsync(_service, session.SessionId);
        Model.Plan(Call("click", new { description = "Save button" }, text: "Let me save that."), Call("execute_script", new { script = "1 + 1" }), Say("It is 2."));

        var run = await session.SendAsync("Save, then compute 1 + 1 in the page.");
        var approval = await viewer.Approvals.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        (await session.DecideAsync(approval.Id, approve: true)).Dispose();
        var finished = await viewer.Finished.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var steps = viewer.Steps.Where(s => s.RunId == run.Id).ToList();
        var click = steps.Last(s => s.Tool == "click");
        using var thumbnail = await _service.Http.GetAsync(click.ThumbnailUrl);

        Assert.Equal("completed", finished.State);
        Assert.Equal("Let me save that.", string.Concat(viewer.Deltas.Where(d => d.RunId == run.Id && viewer.MessageIds.First() == d.MessageId).Select(d => d.Delta)));
        Assert.Contains(viewer.Messages, m => m is { Role: "assistant", Text: "It is 2." });
        Assert.Equal(["running", "ok"], steps.Where(s => s.Tool == "click").Select(s => s.Status));
        Assert.Equal(["running", "waiting_for_approval", "running", "ok"], steps.Where(s => s.Tool == "execute_script").Select(s => s.Status));
        Assert.Equal("{\"description\":\"Save button\"}", click.Arguments);
        Assert.Contains("button \"Save\"", click.Summary, StringComparison.Ordinal);
        Assert.Equal("execute_script", approval.Kind);
        Assert.Null(approval.Element);
        Assert.Contains(viewer.Resolved, a => a.Id == approval.Id && a.Status == "approved");
        Assert.Contains(viewer.Runs, r => r.Id == run.Id && r.State == "waiting_for_approval");
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
    }

    [Fact]
    public async Task Control_WithoutARun_IsTheUsers_AndCannotBeGivenToTheAgent()
    {
        await using var session = await AgentClient.CreateAsync(_service.Http);
        await using var viewer = await PanelViewer.JoinAsync(_service, session.SessionId);

        using var take = await session.PostAsync("/agent/control", new { holder = "user" });
        using var give = await session.PostAsync("/agent/control", new { holder = "agent" });
        using var bad = await session.PostAsync("/agent/control", new { holder = "robot" });
        await viewer.ClickAsync(10, 10);

        Assert.Equal(HttpStatusCode.OK, take.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, give.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    /// <summary>Events as they arrived (SignalR calls handlers on its own thread; reads take a copy).</summary>
    private sealed class EventLog<T> : IEnumerable<T>
    {
        private readonly List<T> _items = [];

        public void Add(T item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public IEnumerator<T> GetEnumerator()
        {
            lock (_items)
            {
                return _items.ToList().GetEnumerator();
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The panel: a live view connection (<see cref="HubViewer"/>) that records the agent's events.</summary>
    private sealed class PanelViewer : IAsyncDisposable
    {
        private PanelViewer(HubViewer hub)
        {
            Hub = hub;
            var connection = hub.Connection;
            connection.On<ControlDto>("ControlChanged", c =>
            {
                Holders.Add(c.Holder);
                if (c.Question is { } question)
                {
                    Questions.Add(question);
                }
            });
            connection.On<AgentStepDto>("AgentStep", Steps.Add);
            connection.On<AgentTextDeltaDto>("AgentTextDelta", d =>
            {
                Deltas.Add(d);
                if (!MessageIds.Contains(d.MessageId))
                {
                    MessageIds.Add(d.MessageId);
                }
            });
            connection.On<AgentMessageDto>("AgentMessage", Messages.Add);
            connection.On<AgentRunDto>("AgentRunChanged", Runs.Add);
            connection.On<AgentRunDto>("AgentRunFinished", r => Finished.TrySetResult(r));
            connection.On<ApprovalDto>("ApprovalRequested", a => Approvals.Writer.TryWrite(a));
            connection.On<ApprovalDto>("ApprovalResolved", Resolved.Add);
        }

        public HubViewer Hub { get; }

        public EventLog<string> Holders { get; } = new();

        public EventLog<string> Questions { get; } = new();

        public EventLog<AgentStepDto> Steps { get; } = new();

        public EventLog<AgentTextDeltaDto> Deltas { get; } = new();

        public EventLog<string> MessageIds { get; } = new();

        public EventLog<AgentMessageDto> Messages { get; } = new();

        public EventLog<AgentRunDto> Runs { get; } = new();

        public EventLog<ApprovalDto> Resolved { get; } = new();

        public System.Threading.Channels.Channel<ApprovalDto> Approvals { get; } = System.Threading.Channels.Channel.CreateUnbounded<ApprovalDto>();

        public TaskCompletionSource<AgentRunDto> Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<PanelViewer> JoinAsync(AgentServiceFixture service, string sessionId)
        {
            var viewer = new PanelViewer(await HubViewer.ConnectAsync(service.BaseAddress));
            await viewer.Hub.JoinAsync(sessionId);
            return viewer;
        }

        public Task ClickAsync(double x, double y) => Hub.ClickAsync(x, y);

        public ValueTask DisposeAsync() => Hub.DisposeAsync();
    }
}
