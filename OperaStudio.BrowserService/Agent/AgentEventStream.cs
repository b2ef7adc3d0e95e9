using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OperaStudio.BrowserService.Agent.Runs;
using OperaStudio.BrowserService.Sessions;

namespace OperaStudio.BrowserService.Agent;

/// <summary>
/// <c>GET /api/sessions/{id}/agent/events</c>: the agent's events of one session as Server-Sent Events, for the web
/// app's server, which renders the chat (one route from the agent to the chat, without a browser in between). The
/// event names and payloads are the live view hub's (<c>AgentStep</c> with an <c>AgentStepDto</c>, …, docs/agent.md),
/// in the REST API's JSON. <c>Ready</c> comes first, once subscribed: a snapshot read after it misses nothing.
/// <c>SessionEnded</c> (<c>{reason, restorable}</c>) comes last; when restorable, asking again brings the session back.
/// </summary>
internal static class AgentEventStream
{
    public const string Ready = "Ready";
    public const string Ended = "SessionEnded";

    public static Results<ServerSentEventsResult<string>, ProblemHttpResult> Get(
        string id, AgentSessions agents, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
        agents.Find(id) is { } agent
            ? TypedResults.ServerSentEvents(ReadAsync(agent.Browser, json.Value.SerializerOptions, cancellationToken, lifetime.ApplicationStopping))
            : Problems.SessionNotFound(id);

    private static async IAsyncEnumerable<SseItem<string>> ReadAsync(
        BrowserSession session, JsonSerializerOptions json, [EnumeratorCancellation] CancellationToken cancellationToken, CancellationToken stopping)
    {
        // The stream ends when the service stops: Kestrel waits for open requests before it lets the service stop, and
        // an endless stream held every stop for the whole shutdown timeout. The web app's feed reconnects elsewhere.
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
        // Events are raised on Playwright's threads and must not wait: they queue here, in the order raised.
        var queue = Channel.CreateUnbounded<SseItem<string>>(new UnboundedChannelOptions { SingleReader = true });
        void OnEvent(SessionEvent e)
        {
            if (ToItem(e, json) is { } item)
            {
                queue.Writer.TryWrite(item);
            }
        }

        session.Events += OnEvent;
        try
        {
            yield return new SseItem<string>("{}", Ready);
            if (session.IsClosed)
            {
                // Closed between the lookup and the subscription: its SessionEnded was raised before anyone listened.
                yield return new SseItem<string>(JsonSerializer.Serialize(new { reason = "The session ended.", restorable = false }, json), Ended);
                yield break;
            }

            await foreach (var item in ReadUntilAsync(queue.Reader, ends.Token))
            {
                yield return item;
                if (item.EventType == Ended)
                {
                    yield break;
                }
            }
        }
        finally
        {
            session.Events -= OnEvent;
        }
    }

    /// <summary>The queued items until <paramref name="end"/>; ending is not an error (the stream simply closes).</summary>
    private static async IAsyncEnumerable<SseItem<string>> ReadUntilAsync(ChannelReader<SseItem<string>> reader, [EnumeratorCancellation] CancellationToken end)
    {
        while (true)
        {
            try
            {
                if (!await reader.WaitToReadAsync(end))
                {
                    yield break;
                }
            }
            catch (OperationCanceledException) when (end.IsCancellationRequested)
            {
                yield break;
            }

            while (reader.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    private static SseItem<string>? ToItem(SessionEvent e, JsonSerializerOptions json) => e switch
    {
        AgentMessageAdded m => Item("AgentMessage", m.Message, json),
        AgentTextStreamed t => Item("AgentTextDelta", t.Delta, json),
        AgentStepChanged s => Item("AgentStep", s.Step, json),
        AgentRunChanged r => Item("AgentRunChanged", r.Run, json),
        AgentRunFinished r => Item("AgentRunFinished", r.Run, json),
        ApprovalRequested a => Item("ApprovalRequested", a.Approval, json),
        ApprovalResolved a => Item("ApprovalResolved", a.Approval, json),
        ControlChanged c => Item("ControlChanged", c.Control, json),
        SessionEnded ended => Item(Ended, new { reason = ended.Reason, restorable = ended.Restorable }, json),
        _ => null,
    };

    private static SseItem<string> Item<T>(string name, T payload, JsonSerializerOptions json) =>
        new(JsonSerializer.Serialize(payload, json), name);
}
