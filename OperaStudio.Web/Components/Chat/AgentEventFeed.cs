using System.Net;
using OperaStudio.Web.Services;

namespace OperaStudio.Web.Components.Chat;

/// <summary>
/// The agent's events reach the chat here, on the web app's server: the browser service's event stream
/// (<c>GET /api/sessions/{id}/agent/events</c>) is read by this circuit and applied to its <see cref="AgentChatState"/>
/// on the circuit's dispatcher, one event after the other. No browser is in between, so the chat does not depend on
/// the browser panel or its live view connection. Each (re)connection starts with <c>Ready</c>, after which the state
/// reads a snapshot (events arriving meanwhile are merged, see AgentChatState); a dropped stream, or a session being
/// restored, is read again after a growing pause; a session that ended for good, or is gone, ends the feed.
/// </summary>
public sealed class AgentEventFeed : IAsyncDisposable
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);

    private readonly AgentChatState _state;
    private readonly BrowserServiceClient _api;
    private readonly Func<Func<Task>, Task> _dispatch;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private AgentEventFeed(AgentChatState state, BrowserServiceClient api, Func<Func<Task>, Task> dispatch)
    {
        _state = state;
        _api = api;
        _dispatch = dispatch;
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Starts reading; <paramref name="dispatch"/> runs work on the circuit's dispatcher (a component's InvokeAsync).</summary>
    public static AgentEventFeed Start(AgentChatState state, BrowserServiceClient api, Func<Func<Task>, Task> dispatch) =>
        new(state, api, dispatch);

    private async Task ReadAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            var more = true;
            try
            {
                await foreach (var item in _api.StreamAgentEventsAsync(_state.SessionId, _stop.Token))
                {
                    failures = 0;
                    await _dispatch(() =>
                    {
                        more = _state.ApplyEvent(item.EventType, item.Data);
                        return Task.CompletedTask;
                    });
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return; // The session is gone (the panel says so).
            }
            catch (ObjectDisposedException)
            {
                return; // The circuit went away with the page.
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or System.Text.Json.JsonException or OperationCanceledException)
            {
                // The service restarted, the connection dropped or timed out: read again; Ready brings a snapshot.
            }

            if (!more)
            {
                return;
            }

            // Also after a stream that ended on its own (a session being restored): a moment for it to come back.
            failures++;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, failures - 1), MaxPause.TotalMilliseconds)), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            // Cancelled, or the circuit's dispatcher is gone with the page.
        }

        _stop.Dispose();
    }
}
