using Microsoft.Playwright;

namespace OperaStudio.BrowserService.Streaming;

/// <summary>One input event for Chromium: a CDP Input.* method and its parameters.</summary>
internal sealed record InputCommand(string Method, Dictionary<string, object> Args, bool IsMouseMove = false);

/// <summary>
/// Delivers a session's input to the active tab in order, one CDP call at a time. Consecutive mouse moves that
/// pile up while a call is in flight collapse into the newest, so a fast mouse never builds a backlog, and the
/// hub never waits: it enqueues and returns.
/// </summary>
internal sealed class InputQueue(Func<ICDPSession?> target, Action<Exception> onError, Action<string>? onSlow = null)
{
    /// <summary>A call Chromium has not answered by then is reported (a dialog the input opened holds it, or a hung renderer).</summary>
    private static readonly TimeSpan SlowCall = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly LinkedList<InputCommand> _queue = new();
    private bool _running;

    public long Coalesced { get; private set; }

    public void Enqueue(InputCommand command)
    {
        lock (_gate)
        {
            if (command.IsMouseMove && _queue.Last is { Value.IsMouseMove: true } last)
            {
                last.Value = command;
                Coalesced++;
            }
            else
            {
                _queue.AddLast(command);
            }

            if (_running)
            {
                return;
            }

            _running = true;
        }

        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        while (true)
        {
            InputCommand command;
            lock (_gate)
            {
                if (_queue.First is not { } first)
                {
                    _running = false;
                    return;
                }

                command = first.Value;
                _queue.RemoveFirst();
            }

            try
            {
                if (target() is { } cdp)
                {
                    var call = cdp.SendAsync(command.Method, command.Args);
                    // Moves are most of the traffic and a lost one is superseded: only presses, keys and wheel turns arm the timer.
                    if (onSlow is not null && !command.IsMouseMove && await Task.WhenAny(call, Task.Delay(SlowCall)) != call)
                    {
                        int waiting;
                        lock (_gate)
                        {
                            waiting = _queue.Count;
                        }

                        onSlow($"{command.Method} {command.Args.GetValueOrDefault("type")} unanswered after {SlowCall.TotalSeconds:0} s; {waiting} waiting behind it");
                    }

                    await call;
                }
            }
            catch (PlaywrightException ex)
            {
                // A crashed or closing tab: drop the event, keep the queue alive for the next tab.
                onError(ex);
            }
        }
    }
}
