using Microsoft.Playwright;

namespace OperaStudio.BrowserService.Agent.Tools;

// Acting on an element so that cancellation reaches the browser. Playwright's locator calls take no token: a click
// abandoned with WaitAsync keeps waiting inside the driver and lands whenever its element becomes clickable, long
// after the step reported "cancelled". So the waiting happens in calls that cannot act (the element becoming visible,
// a trial run of the action), each raced with cancellation and harmless to abandon; the action itself starts only
// after a last check, with a short timeout, and is awaited to its end: a step that reports cancelled has not acted
// and never acts later, and one that acted says so.
public sealed partial class BrowserTools
{
    /// <summary>How long the action itself may take once its trial passed (it normally takes milliseconds).</summary>
    private const float ActWindowMilliseconds = 2_000;

    /// <summary>
    /// Waits (cancellably) for the element, then acts. <paramref name="trial"/> is the action's trial run (click, hover,
    /// check): it waits until the action could land (visible, stable, enabled, not covered) without acting; the action
    /// after it is forced (it does not wait for the same checks a second time, ~30 ms a click). An action
    /// without one (fill, select) waits inside its short window; when <paramref name="idempotent"/> it is tried again
    /// after that window until the step's time is up, checking for cancellation in between.
    /// </summary>
    private async Task ActAsync(
        ILocator locator, WaitForSelectorState ready, Func<float, Task>? trial, Func<float, Task> act, bool idempotent, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow().AddMilliseconds(Timeout);
        if (trial is null)
        {
            // A trial waits for the element itself (attached, visible, stable, enabled): one round trip fewer.
            await AbandonableAsync(locator.WaitForAsync(new() { State = ready, Timeout = Remaining(deadline) }), cancellationToken);
        }

        while (true)
        {
            if (trial is not null)
            {
                await AbandonableAsync(trial(Remaining(deadline)), cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await act(Math.Min(Remaining(deadline), ActWindowMilliseconds));
                return;
            }
            catch (TimeoutException ex) when (Remaining(deadline) > 1
                && (idempotent || (trial is not null && !ex.Message.Contains("performing", StringComparison.Ordinal))))
            {
                // Not done within the window: the element changed between the trial and the action (covered or moving
                // again) and the action never started, or repeating it changes nothing. Wait for it again.
            }
        }
    }

    /// <summary>
    /// A call into the page that Playwright does not time out (an evaluation, reading the content, a screenshot):
    /// bounded by the step's time, so a promise that never settles or a page whose main thread is blocked ends the
    /// step with an error instead of holding it (and the run) until the client gives up.
    /// </summary>
    private async Task<T> BoundedAsync<T>(Task<T> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(TimeSpan.FromMilliseconds(Timeout), _time, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException && !call.IsCompleted)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (ex is TimeoutException)
            {
                throw new ToolException(
                    $"Timed out after {Seconds(Timeout)}: the page did not answer (a script on it never finished or keeps its main thread busy).",
                    ToolException.ErrorStatus);
            }

            throw;
        }
    }

    private async Task BoundedAsync(Task call, CancellationToken cancellationToken) =>
        await BoundedAsync(call.ContinueWith(static t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), cancellationToken);

    /// <summary>
    /// A key press that returns once the key went down and up: by default Playwright then waits for any navigation it
    /// started to commit, inside the short action window, and a slow page turned a press that landed into a timeout
    /// (one that cannot be retried: pressing again submits twice). The step waits for the load itself (SettleAsync).
    /// </summary>
#pragma warning disable CS0612 // Deprecated only because Playwright means to make it the default.
    private static LocatorPressOptions PressOnly(float timeout) => new() { Timeout = timeout, NoWaitAfter = true };
#pragma warning restore CS0612

    private static string Seconds(float milliseconds) =>
        milliseconds < 1000 ? $"{milliseconds:0} ms" : $"{milliseconds / 1000:0.#} s";

    /// <summary>Time left until the deadline, at least 1 ms (Playwright reads 0 as no timeout).</summary>
    private float Remaining(DateTimeOffset deadline) =>
        (float)Math.Max(1, (deadline - _time.GetUtcNow()).TotalMilliseconds);

    /// <summary>Awaits a browser call that cannot act, giving up on cancellation; the abandoned call's end is observed.</summary>
    private static async Task AbandonableAsync(Task call, CancellationToken cancellationToken)
    {
        try
        {
            await call.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    private static async Task<T> AbandonableAsync<T>(Task<T> call, CancellationToken cancellationToken)
    {
        await AbandonableAsync((Task)call, cancellationToken);
        return await call;
    }
}
