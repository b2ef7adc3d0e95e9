namespace OperaStudio.Tests.Infrastructure;

/// <summary>
/// The one way tests wait for something that happens in the background: poll a condition until it holds or the
/// budget is spent, then fail saying what was awaited and what was last seen. Every caller states its budget; it is
/// a ceiling for a shared, loaded machine, never an assertion about timing.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits until <paramref name="condition"/> is true.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan budget, Func<string>? lastSeen = null)
    {
        var deadline = DateTime.UtcNow + budget;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Waited {budget.TotalSeconds:0.#} s for {what}{(lastSeen is null ? "" : $"; {lastSeen()}")}.");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> is true (a condition that needs no I/O).</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan budget, Func<string>? lastSeen = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, budget, lastSeen);

    /// <summary>Reads a value until <paramref name="accept"/> takes it; returns that value.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> accept, string what, TimeSpan budget, Func<T, string>? describe = null)
    {
        var last = default(T);
        var seen = false;
        await TrueAsync(
            async () =>
            {
                last = await read();
                seen = true;
                return accept(last);
            },
            what,
            budget,
            () => !seen ? "nothing was read" : $"last seen: {(describe is null ? last?.ToString() : describe(last!))}");
        return last!;
    }
}
